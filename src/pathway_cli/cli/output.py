"""Fast text output for long listings: colour codes of our own instead of a Rich render a line.

Rich parses markup and measures every line it prints; for thousands of findings that costs more
than checking them. Long listings are built as one string, coloured with plain SGR codes only
when Rich would colour (a terminal, NO_COLOR unset), and written in one call, so the bytes
piped to a file are exactly the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Painter", "write_text"]

_SGR = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33"}


@dataclass(frozen=True)
class Painter:
    """Wraps text in a style's SGR code, or returns it unchanged when colour is off."""

    colour: bool

    @classmethod
    def for_stream(cls, console: Console) -> Painter:
        """Colour exactly when Rich would colour on this console."""
        return cls(console.is_terminal and console.color_system is not None
                   and not console.no_color)

    def __call__(self, text: str, style: str) -> str:
        if not self.colour or not text:
            return text
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m"


def write_text(stream: TextIO, text: str) -> None:
    """Write a whole listing in one call and flush it."""
    stream.write(text)
    stream.flush()

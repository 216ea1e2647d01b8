"""The Rich console pathway prints through: no control character of the printed text passes.

Imported only when a command prints (Rich is loaded lazily, for a fast start).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from pathway_cli.plaintext import CONTROL_CHARACTERS, strip_controls

__all__ = ["PlainConsole"]


class PlainConsole(Console):
    """A console that never passes a control character of the printed text on.

    Record text can hold escape sequences; they are taken out of every segment of text
    here, after layout and before Rich adds its own styling codes, so that every command
    is covered by the console factories of ``cli.app``.
    """

    def render(self, renderable: RenderableType,
               options: ConsoleOptions | None = None) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            if segment.control is None and CONTROL_CHARACTERS.search(segment.text):
                yield Segment(strip_controls(segment.text), segment.style)
            else:
                yield segment

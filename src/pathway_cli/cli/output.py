"""Fast text output for long listings: colour codes of our own instead of a Rich render a line.

Rich parses markup and measures every line it prints; for thousands of findings that costs more
than checking them. Long listings are built as one string, coloured with plain SGR codes only
when Rich would colour (a terminal, NO_COLOR unset), and written in one call, so the bytes
piped to a file are exactly the text.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

__all__ = ["PIPE_WIDTH", "Painter", "certainly_piped", "plain_cell", "plain_tables", "show_table",
           "wide_when_piped", "write_note", "write_text"]

# Wide enough for a table when stdout is a file or a pipe (Rich would use 80).
PIPE_WIDTH = 160
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


def certainly_piped(stream: TextIO | None) -> bool:
    """True when Rich would take ``stream`` for no terminal (``Console.is_terminal``), decided
    without importing Rich: a warm ``summarise`` or ``alerts`` piped to a file needs none of
    it (its import is about a twentieth of such a run). False means "ask Rich": a terminal,
    or anything that could make Rich decide otherwise (TTY_COMPATIBLE, FORCE_COLOR, IPython,
    IDLE)."""
    if stream is None or "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return False
    if "IPython" in sys.modules or "idlelib" in sys.modules:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is None or not isatty()
    except ValueError:  # a closed stream, which Rich takes for no terminal too
        return True


def write_note(text: str, tags: tuple[str, ...] = ()) -> bool:
    """Write one line of console markup (a footer) to stderr without Rich when Rich would
    write exactly these bytes: stderr is no terminal (so no style is shown), and once the
    style ``tags`` the caller put in (``[yellow]``, ``[/]``) are taken out, the text has no
    other markup or escape, no control or format character and no line break. False: the
    caller prints it through Rich."""
    if not certainly_piped(sys.stderr):
        return False
    for tag in tags:
        text = text.replace(tag, "")
    if not text.isprintable() or "[" in text or "\\" in text:
        return False
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
    return True


def plain_tables(console: Console) -> bool:
    """True when ``console`` writes to a pipe or a file and no COLUMNS asks for a drawn table:
    tables are then written for grep, cut and sort."""
    return not console.is_terminal and "COLUMNS" not in os.environ


def wide_when_piped(console: Console) -> Console:
    """``console``, as wide as ``PIPE_WIDTH`` when it writes to a pipe or a file (and no
    COLUMNS says otherwise)."""
    if plain_tables(console):
        console.width = PIPE_WIDTH
    return console


def plain_cell(text: str) -> str:
    """One cell of a tab-separated table: one line, single spaces, no tab and no character a
    terminal would not print (a control code)."""
    if text.isprintable() and "  " not in text and text == text.strip():
        return text  # one line, single spaces already: most cells, thousands of them
    words = " ".join(text.split())
    if words.isprintable():
        return words
    return "".join(ch for ch in words if ch.isprintable())


def _plain_cell(cell: RenderableType | None) -> str:
    from rich.text import Text

    if cell is None:
        return ""
    # a string cell is console markup, as Rich would render it
    text = cell.plain if isinstance(cell, Text) else Text.from_markup(str(cell)).plain
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and all(line.startswith("- ") for line in lines):
        text = "; ".join(line[2:] for line in lines)  # a list of reasons: one a clause
    return plain_cell(text)


def show_table(console: Console, table: Table) -> None:
    """A Rich table drawn on a terminal; piped, its title on a line, then a tab-separated
    header line and one tab-separated line a row (the form of ``alerts`` and ``summarise``)."""
    if not plain_tables(console):
        console.print(table)
        return
    columns = table.columns
    cells = [list(column.cells) for column in columns]
    lines = [_plain_cell(table.title)] if table.title else []
    lines.append("\t".join(_plain_cell(column.header) for column in columns))
    lines += ["\t".join(_plain_cell(column_cells[row]) for column_cells in cells)
              for row in range(table.row_count)]
    console.file.write("\n".join(lines) + "\n")
    console.file.flush()

"""The one CSV writer of pathway: ``summarise --format csv``, ``export`` and any later one.

Every cell goes through the same guards. A spreadsheet runs a cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula, so
such text gets a leading apostrophe, which spreadsheets show as plain text; numbers are
written as numbers. Control characters are taken out (``plaintext``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from pathway_cli.plaintext import strip_controls

__all__ = ["CsvCell", "csv_cell", "csv_text"]

CsvCell = str | int | float | bool | list[str] | None

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: CsvCell) -> str:
    """One cell as text: empty for None, true/false, lists joined with ';', guarded text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    text = ";".join(value) if isinstance(value, list) else str(value)
    text = strip_controls(text.replace("\r\n", "\n"))
    if text[:1] in _FORMULA_STARTS or text.lstrip()[:1] in _FORMULA_STARTS:
        text = "'" + text
    return text


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[CsvCell]]) -> str:
    """A header line (when there are columns) and one line a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if columns:
        writer.writerow([csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()

"""Control characters: never printed to a terminal or written to a CSV, found in records.

A record can carry an escape sequence in a double-quoted string (``"\\e[31m"``, ``"\\a"``)
which a terminal would obey: colour, a changed window title, a rewritten line. Every
character of the C0 and C1 control ranges except tab and line feed is taken out of what
pathway prints and of every CSV cell; ``validate`` warns about them in the records
(``text-control-characters``).
"""

from __future__ import annotations

import re

__all__ = [
    "CONTROL_CHARACTERS",
    "control_characters",
    "escape_json_controls",
    "is_one_line",
    "strip_controls",
]

# C0 without tab and line feed, DEL, and C1.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` without control characters (tab and line feed stay)."""
    return CONTROL_CHARACTERS.sub("", text) if CONTROL_CHARACTERS.search(text) else text


def control_characters(text: str) -> list[str]:
    """The distinct control characters in ``text``, in order of appearance."""
    return list(dict.fromkeys(CONTROL_CHARACTERS.findall(text)))


# JSON escapes C0 itself; with ensure_ascii=False it leaves DEL and C1 raw.
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


def escape_json_controls(text: str) -> str:
    """JSON text with DEL and C1 characters written as ``\\u00XX`` escapes (same data)."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


# Line breaks besides the control characters: the Unicode line and paragraph separators.
_LINE_BREAKS = re.compile("[\n\r\t\u2028\u2029]")


def is_one_line(text: str) -> bool:
    """True when ``text`` is one line without control characters (a name, a title): no line
    break, no tab, no escape sequence."""
    return not (CONTROL_CHARACTERS.search(text) or _LINE_BREAKS.search(text))

"""Record text as Markdown that shows exactly that text.

Every string a template receives is escaped here, so learner text can never become
Markdown, HTML or table syntax whatever a template does with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from pathway_cli.plaintext import strip_controls

__all__ = [
    "escape_tree",
    "markdown_escape",
]


_ALWAYS = re.compile(r"[\\`*\[\]<|~$^]")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MENTION = re.compile(r"(^|\s)@")
_LINE_START = re.compile(r"^([#>+=:-])")
_NUMBERED = re.compile(r"^(\d+)([.)])")


@lru_cache(maxsize=8192)
def markdown_escape(text: str) -> str:
    """Text as Markdown that shows exactly that text (CommonMark, GFM tables, pandoc).

    Each line is stripped (indentation would make a code block), characters with a
    meaning anywhere are backslash-escaped, and so are those that mean something at the
    start of a line. A ``_`` inside a word and an ``@`` inside an address stay as they are.
    Control characters (an escape sequence in a record) are left out.
    """
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.strip().split("\n")
    out = []
    for raw in lines:
        line = _ALWAYS.sub(r"\\\g<0>", raw.strip())
        line = _UNDERSCORE.sub(r"\\_", line)
        line = _ENTITY.sub(r"\\&", line)
        line = _MENTION.sub(r"\1\\@", line)
        line = _LINE_START.sub(r"\\\1", line)
        line = _NUMBERED.sub(r"\1\\\2", line)
        out.append(line)
    return "\n".join(out)


def markdown_unescape(text: str) -> str:
    """Plain text from escaped Markdown text (for HTML titles and PDF metadata)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


_PLAIN_KEY = re.compile(r"\w+")
# Values passed as they are, by exact type (a subclass takes the general tests).
_UNESCAPED = frozenset({type(None), int, float, bool, date})


def escape_tree(value: Any) -> Any:
    """Every string in nested data escaped for Markdown; other values as they are.

    Keys are escaped too, except word-like keys (``with_``, ``name_native``), which
    templates look up by name and which cannot carry Markdown syntax.
    """
    kind = type(value)  # the exact types first: a report's view holds thousands of values
    if kind is str:
        return markdown_escape(value)
    if kind is dict:  # its strings escaped here rather than through a call each
        return {_escape_key(k): markdown_escape(v) if type(v) is str else escape_tree(v)
                for k, v in value.items()}
    if kind is list:
        return [markdown_escape(v) if type(v) is str else escape_tree(v) for v in value]
    if kind in _UNESCAPED:
        return value
    if isinstance(value, str):
        return markdown_escape(value)
    if isinstance(value, Mapping):
        return {_escape_key(k): escape_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_tree(v) for v in value]
    return value


@lru_cache(maxsize=4096)
def _escape_key(key: Any) -> Any:
    """A mapping key as escape_tree writes it (the same few keys come back thousands of
    times in a batch)."""
    return key if not isinstance(key, str) or _PLAIN_KEY.fullmatch(key) else markdown_escape(key)

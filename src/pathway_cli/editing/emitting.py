"""Values written as YAML text: scalars that read back as exactly themselves (quoted only
when they must be), lists and mappings in flow style, multi-line text as literal blocks.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import yaml

from pathway_cli.editing.data import _MISSING, _Loader, _same

__all__ = [
    "inline_yaml",
]


_NULL_TAG = "tag:yaml.org,2002:null"


def _reads_back(text: str, value: Any, flow: bool) -> bool:
    probe = f"[{text}]" if flow else f"k: {text}"
    try:
        loaded = yaml.load(probe, Loader=_Loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return False
    got = loaded[0] if flow and isinstance(loaded, list) and len(loaded) == 1 else (
        loaded.get("k", _MISSING) if isinstance(loaded, dict) and not flow else _MISSING)
    return _same(got, value)


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}
# what a YAML file may hold as it is (PyYAML's reader refuses the rest, even in quotes);
# NEL and the Unicode line and paragraph separators are line breaks, so they are escaped too
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _double(text: str) -> str:
    """A double-quoted YAML scalar that reads back as ``text``, whatever it contains."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _PRINTABLE.match(ch) and ch != "\ufeff":
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _scalar(value: Any, flow: bool, prefer: str | None = None) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        if "e" in text and "." not in text:
            text = text.replace("e", ".0e")
        return text
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    candidates = []
    if prefer == '"':
        candidates.append(_double(text))
    elif prefer == "'":
        candidates.append(_single(text))
    if "\n" not in text and text == text.strip():
        candidates.append(text)
    candidates += [_double(text)]
    for candidate in candidates:
        if _reads_back(candidate, text, flow):
            return candidate
    return _double(text)


def inline_yaml(value: Any, *, flow: bool = False) -> str:
    """``value`` written as YAML on one line (flow style for lists and mappings)."""
    return _inline(value, flow=flow)


def _inline(value: Any, flow: bool, prefer: str | None = None) -> str:
    """A value written on one line: a scalar, or a list or mapping in flow style."""
    if isinstance(value, dict):
        entries = ", ".join(f"{_plain_key(str(k))}: {_inline(v, True)}" for k, v in value.items())
        return "{" + entries + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_inline(v, True) for v in value) + "]"
    return _scalar(value, flow, prefer)


def _plain_key(key: str) -> str:
    return key if _reads_back(key, key, True) and ":" not in key else _double(key)


def _literal(text: str, indent: int, newline: str) -> str | None:
    """A multi-line text as a literal block (``|``), or None when one cannot hold it."""
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    if body[:1] in (" ", "\t") or "\r" in text or any(
        not ch.isprintable() and ch not in "\n\t" for ch in text
    ):
        return None
    header = "|" if trailing == 1 else ("|-" if trailing == 0 else "|+")
    lines = [(" " * indent + line) if line else "" for line in body.split("\n")]
    lines += [""] * (trailing - 1 if trailing > 1 else 0)
    block = header + "\n" + "\n".join(lines)
    # indentation is guessed from the first line with text: let the parser confirm it
    if not _reads_back(block + "\n", text, flow=False):
        return None
    return block.replace("\n", newline)


def _needs_block(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value)
    if isinstance(value, list):
        return any(isinstance(v, dict) for v in value)
    return False

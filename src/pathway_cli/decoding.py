"""Record files as text: UTF-8 (a byte order mark allowed), or a sentence saying why not.

Editors on some systems save as UTF-16 or in a one-byte encoding; the reader is told which,
and where the first unreadable byte is, instead of a decoding error.
"""

from __future__ import annotations

__all__ = ["decode_record", "position_of_offset"]


def position_of_offset(text: str, offset: int) -> tuple[int, int]:
    """The line and column (from 1) of a character offset in ``text``."""
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return line, column


# Byte order marks of the Unicode encodings editors offer besides UTF-8 (UTF-32 first: its
# little-endian mark begins with UTF-16's).
_OTHER_UNICODE = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                  (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"))


def _other_unicode(raw: bytes) -> str | None:
    """The name of the Unicode encoding a file was saved in when it is not UTF-8: by its byte
    order mark, or UTF-16 without one (every other byte of its first line is zero)."""
    for mark, name in _OTHER_UNICODE:
        if raw.startswith(mark):
            return name
    head = raw[:64]
    if len(head) >= 4 and (head[1::2].count(0) == len(head[1::2])
                           or head[0::2].count(0) == len(head[0::2])):
        return "UTF-16"
    return None


def decode_record(raw: bytes) -> tuple[str | None, tuple[str, int, int] | None]:
    """The text of a record file's bytes (UTF-8, with or without a byte order mark), or why
    it cannot be read as text: a sentence and the line and column where reading stopped."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        other = _other_unicode(raw)
        if other is not None:
            return None, (
                f"this file is saved as {other} text, not UTF-8; save it again as UTF-8 in "
                "your editor (in most editors: Save as..., Encoding: UTF-8)",
                1,
                1,
            )
        good = raw[: exc.start].decode("utf-8-sig", errors="replace")
        line, column = position_of_offset(good, len(good))
        return None, (
            "this file is not saved as UTF-8 text (byte "
            f"0x{raw[exc.start]:02x} cannot be read); save it again as UTF-8 in your editor",
            line,
            column,
        )
    if "\0" in text[:64] and _other_unicode(raw) is not None:  # UTF-16 of ASCII is valid UTF-8
        return None, (
            "this file is saved as UTF-16 text, not UTF-8; save it again as UTF-8 in your "
            "editor (in most editors: Save as..., Encoding: UTF-8)",
            1,
            1,
        )
    return text, None

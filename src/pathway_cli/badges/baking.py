"""Baked badges: the credential inside its image, as Open Badges 3.0 describes ("Baking").

- PNG: an ``iTXt`` chunk with the keyword ``openbadgecredential``, uncompressed, holding
  the signed credential's JSON (or the compact JWS of its VC-JWT form).
- SVG: an ``<openbadges:credential>`` element right after the root ``<svg>`` start tag
  (namespace ``https://purl.imsglobal.org/ob/v3p0``), the JSON in its body as CDATA, or the
  compact JWS in its ``verify`` attribute.

The picture is generated (the school's name, the achievement, the date; typeset with Typst,
which pathway already uses for PDF) unless the caseload holds ``templates/badge.png`` or
``templates/badge.svg``, which are then used as they are, with the credential added.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pathway_cli.errors import UserError
from pathway_cli.typesetting import typst_string

__all__ = [
    "OB_NAMESPACE",
    "PNG_KEYWORD",
    "BadgeImage",
    "BakeError",
    "badge_images",
    "bake_png",
    "bake_svg",
    "extract_png",
    "extract_svg",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_MAX_TEXT = 4 * 1024 * 1024  # a credential is a few KB; refuse to inflate more than this
_SVG_ROOT = re.compile(rb"<svg\b[^>]*?>", re.IGNORECASE)


class BakeError(ValueError):
    """An image that holds no credential, or a damaged one; the message says which."""


# --- PNG ---------------------------------------------------------------------------------


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise BakeError("not a PNG image")
    chunks: list[tuple[bytes, bytes]] = []
    position = len(PNG_SIGNATURE)
    while position < len(data):
        if position + 8 > len(data):
            raise BakeError("the PNG image is cut short")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        end = position + 8 + length
        if end + 4 > len(data):
            raise BakeError("the PNG image is cut short")
        body = data[position + 8:end]
        (crc,) = struct.unpack(">I", data[end:end + 4])
        if zlib.crc32(kind + body) != crc:
            raise BakeError(f"the PNG image is damaged (checksum of a {kind!r} chunk)")
        chunks.append((kind, body))
        position = end + 4
        if kind == b"IEND":
            break
    if not chunks or chunks[-1][0] != b"IEND":
        raise BakeError("the PNG image has no end (IEND) chunk")
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _itxt_keyword(body: bytes) -> bytes:
    return body.split(b"\0", 1)[0]


def bake_png(image: bytes, payload: str) -> bytes:
    """``image`` with one ``openbadgecredential`` iTXt chunk (an earlier one is replaced)."""
    out = [PNG_SIGNATURE]
    itxt = PNG_KEYWORD + b"\0\0\0" + b"\0" + b"\0" + payload.encode("utf-8")
    for kind, body in _chunks(image):
        if kind == b"iTXt" and _itxt_keyword(body) == PNG_KEYWORD:
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", itxt))
        out.append(_chunk(kind, body))
    return b"".join(out)


def extract_png(data: bytes) -> str:
    """The credential text baked into a PNG; ``BakeError`` when there is none."""
    found = [body for kind, body in _chunks(data)
             if kind == b"iTXt" and _itxt_keyword(body) == PNG_KEYWORD]
    if not found:
        raise BakeError("the PNG image holds no Open Badges credential (no iTXt chunk "
                        "'openbadgecredential')")
    if len(found) > 1:
        raise BakeError("the PNG image holds more than one credential")
    rest = found[0][len(PNG_KEYWORD) + 1:]
    if len(rest) < 2:
        raise BakeError("the PNG's credential chunk is damaged")
    compressed, _method, rest = rest[0], rest[1], rest[2:]
    parts = rest.split(b"\0", 2)
    if len(parts) != 3:
        raise BakeError("the PNG's credential chunk is damaged")
    text = parts[2]
    if compressed:
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, _MAX_TEXT)
        except zlib.error:
            raise BakeError("the PNG's credential chunk cannot be decompressed") from None
        if inflater.unconsumed_tail:
            raise BakeError("the PNG's credential chunk is too large")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakeError("the PNG's credential is not UTF-8 text") from None


# --- SVG ---------------------------------------------------------------------------------


def bake_svg(image: bytes, payload: str, jwt: bool) -> bytes:
    """``image`` with an ``<openbadges:credential>`` right after the root element opens."""
    text = image
    match = _SVG_ROOT.search(text)
    if match is None:
        raise BakeError("not an SVG image (no <svg> element)")
    root = match.group(0)
    if b"xmlns:openbadges" not in root:
        closing = b"/>" if root.endswith(b"/>") else b">"
        root = root[:-len(closing)].rstrip() + (
            f' xmlns:openbadges="{OB_NAMESPACE}"'.encode()) + closing
    if jwt:
        element = f'<openbadges:credential verify="{payload}"></openbadges:credential>'
    else:
        body = payload.replace("]]>", "]]]]><![CDATA[>")
        element = f"<openbadges:credential><![CDATA[{body}]]></openbadges:credential>"
    return (text[:match.start()] + root + b"\n" + element.encode("utf-8")
            + text[match.end():])


def extract_svg(data: bytes) -> str:
    """The credential text baked into an SVG; ``BakeError`` when there is none."""
    head = data[:4096].lower()
    if b"<!doctype" in data.lower() or b"<!entity" in head:
        raise BakeError("the SVG declares a DOCTYPE or entities; pathway does not read those")
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DOCTYPE, so no entity expansion
    except ET.ParseError as exc:
        raise BakeError(f"the SVG is not well-formed XML ({exc})") from None
    found = root.findall(f"{{{OB_NAMESPACE}}}credential")
    if not found:
        raise BakeError("the SVG image holds no Open Badges credential "
                        "(no <openbadges:credential> element)")
    if len(found) > 1:
        raise BakeError("the SVG image holds more than one credential")
    element = found[0]
    token = element.get("verify")
    if token:
        return token
    return (element.text or "").strip()


# --- the picture -------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeImage:
    """The two pictures of one badge, before the credential is baked in."""

    png: bytes
    svg: bytes


_DESIGN = """\
#set page(width: 512pt, height: 512pt, margin: 0pt, fill: none)
#set text(font: "Libertinus Serif", fill: white, hyphenate: false)
#set par(justify: false)
#place(center + horizon, circle(radius: 244pt, fill: rgb("#c9a227")))
#place(center + horizon, circle(radius: 228pt, fill: rgb("#1f4e79")))
#place(center + horizon, box(width: 330pt, align(center)[
  #text(size: 19pt, school)
  #v(4pt)
  #line(length: 60%, stroke: 1.2pt + rgb("#c9a227"))
  #v(6pt)
  #text(size: if achievement.len() > 60 { 24pt } else { 32pt }, weight: "bold", achievement)
  #v(8pt)
  #text(size: 17pt, kind)
  #v(2pt)
  #text(size: 17pt, awarded)
]))
"""

_COMPILER: list[Any] = []


def _compile(source: str, fmt: str) -> bytes:
    import typst  # imported here: only badges with images need it

    if not _COMPILER:
        _COMPILER.append(typst.Compiler(ignore_system_fonts=True))
    try:
        out = _COMPILER[0].compile(source.encode("utf-8"), format=fmt, ppi=72.0)
    except typst.TypstError as exc:
        raise UserError(f"the badge image could not be drawn: {str(exc)[:200]}") from None
    if not isinstance(out, bytes):
        raise UserError("the badge image could not be drawn (more than one page)")
    return out


def badge_images(school: str, achievement: str, kind: str, awarded: str,
                 templates: Path | None) -> BadgeImage:
    """The badge's PNG and SVG: the caseload's templates, or a generated picture."""
    source = (f"#let school = {typst_string(school)}\n"
              f"#let achievement = {typst_string(achievement)}\n"
              f"#let kind = {typst_string(kind)}\n"
              f"#let awarded = {typst_string(awarded)}\n" + _DESIGN)
    png = svg = None
    if templates is not None:
        png_path, svg_path = templates / "badge.png", templates / "badge.svg"
        try:
            if png_path.is_file():
                png = png_path.read_bytes()
                _chunks(png)
            if svg_path.is_file():
                svg = svg_path.read_bytes()
                if _SVG_ROOT.search(svg) is None:
                    raise BakeError("no <svg> element")
        except (OSError, BakeError) as exc:
            raise UserError(f"the badge template in {templates} cannot be used: {exc}",
                            hint="use a PNG and an SVG image, or remove the template") from None
    return BadgeImage(png if png is not None else _compile(source, "png"),
                      svg if svg is not None else _compile(source, "svg"))

"""Typesetting a Markdown report as an HTML page body or a PDF.

Markdown is the report's primary artifact; HTML and PDF are made from the same text so
they say the same thing. Both walk the token stream of ``markdown-it-py`` (CommonMark
with tables): raw HTML in the Markdown is never passed through, and every piece of text
is escaped for its target (HTML entities, or Typst's backslash escapes).

A PDF is Typst markup compiled by the ``typst`` package: no system libraries, fonts built
in (Libertinus Serif covers Latin, Polish, Turkish, Spanish and Cyrillic letters). The
compile is deterministic: the document date and the PDF timestamp are both the report's
date, and system fonts are ignored, so the same records give the same bytes anywhere.

This module imports neither Jinja nor the record models: batch workers load only it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import signal
import string
import struct
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import IO, Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "PageMeta",
    "PdfWorkers",
    "TypesetError",
    "compile_pdf",
    "html_sections",
    "markdown_parser",
    "pdf_report",
    "typst_document",
    "typst_markup",
    "typst_string",
]


class TypesetError(Exception):
    """The PDF could not be compiled (a broken report.typ of the caseload, usually)."""


@dataclass(frozen=True)
class PageMeta:
    """What the page furniture shows: title block, running header and footer."""

    title: str
    subtitle: str
    organisation: str
    date: date
    date_text: str
    lang: str
    region: str | None
    audience: str
    footer: str
    page_word: str = "Page"
    of_word: str = "of"
    direction: str = "ltr"


@cache
def markdown_parser() -> MarkdownIt:
    """CommonMark with GitHub tables and strikethrough; raw HTML is shown as text."""
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


# --- HTML --------------------------------------------------------------------------------


# Header words of a column that is filled in by hand on the printed page.
_WRITING_HEADERS = frozenset({"signature"})


def _mark_writing_cells(tokens: Sequence[Token]) -> list[Token]:
    """Mark the blank cells that are places to write on paper (class ``write``).

    A blank cell is one when its column is headed Signature or is blank in every row
    (the signature and date lines of a plan); other blank cells are just empty.
    """
    index = 0
    while index < len(tokens):
        if tokens[index].type != "table_open":
            index += 1
            continue
        headers: list[str] = []
        rows: list[list[tuple[Token, str]]] = []
        index += 1
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "th_open":
                headers.append(tokens[index + 1].content.strip().lower())
            elif token.type == "tr_open" and headers and tokens[index + 1].type == "td_open":
                rows.append([])
            elif token.type == "td_open":
                rows[-1].append((token, tokens[index + 1].content.strip()))
            index += 1
        for column, header in enumerate(headers):
            cells = [row[column] for row in rows if column < len(row)]
            if header in _WRITING_HEADERS or (cells and not any(text for _, text in cells)):
                for cell, text in cells:
                    if not text:
                        cell.attrSet("class", "write")
    return list(tokens)


def _parse(body: str) -> list[Token]:
    return _mark_writing_cells(markdown_parser().parse(body))


def _embed_images(tokens: Sequence[Token], images: Mapping[str, str]) -> None:
    """Point each image whose source names an SVG of ``images`` at that SVG (a data URI:
    an ``<img>`` never runs scripts, and the page stays one file)."""
    for token in tokens:
        for child in token.children or []:
            src = child.attrGet("src") if child.type == "image" else None
            if isinstance(src, str) and src in images:
                data = base64.b64encode(images[src].encode("utf-8")).decode("ascii")
                child.attrSet("src", f"data:image/svg+xml;base64,{data}")


# A part of a bilingual report in one language: a pandoc fenced div with its language and
# direction. Record text cannot make one: a line-start ":" is escaped in the data.
_LANGUAGE_PART = re.compile(
    r'^::: \{lang="([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,3})?)" dir="(ltr|rtl)"\}\n(.*?)^:::$\n?',
    re.MULTILINE | re.DOTALL)


def language_part(tag: str, direction: str, body: str) -> str:
    """Markdown of one language's part of a bilingual report (a pandoc fenced div)."""
    return f'::: {{lang="{tag}" dir="{direction}"}}\n{body.strip()}\n:::\n'


def _language_parts(body: str) -> list[tuple[str | None, str | None, str]]:
    """The body cut into its language parts; text outside a part has no language of its own."""
    parts: list[tuple[str | None, str | None, str]] = []
    last = 0
    for match in _LANGUAGE_PART.finditer(body):
        if body[last:match.start()].strip():
            parts.append((None, None, body[last:match.start()]))
        parts.append((match.group(1), match.group(2), match.group(3)))
        last = match.end()
    if body[last:].strip() or not parts:
        parts.append((None, None, body[last:]))
    return parts


def html_sections(body: str, images: Mapping[str, str] | None = None) -> str:
    """The Markdown body as HTML, each level-2 section wrapped in ``<section>``.

    The wrapping lets print CSS keep a section's heading with its content. The parts of a
    bilingual report each carry their language and direction (``<div lang dir>``).
    ``images`` maps image sources of the body (``chart:name``) to SVG documents to show.
    """
    out: list[str] = []
    for tag, direction, text in _language_parts(body):
        html = _html_sections(text, images)
        out.append(html if tag is None
                   else f'<div lang="{tag}" dir="{direction}">\n{html}</div>\n')
    return "".join(out)


def _html_sections(body: str, images: Mapping[str, str] | None = None) -> str:
    parser = markdown_parser()
    tokens = _parse(body)
    if images:
        _embed_images(tokens, images)
    chunks: list[list[Token]] = [[]]
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h2":
            chunks.append([])
        chunks[-1].append(token)
    out: list[str] = []
    for index, chunk in enumerate(chunks):
        if not chunk:
            continue
        html = parser.renderer.render(chunk, parser.options, {})
        out.append(html if index == 0 else f"<section>\n{html}</section>\n")
    return "".join(out)


# --- Typst -------------------------------------------------------------------------------

# Everything Typst markup could read as syntax is escaped; these stay plain for legibility.
_PLAIN_PUNCTUATION = set(",;:!?%&")
_TYPST_ESCAPES = {
    ord(c): "\\" + c for c in string.punctuation if c not in _PLAIN_PUNCTUATION
}


def typst_text(text: str) -> str:
    """Plain text as Typst markup that shows exactly that text."""
    return " ".join(text.translate(_TYPST_ESCAPES).split("\n"))


def typst_string(text: str) -> str:
    """A Typst string literal."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\r", "").replace("\t", " "))
    return f'"{escaped}"'


# A blank cell in a printed form is a place to write: give it room.
_WRITE_HERE = "[#v(1.8em)]"
_SHORT_TABLE = 12


def _column_widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Text columns size to their content, sharing the page fairly when it is too narrow
    (Typst's ``auto``); blank columns (signature and date lines) take the rest (``1fr``).
    """
    widths = []
    for index in range(len(header)):
        texts = [row[index] for row in rows]
        blank = bool(rows) and all(t in ("", _WRITE_HERE) for t in texts)
        widths.append("1fr" if blank else "auto")
    return f"({', '.join(widths)},)"


class _TypstWriter:
    """Turns a markdown-it token stream into Typst markup."""

    def __init__(self, tokens: Sequence[Token], images: Mapping[str, str] | None = None) -> None:
        self.tokens = tokens
        self.pos = 0
        self.images = images or {}

    def blocks(self, until: str | None = None) -> str:
        """Block tokens up to the closing token ``until`` (consumed), as markup."""
        out: list[str] = []
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if until is not None and token.type == until:
                break
            out.append(self.block(token))
        return "".join(out)

    def block(self, token: Token) -> str:
        kind = token.type
        if kind == "heading_open":
            level = int(token.tag[1:])
            text = self.inline(self.tokens[self.pos])
            self.pos += 2  # inline, heading_close
            return f"\n{'=' * level} {text}\n\n"
        if kind == "paragraph_open":
            text = self.inline(self.tokens[self.pos])
            self.pos += 2
            if token.hidden:
                return text
            if self.pos < len(self.tokens) and self.tokens[self.pos].type == "table_open":
                # A sentence introducing a table stays on the table's page.
                return f"#block(sticky: true)[{text}]\n\n"
            return f"{text}\n\n"
        if kind in ("bullet_list_open", "ordered_list_open"):
            return self.list(token)
        if kind == "blockquote_open":
            inner = self.blocks("blockquote_close").strip()
            return f"#quote(block: true)[{inner}]\n\n"
        if kind == "table_open":
            return self.table()
        if kind == "hr":
            return "#pagebreak(weak: true)\n\n"
        if kind in ("code_block", "fence"):
            return f"#raw(block: true, {typst_string(token.content.rstrip())})\n\n"
        if kind == "inline":
            return self.inline(token)
        return ""  # html_block never occurs: raw HTML is disabled in the parser

    def list(self, token: Token) -> str:
        close = token.type.replace("_open", "_close")
        items: list[str] = []
        while self.pos < len(self.tokens):
            current = self.tokens[self.pos]
            self.pos += 1
            if current.type == close:
                break
            if current.type == "list_item_open":
                items.append(f"[{self.blocks('list_item_close').strip()}]")
        func = "enum" if token.type == "ordered_list_open" else "list"
        start = ""
        if func == "enum" and token.attrGet("start") not in (None, 1):
            start = f"start: {int(str(token.attrGet('start')))}, "
        return f"#{func}({start}{', '.join(items)})\n\n"

    def table(self) -> str:
        header: list[str] = []
        rows: list[list[str]] = []
        aligns: list[str] = []
        in_head = False
        while self.pos < len(self.tokens):
            token = self.tokens[self.pos]
            self.pos += 1
            if token.type == "table_close":
                break
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open" and not in_head:
                rows.append([])
            elif token.type in ("th_open", "td_open"):
                text = self.inline(self.tokens[self.pos]).strip()
                self.pos += 2
                if in_head:
                    style = str(token.attrGet("style") or "")
                    aligns.append(style.removeprefix("text-align:") or "start")
                    header.append(text)
                else:
                    rows[-1].append(_WRITE_HERE if token.attrGet("class") == "write" else text)
        columns = len(header)
        body = [(row + [""] * columns)[:columns] for row in rows]
        cells = [text if text == _WRITE_HERE else f"[{text}]" for row in body for text in row]
        # Logical sides, so that a right-to-left report's tables are mirrored.
        sides = {"left": "start", "right": "end", "center": "center"}
        align = ", ".join(sides.get(a, "start") for a in aligns)
        table = (
            f"table(columns: {_column_widths(header, body)}, align: ({align},),\n"
            f"  table.header({', '.join(f'[{h}]' for h in header)}),\n"
            f"  {', '.join(cells)})"
        )
        # A short table (a signature block, a few goals) is kept on one page; a long one
        # breaks between rows and repeats its header.
        breakable = "true" if len(body) > _SHORT_TABLE else "false"
        return f"#block(breakable: {breakable}, width: 100%, {table})\n\n"

    def inline(self, token: Token) -> str:
        out: list[str] = []
        for child in token.children or []:
            kind = child.type
            if kind == "text":
                out.append(typst_text(child.content))
            elif kind == "softbreak":
                out.append(" ")
            elif kind == "hardbreak":
                out.append(" \\\n")
            elif kind == "code_inline":
                out.append(f"#raw({typst_string(child.content)})")
            elif kind in ("strong_open", "em_open", "s_open", "link_open"):
                func = {"strong_open": "strong", "em_open": "emph", "s_open": "strike"}.get(kind)
                if func is None:
                    out.append(f"#link({typst_string(str(child.attrGet('href') or ''))})[")
                else:
                    out.append(f"#{func}[")
            elif kind in ("strong_close", "em_close", "s_close", "link_close"):
                out.append("]")
            elif kind == "image":
                src = child.attrGet("src")
                svg = self.images.get(src) if isinstance(src, str) else None
                if svg is None:
                    out.append(typst_text(child.content))
                else:
                    out.append(f'#image(bytes({typst_string(svg)}), format: "svg", '
                               f"width: 100%, alt: {typst_string(child.content)})")
        return "".join(out)


def typst_markup(body: str, images: Mapping[str, str] | None = None) -> str:
    """The Markdown body as Typst markup; each language part in its language and direction
    (``images`` as for ``html_sections``)."""
    out: list[str] = []
    for tag, direction, text in _language_parts(body):
        markup = _TypstWriter(_parse(text), images).blocks().strip() + "\n"
        if tag is not None:
            lang = tag.split("-")[0]
            markup = (f"#block(width: 100%)[\n#set text(lang: {typst_string(lang)}, "
                      f"dir: {direction})\n{markup}]\n")
        out.append(markup)
    return "\n".join(out)


def _typst_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, date):
        return f"datetime(year: {value.year}, month: {value.month}, day: {value.day})"
    return typst_string(str(value))


def typst_document(meta: PageMeta, preamble: str, body: str,
                   images: Mapping[str, str] | None = None) -> str:
    """A complete Typst document: the ``report`` dictionary, the page design, the body."""
    fields = {
        "title": meta.title, "subtitle": meta.subtitle, "organisation": meta.organisation,
        "date": meta.date, "date-text": meta.date_text, "lang": meta.lang,
        "region": meta.region, "audience": meta.audience, "footer": meta.footer,
        "page": meta.page_word, "of": meta.of_word, "dir": meta.direction,
    }
    entries = ",\n".join(f"  {key}: {_typst_value(value)}" for key, value in fields.items())
    markup = typst_markup(body, images)
    return f"#let report = (\n{entries},\n)\n{preamble.rstrip()}\n\n{markup}"


# One compiler per process: it keeps the fonts and Typst's caches between reports.
_COMPILERS: dict[tuple[str | None, tuple[str, ...]], Any] = {}


def compile_pdf(source: str, today: date, root: Path | None = None,
                font_dirs: Sequence[Path] = ()) -> bytes:
    """Compile Typst markup to PDF bytes, deterministic for the same source and date."""
    import typst  # imported here: 3 ms, and only PDF output needs it

    key = (str(root) if root else None, tuple(str(p) for p in font_dirs))
    compiler = _COMPILERS.get(key)
    if compiler is None:
        compiler = typst.Compiler(
            root=key[0], font_paths=list(key[1]), ignore_system_fonts=True
        )
        _COMPILERS[key] = compiler
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    try:
        pdf = compiler.compile(source.encode("utf-8"), format="pdf", timestamp=stamp)
    except typst.TypstError as exc:
        raise TypesetError(_typst_message(exc)) from None
    if not isinstance(pdf, bytes):  # a paged format could return pages; PDF is one file
        raise TypesetError("the PDF compiler returned no document")
    return pdf


def pdf_report(meta: PageMeta, preamble: str, body: str, root: Path | None,
               font_dirs: Sequence[Path] = (), images: Mapping[str, str] | None = None) -> bytes:
    """One report as PDF bytes: page design, metadata and Markdown body (with ``images``
    as for ``html_sections``)."""
    return compile_pdf(typst_document(meta, preamble, body, images), meta.date, root,
                       font_dirs)


# --- worker processes --------------------------------------------------------------------
#
# A PDF compile is CPU-bound and holds the GIL, so a batch compiles in worker processes.
# They are plain subprocesses running this module (``python -m pathway_cli.typesetting``)
# rather than a multiprocessing pool: fork is unsafe once Typst or BLAS threads exist in
# the parent, and spawn re-imports the whole command line program in every worker.
# Started this way a worker imports only this module (about 0.1 s) on every platform.
# Frames on the pipes: a 4-byte big-endian length, then JSON (request) or a status byte
# and the PDF or the error text (reply).

_HEADER = struct.Struct(">I")


def _write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return payload


def _request(meta: PageMeta, preamble: str, body: str, root: Path | None,
             font_dirs: Sequence[Path]) -> bytes:
    fields = {**asdict(meta), "date": meta.date.isoformat()}
    return json.dumps({
        "meta": fields, "preamble": preamble, "body": body,
        "root": str(root) if root else None, "font_dirs": [str(p) for p in font_dirs],
    }).encode("utf-8")


def _answer(request: bytes) -> bytes:
    job = json.loads(request)
    meta = PageMeta(**{**job["meta"], "date": date.fromisoformat(job["meta"]["date"])})
    try:
        pdf = pdf_report(meta, job["preamble"], job["body"],
                         Path(job["root"]) if job["root"] else None,
                         [Path(p) for p in job["font_dirs"]])
    except TypesetError as exc:
        return b"E" + str(exc).encode("utf-8")
    return b"O" + pdf


def serve(source: IO[bytes], sink: IO[bytes]) -> None:
    """Worker loop: compile each request read from ``source`` until it closes."""
    while (request := _read_frame(source)) is not None:
        try:
            reply = _answer(request)
        except Exception as exc:  # reported to the parent, which stops the batch
            reply = b"X" + f"{type(exc).__name__}: {exc}".encode()
        _write_frame(sink, reply)


class PdfWorkers:
    """A few worker processes compiling reports to PDF in parallel.

    ``submit`` returns a future of the PDF bytes. Each pool thread owns one worker process
    and only waits on its pipe, so the threads cost no CPU; the processes do the work.
    """

    def __init__(self, count: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=count, thread_name_prefix="pdf")
        self._local = threading.local()
        self._processes: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()

    def submit(self, meta: PageMeta, preamble: str, body: str, root: Path | None,
               font_dirs: Sequence[Path] = ()) -> Future[bytes]:
        """Queue one report; the future holds its PDF or raises TypesetError."""
        request = _request(meta, preamble, body, root, font_dirs)
        return self._executor.submit(self._compile, request)

    def _process(self) -> subprocess.Popen[bytes]:
        process: subprocess.Popen[bytes] | None = getattr(self._local, "process", None)
        if process is None:
            process = subprocess.Popen(
                [sys.executable, "-m", "pathway_cli.typesetting"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            )
            self._local.process = process
            with self._lock:
                self._processes.append(process)
        return process

    def _compile(self, request: bytes) -> bytes:
        process = self._process()
        assert process.stdin is not None and process.stdout is not None  # noqa: S101 - PIPE
        try:
            _write_frame(process.stdin, request)
        except OSError:
            reply = None
        else:
            reply = _read_frame(process.stdout)
        if reply is None:
            raise TypesetError("a PDF worker process stopped unexpectedly")
        status, payload = reply[:1], reply[1:]
        if status == b"O":
            return payload
        if status == b"E":
            raise TypesetError(payload.decode("utf-8"))
        raise RuntimeError(f"PDF worker failed: {payload.decode('utf-8', 'replace')}")

    def close(self) -> None:
        """Stop the workers (after the reports in progress), and wait for them."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            processes, self._processes = self._processes, []
        for process in processes:
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()

    def __enter__(self) -> PdfWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _typst_message(exc: Any) -> str:
    message = str(getattr(exc, "message", "") or exc).strip()
    hints = [str(h) for h in getattr(exc, "hints", []) or []]
    return message + "".join(f" (hint: {h})" for h in hints)


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group; the parent stops the batch and closes our
    # stdin, which ends this loop after the report in hand. No traceback from workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(sys.stdin.buffer, sys.stdout.buffer)

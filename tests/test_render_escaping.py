"""Learner text is always shown as text: never Markdown, HTML, table or Typst syntax."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from tests.conftest import TODAY, app

HOSTILE = Path(__file__).parent / "fixtures" / "render" / "hostile"
CASE = "cases/L-9999-001"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A private copy of the caseload whose learner text is full of markup."""
    target = tmp_path / "hostile"
    shutil.copytree(HOSTILE, target)
    return target


def _render(runner: CliRunner, root: Path, *args: str) -> bytes:
    result = runner.invoke(app, ["render", str(root / CASE), "--today", TODAY, *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def _body(markdown: str) -> str:
    """The Markdown after the YAML metadata block."""
    return markdown.split("---\n", 2)[2]


def _table_widths(markdown: str) -> list[list[int]]:
    """Cells per row of every table, as a CommonMark + GFM-tables reader sees them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    widths: list[list[int]] = []
    row = 0
    for token in tokens:
        if token.type == "table_open":
            widths.append([])
        elif token.type == "tr_open":
            row = 0
        elif token.type in ("th_open", "td_open"):
            row += 1
        elif token.type == "tr_close":
            widths[-1].append(row)
    return widths


def test_markdown_tables_keep_their_columns_when_learner_text_has_pipes(
    runner: CliRunner, hostile: Path
) -> None:
    """A '|' in a goal, a note or an action is escaped, so no table gains a column."""
    markdown = _render(runner, hostile, "--template", "review").decode()
    tables = _table_widths(markdown)
    assert tables, "the review report has tables"
    for rows in tables:
        assert len(set(rows)) == 1, rows
    assert "cell \\| with \\| pipes" in markdown


def test_markdown_shows_markup_in_learner_text_literally(
    runner: CliRunner, hostile: Path
) -> None:
    """Headings, lists, links, emphasis and HTML in learner text stay plain text."""
    markdown = _body(_render(runner, hostile, "--template", "review").decode())
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    assert "<script>" not in html
    assert "<b>" not in html
    assert "<a " not in html
    assert "<strong>not bold</strong>" not in html
    assert "<h1>" not in html
    assert "&lt;script&gt;alert(&quot;summary&quot;)&lt;/script&gt;" in html
    assert "- not a list item" in html
    assert "1. not a numbered list" in html


def test_html_report_escapes_learner_text(runner: CliRunner, hostile: Path) -> None:
    """The HTML page holds no tag, link or script from learner text, only its escaped text."""
    page = _render(runner, hostile, "--template", "review", "--to", "html").decode()
    body = page.split("<body>", 1)[1]
    for tag in ("<script", "<b>", "<img", "<form", "<i>"):
        assert tag not in body, tag
    assert 'href="javascript' not in body
    assert "&lt;script&gt;alert(&quot;summary&quot;)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    title = re.search(r"<title>(.*)</title>", page)
    assert title is not None
    assert "&lt;b&gt;Bold&lt;/b&gt; | *Star*" in title.group(1)


def test_html_table_rows_keep_their_cells(runner: CliRunner, hostile: Path) -> None:
    """In HTML, a '|' in a table cell stays inside its cell."""
    page = _render(runner, hostile, "--template", "review", "--to", "html").decode()
    goals = page.split("<h2>Goals</h2>", 1)[1].split("</table>", 1)[0]
    first_row = goals.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert first_row.count("<td") == 4
    assert "cell | with | pipes" in first_row


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def test_pdf_shows_learner_text_literally(runner: CliRunner, hostile: Path) -> None:
    """Typst syntax in learner text (#, //, $, <label>, \\) is printed, not run."""
    text = _pdf_text(_render(runner, hostile, "--template", "review", "--to", "pdf"))
    assert "<script>alert(\"summary\")</script>" in text
    assert "Options: retail | logistics" in text
    assert '#read("/etc/passwd") // not a comment' in text
    assert "Learn <script>alert('x')</script> | pipes | and #pagebreak() and $math$" in text
    assert "@learner said: _underlined_ \\ end" in text
    assert "Ana <b>Bold</b> | *Star* Öztürk-Łęcka" in text


def test_plan_pdf_prints_target_and_baseline_verbatim(runner: CliRunner, hostile: Path) -> None:
    """A target starting with '>=' and a baseline starting with '#' print as written."""
    text = _pdf_text(_render(runner, hostile, "--template", "plan", "--to", "pdf"))
    assert ">= 60% | better" in text
    assert "# not a heading" in text
    assert "quiz \\ backslash `code` ~~strike~~" in text


def test_markdown_metadata_block_is_valid_yaml_with_escaped_values(
    runner: CliRunner, hostile: Path
) -> None:
    """The metadata block is YAML whose values are escaped Markdown, as pandoc reads them."""
    import yaml

    markdown = _render(runner, hostile, "--template", "plan").decode()
    assert markdown.startswith("---\n")
    block = markdown.split("---\n", 2)[1]
    meta = yaml.safe_load(block)
    assert meta["title"] == "Individual learning and career plan"
    assert meta["organisation"] == "Schule \\<Nord> & Co \\| Test"
    assert meta["subtitle"].startswith("Ana \\<b>Bold\\</b> \\| \\*Star\\*")
    assert meta["date"] == TODAY
    assert meta["lang"] == "en"

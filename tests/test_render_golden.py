"""Golden files: every template in every format on representative sample learners.

Markdown and HTML are compared byte for byte; a PDF is compared by its text (extracted
with pypdf, whitespace normalised), page by page. After a deliberate change to a template
or to the page design, regenerate the golden files and review the diff:

    PATHWAY_UPDATE_GOLDEN=1 pytest tests/test_render_golden.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE, TODAY, app

GOLDEN = Path(__file__).parent / "golden" / "render"
UPDATE = os.environ.get("PATHWAY_UPDATE_GOLDEN") == "1"

# (case, template, audience): one or two learners a template, chosen for what they show.
REPORTS = [
    ("L-2026-002", "plan", "team"),          # goals at risk, signature lines with a guardian
    ("L-2026-004", "plan", "employer"),      # health goals and needs withheld; Turkish letters
    ("L-2026-005", "contract", "guardian"),  # not yet in force: blank signature lines
    ("L-2026-005", "review", "learner"),     # a '|' in the summary
    ("L-2026-008", "review", "team"),        # '<->' in the summary
    ("L-2026-003", "case", "team"),          # Cyrillic name, amber attendance
    ("L-2026-004", "case", "employer"),      # paused, redacted for the employer
    ("L-2026-006", "progress", "learner"),   # achievements and a badge first
    ("L-2026-002", "progress", "learner"),   # a learner at risk: no risk labels
    (None, "caseload", "team"),              # the team lead's overview
]
FORMATS = ("md", "html", "pdf")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(data)).pages
    return "".join(
        f"--- page {number} of {len(pages)} ---\n"
        + "\n".join(" ".join(line.split()) for line in page.extract_text().splitlines()
                    if line.strip())
        + "\n"
        for number, page in enumerate(pages, 1)
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("case_id", "template", "audience"), REPORTS)
def test_report_matches_its_golden_file(
    runner: CliRunner, case_id: str | None, template: str, audience: str, fmt: str
) -> None:
    """The rendered report is what the golden file says (regenerate: see module doc)."""
    target = SAMPLE / "cases" / case_id if case_id else SAMPLE
    result = runner.invoke(app, ["render", str(target), "--template", template,
                                 "--audience", audience, "--to", fmt, "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    data = result.stdout_bytes
    if fmt == "pdf":
        assert data.startswith(b"%PDF-")
        actual = _pdf_text(data)
        name = f"{case_id or 'caseload'}-{template}-{audience}.pdf.txt"
    else:
        actual = data.decode("utf-8")
        name = f"{case_id or 'caseload'}-{template}-{audience}.{fmt}"
    golden = GOLDEN / name
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with PATHWAY_UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8")


def test_every_builtin_template_has_golden_files() -> None:
    """Each built-in template is covered by the golden set, in every format."""
    from pathway_cli.rendering.options import BUILTIN_TEMPLATES

    covered = {template for _, template, _ in REPORTS}
    assert covered == set(BUILTIN_TEMPLATES)

"""``pathway render``: one case to stdout or a folder, batches, exit codes, files on disk."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY, app

ACTIVE_WITH_PLAN = ["L-2026-001", "L-2026-002", "L-2026-003", "L-2026-005", "L-2026-008"]


def _invoke(runner: CliRunner, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["render", *args, "--today", TODAY], env=env)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- one case --------------------------------------------------------------------------------


def test_one_case_renders_markdown_to_stdout(runner: CliRunner, sample: Path) -> None:
    """A case folder and no -o: the Markdown report on stdout, nothing on stderr."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "--template", "plan")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith('---\ntitle: "Individual learning and career plan"\n')
    assert "## Goals at a glance" in result.stdout
    assert result.stderr == ""


def test_one_file_of_a_case_renders_that_case(runner: CliRunner, sample: Path) -> None:
    """Naming a record file renders the case it belongs to."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002" / "plan.yaml"), "-t", "plan")
    assert result.exit_code == 0, result.stderr
    assert "Łukasz Zieliński" in result.stdout


def test_one_case_with_output_folder_writes_the_named_file(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """With -o, the report is DIR/<id>-<template>-<audience>.<ext> and stdout stays empty."""
    out = tmp_path / "out"
    result = _invoke(runner, str(sample / "cases" / "L-2026-003"), "-t", "case", "--to", "html",
                     "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert [p.name for p in out.iterdir()] == ["L-2026-003-case-team.html"]
    page = (out / "L-2026-003-case-team.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "@page { size: A4" in page
    assert "wrote" in result.stderr


def test_pdf_goes_to_stdout_when_it_is_redirected(runner: CliRunner, sample: Path) -> None:
    """--to pdf without -o writes the PDF bytes to a redirected stdout."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "-t", "contract", "--to", "pdf")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF-")
    assert "Learning contract" in _pdf_text(result.stdout_bytes)


def test_review_template_takes_the_latest_review_by_default(
    runner: CliRunner, sample: Path
) -> None:
    """Without --date, the review report is about the most recent review."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "-t", "review")
    assert result.exit_code == 0, result.stderr
    assert 'title: "Review of 26 October 2026"' in result.stdout


def test_review_date_picks_one_review(runner: CliRunner, sample: Path) -> None:
    """--date picks the review held on that day."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "-t", "review",
                     "--date", "2026-10-12")
    assert result.exit_code == 0, result.stderr
    assert 'title: "Review of 12 October 2026"' in result.stdout
    assert "Mondays are the worst" in result.stdout


def test_review_date_without_a_review_is_refused(runner: CliRunner, sample: Path) -> None:
    """--date on a day without a review: exit 1, and the dates there are."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "-t", "review",
                     "--date", "2026-10-13")
    assert result.exit_code == 1
    assert "no review on 2026-10-13" in result.stderr
    assert "2026-09-28, 2026-10-12, 2026-10-26" in result.stderr


def test_bad_review_date_is_a_usage_error(runner: CliRunner, sample: Path) -> None:
    """--date that is not YYYY-MM-DD is a usage error (exit 2)."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "-t", "review",
                     "--date", "12.10.2026")
    assert result.exit_code == 2


def test_review_date_with_a_report_of_no_single_review_is_a_usage_error(
        runner: CliRunner, sample: Path) -> None:
    """--date with the plan report (which shows no single review) is refused, not ignored."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "-t", "plan",
                     "--date", "2026-10-12")
    assert result.exit_code == 2
    assert "the plan report shows no single review" in result.stderr
    assert result.stdout == ""


def test_review_date_reaches_a_caseload_template_of_a_built_in_name(
        runner: CliRunner, sample: Path) -> None:
    """A caseload's own plan template may show the review --date picks: it is not refused."""
    own = sample / "templates"
    own.mkdir(exist_ok=True)
    (own / "plan.md.j2").write_text("Review: {{ review.date }}\n", encoding="utf-8")
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "-t", "plan",
                     "--date", "2026-10-12")
    assert result.exit_code == 0, result.stderr
    assert "2026-10-12" in result.stdout


def test_report_needing_a_missing_record_is_refused(runner: CliRunner, sample: Path) -> None:
    """A plan report for a case without plan.yaml says so and exits 1."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-009"), "-t", "plan")
    assert result.exit_code == 1
    assert "no plan yet" in result.stderr


def test_invalid_case_is_refused_with_a_pointer_to_validate(
    runner: CliRunner, sample: Path
) -> None:
    """Reports are made from valid records only: exit 1 and the validate command to run."""
    plan = sample / "cases" / "L-2026-002" / "plan.yaml"
    plan.write_text(plan.read_text("utf-8").replace("status: at-risk", "status: maybe", 1),
                    "utf-8")
    result = _invoke(runner, str(plan.parent), "-t", "plan")
    assert result.exit_code == 1
    assert "error" in result.stderr and "pathway validate" in result.stderr
    assert "Traceback" not in result.stderr


def test_progress_report_has_no_risk_labels_or_jargon(runner: CliRunner, sample: Path) -> None:
    """The learner's progress report for a learner at risk uses plain words only."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-002"), "-t", "progress",
                     "--audience", "learner")
    assert result.exit_code == 0, result.stderr
    text = result.stdout.split("---\n", 2)[2].lower()
    for word in ("risk", "amber", "red", "alert", "at-risk", "vet-work-based", "attendance",
                 "engagement", "overdue", "g1", "baseline", "status"):
        assert not re.search(rf"\b{re.escape(word)}\b", text), word
    assert "how your goals are going" in text
    assert text.index("what you have achieved") < text.index("how your goals are going")


def test_progress_report_puts_badges_first(runner: CliRunner, sample: Path) -> None:
    """Achievements and badges come before goals and next steps."""
    result = _invoke(runner, str(sample / "cases" / "L-2026-006"), "-t", "progress",
                     "--audience", "learner")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.index("## What you have achieved") < text.index("## Your badges") \
        < text.index("## What happens next")
    assert "Forklift operator (DGUV 308-001)" in text


def test_caseload_report_is_for_the_team_only(runner: CliRunner, sample: Path) -> None:
    """The caseload overview lists every learner, so only the team gets it."""
    result = _invoke(runner, str(sample), "-t", "caseload", "--audience", "guardian")
    assert result.exit_code == 1
    assert "team only" in result.stderr


def test_caseload_report_lists_learners_and_alerts(runner: CliRunner, sample: Path) -> None:
    """The overview has one row a learner, red first, and each alert with its record."""
    result = _invoke(runner, str(sample), "-t", "caseload")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.count("| L-2026-0") >= 6
    assert text.index("(L-2026-002)") < text.index("(L-2026-008)")
    assert "cases/L-2026-002/reviews/2026-10-26.yaml:4" in text
    assert "attendance-low" in text


def test_caseload_report_status_filter(runner: CliRunner, sample: Path) -> None:
    """--status narrows the overview to cases with that status."""
    result = _invoke(runner, str(sample), "-t", "caseload", "--status", "paused")
    assert result.exit_code == 0, result.stderr
    assert "(L-2026-004)" in result.stdout
    assert "(L-2026-002)" not in result.stdout


# --- batches ---------------------------------------------------------------------------------


def test_batch_needs_an_output_folder(runner: CliRunner, sample: Path) -> None:
    """Several cases without -o is a usage error (exit 2)."""
    result = _invoke(runner, str(sample), "-t", "plan")
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_batch_renders_every_active_case_and_an_index(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A caseload renders its active cases as <id>-<template>-<audience>.<ext> plus an index."""
    out = tmp_path / "out"
    result = _invoke(runner, str(sample), "-t", "plan", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{c}-plan-team.md" for c in ACTIVE_WITH_PLAN]
                           + ["index-plan-team.md"])
    index = (out / "index-plan-team.md").read_text("utf-8")
    assert "[L-2026-002-plan-team.md](L-2026-002-plan-team.md)" in index
    assert "## Not rendered" in index
    assert "| L-2026-009 | Rania Mansour | there is no plan yet (plan.yaml) |" in index
    # Piped: one plain line a case, then the summary, no progress bar.
    assert "\x1b[" not in result.stderr
    assert result.stderr.count("wrote ") == len(ACTIVE_WITH_PLAN)
    assert "L-2026-009 (nothing to report): there is no plan yet" in result.stderr
    assert "5 reports written" in result.stderr
    assert result.stdout == ""


def test_batch_of_several_case_folders(runner: CliRunner, sample: Path, tmp_path: Path) -> None:
    """Two case folders named on the command line are a batch of two."""
    out = tmp_path / "out"
    cases = sample / "cases"
    result = _invoke(runner, str(cases / "L-2026-003"), str(cases / "L-2026-005"),
                     "-t", "contract", "--audience", "guardian", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "L-2026-003-contract-guardian.md", "L-2026-005-contract-guardian.md",
        "index-contract-guardian.md",
    ]


def test_batch_status_filter(runner: CliRunner, sample: Path, tmp_path: Path) -> None:
    """--status picks other cases; 'all' takes every case."""
    out = tmp_path / "out"
    result = _invoke(runner, str(sample), "-t", "case", "--status", "paused",
                     "--status", "completed", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.glob("L-*")) == [
        "L-2026-004-case-team.md", "L-2026-006-case-team.md"]
    result = _invoke(runner, str(sample), "-t", "case", "--status", "all", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert len(list(out.glob("L-*"))) == 9


def test_batch_skips_consent_refusals_and_goes_on(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """Cases without consent for the audience are skipped and listed; the rest are written."""
    out = tmp_path / "out"
    result = _invoke(runner, str(sample), "-t", "plan", "--audience", "employer", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in out.glob("L-*"))
    assert written == ["L-2026-002-plan-employer.md", "L-2026-008-plan-employer.md"]
    assert "L-2026-001 (no consent)" in result.stderr
    assert "L-2026-003 (no consent)" in result.stderr


def test_batch_strict_fails_when_a_case_was_skipped(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """--strict: the reports are still written, but a skipped case makes the exit code 1."""
    out = tmp_path / "out"
    result = _invoke(runner, str(sample), "-t", "plan", "--strict", "-o", str(out))
    assert result.exit_code == 1
    assert len(list(out.glob("L-*"))) == len(ACTIVE_WITH_PLAN)


def test_batch_that_writes_nothing_fails(runner: CliRunner, sample: Path, tmp_path: Path) -> None:
    """When every case is skipped the batch exits 1."""
    out = tmp_path / "out"
    result = _invoke(runner, str(sample), "-t", "progress", "--audience", "guardian",
                     "--status", "completed", "-o", str(out))
    assert result.exit_code == 1
    assert "0 reports written" in result.stderr


def test_batch_skips_invalid_cases(runner: CliRunner, sample: Path, tmp_path: Path) -> None:
    """A case with invalid records is skipped with its first error; the others render."""
    plan = sample / "cases" / "L-2026-001" / "plan.yaml"
    plan.write_text(plan.read_text("utf-8").replace("agreed:", "agreeed:", 1), "utf-8")
    out = tmp_path / "out"
    result = _invoke(runner, str(sample), "-t", "case", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "L-2026-001 (records have errors)" in result.stderr
    assert "(first: plan.yaml:" in result.stderr
    assert not (out / "L-2026-001-case-team.md").exists()
    assert (out / "L-2026-002-case-team.md").exists()


def test_batch_shows_a_progress_bar_on_a_terminal(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """On a terminal the batch draws a progress bar instead of one line a case."""
    out = tmp_path / "out"
    result = _invoke(runner, str(sample), "-t", "plan", "-o", str(out),
                     env={"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "100"})
    assert result.exit_code == 0, result.stderr
    assert "\x1b[" in result.stderr
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)
    assert "render plan for the team" in shown
    assert "━" in shown
    assert shown.count("wrote ") == 0
    assert "5 reports written" in shown


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_batch_output_is_byte_for_byte_reproducible(
    runner: CliRunner, sample: Path, tmp_path: Path, fmt: str
) -> None:
    """Same records and --today: the same bytes, whatever the number of worker processes."""
    first, second = tmp_path / "first", tmp_path / "second"
    result = _invoke(runner, str(sample), "-t", "case", "--to", fmt, "-o", str(first), "-j", "2")
    assert result.exit_code == 0, result.stderr
    result = _invoke(runner, str(sample), "-t", "case", "--to", fmt, "-o", str(second), "-j", "1")
    assert result.exit_code == 0, result.stderr
    assert _tree(first) == _tree(second)
    assert len(_tree(first)) == 7


def test_batch_writes_nothing_outside_the_output_folder(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """The caseload is left untouched and every file lands in -o DIR."""
    before = _tree(sample)
    out = tmp_path / "reports" / "term-1"
    result = _invoke(runner, str(sample), "-t", "plan", "--to", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert _tree(sample) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caseload", "reports"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_interrupted_write_leaves_the_previous_report_whole(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while a report is written keeps the old file intact and leaves no temp file."""
    from pathway_cli import writer

    out = tmp_path / "out"
    assert _invoke(runner, str(sample), "-t", "plan", "-o", str(out)).exit_code == 0
    before = _tree(out)
    plan = sample / "cases" / "L-2026-002" / "plan.yaml"
    plan.write_text(plan.read_text("utf-8").replace("progress: 30", "progress: 35", 1), "utf-8")
    real_replace = writer._replace

    def crash_on_second_case(source: Path, target: Path) -> None:
        if target.name.startswith("L-2026-002"):
            raise OSError("disk pulled out")
        real_replace(source, target)

    monkeypatch.setattr(writer, "_replace", crash_on_second_case)
    result = _invoke(runner, str(sample), "-t", "plan", "-o", str(out))
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "L-2026-002-plan-team.md" in result.stderr
    assert _tree(out) == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_output_folder_that_is_a_file_is_a_clear_error(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """-o naming an existing file: a message and exit 1."""
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder", "utf-8")
    result = _invoke(runner, str(sample), "-t", "plan", "-o", str(blocker))
    assert result.exit_code == 1
    assert "cannot make the output folder" in result.stderr


# --- glyphs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("case_id", "names"), [
    ("L-2026-001", ["José Núñez García"]),
    ("L-2026-002", ["Łukasz Zieliński", "Agnieszka Zielińska"]),
    ("L-2026-003", ["Олександр Коваленко", "Çağrı Öztürk"]),
    ("L-2026-004", ["Elif Yılmaz", "Dr. Selin Aydın"]),
    ("L-2026-007", ["Zofia Wiśniewska", "Anna Wiśniewska"]),
])
def test_pdf_prints_names_in_their_own_letters(
    runner: CliRunner, sample: Path, case_id: str, names: list[str]
) -> None:
    """Polish, Turkish, Ukrainian and Spanish names come out of the PDF as written."""
    result = _invoke(runner, str(sample / "cases" / case_id), "-t", "case", "--to", "pdf")
    assert result.exit_code == 0, result.stderr
    text = _pdf_text(result.stdout_bytes)
    for name in names:
        assert name in text


def test_pdf_embeds_its_fonts(runner: CliRunner, sample: Path) -> None:
    """Every font in the PDF is embedded, so it prints the same anywhere."""
    from pypdf import PdfReader

    result = _invoke(runner, str(sample / "cases" / "L-2026-003"), "-t", "case", "--to", "pdf")
    reader = PdfReader(io.BytesIO(result.stdout_bytes))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            fonts.append(font["/BaseFont"])
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert any("Libertinus" in str(f) for f in fonts)


def test_help_describes_the_command_with_examples(runner: CliRunner) -> None:
    """render --help has a description and examples."""
    result = runner.invoke(app, ["render", "--help"])
    assert result.exit_code == 0
    assert "Examples" in result.stdout
    assert "--audience" in result.stdout


def test_index_page_title_reads_as_one_title(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """The HTML index's title has no double colon: 'Reports: plan for the team – School'."""
    out = tmp_path / "out"
    result = _invoke(runner, str(sample), "--template", "plan", "--audience", "team", "--to",
                    "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    page = (out / "index-plan-team.html").read_text(encoding="utf-8")
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.count(":") == 1, title
    assert title.endswith(" – Berufskolleg Rheinstadt")

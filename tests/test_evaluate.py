"""pathway evaluate: programme figures with numerators and denominators, worked out by hand.

The expected numbers below are counted from the YAML files of sample_cases (dates in the
comments), not copied from the command's output.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pathway_cli.evaluation import cohort_of, quantile
from tests.conftest import REPO, SAMPLE, TODAY, app

KEY_WORKERS = ("skrause", "mbauer", "lfischer", "kschmitt")


def evaluate(runner: CliRunner, *args: str) -> dict[str, Any]:
    """Run ``pathway evaluate --format json`` on sample_cases and return the document."""
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--format", "json",
                                 *args])
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def figure(document: dict[str, Any], figure_id: str, group: str = "all") -> dict[str, Any]:
    """The figure with this id and group."""
    found = [f for f in document["figures"] if f["id"] == figure_id and f["group"] == group]
    assert len(found) == 1, (figure_id, group)
    return found[0]


def share(document: dict[str, Any], figure_id: str, group: str = "all") -> tuple[int, int]:
    """(numerator, denominator) of a figure."""
    f = figure(document, figure_id, group)
    return f["numerator"], f["denominator"]


def quartiles(document: dict[str, Any], figure_id: str) -> tuple[float, float, float]:
    """(q1, median, q3) of a distribution figure."""
    f = figure(document, figure_id)
    return f["q1"], f["median"], f["q3"]


# --- golden figures on sample_cases ------------------------------------------------------


def test_period_defaults_to_the_first_opening_up_to_today(runner: CliRunner) -> None:
    """Without --from/--to the period runs from the first case's opening to today."""
    doc = evaluate(runner)
    # L-2026-006 was opened on 2026-01-12, the earliest; all nine cases are open in it.
    assert (doc["from"], doc["to"], doc["cases"]) == ("2026-01-12", TODAY, 9)


def test_outcomes_and_retention_of_the_sample(runner: CliRunner) -> None:
    """One case closed (L-2026-006, employed); retention counts only cases old enough."""
    doc = evaluate(runner)
    assert share(doc, "closed") == (1, 9)
    assert share(doc, "outcome.employed") == (1, 1)
    assert share(doc, "outcome.completed") == (0, 1)
    assert share(doc, "closed.completed") == (1, 1)  # status completed, outcome employed
    assert share(doc, "closed.left") == (0, 1)
    # Opened on or before 2026-08-25 (90 days before today): L-2026-001 (08-24) and -006.
    assert share(doc, "retention.90d") == (2, 2)
    # Opened on or before 2026-05-27: L-2026-006 only. Nobody was opened a year ago.
    assert share(doc, "retention.180d") == (1, 1)
    assert share(doc, "retention.365d") == (0, 0)
    assert figure(doc, "retention.365d")["share"] is None


def test_time_to_assessment_plan_and_contract(runner: CliRunner) -> None:
    """Days from opening, with quartiles interpolated between ranks."""
    doc = evaluate(runner)
    # Assessment: 4 (001), 7 (002), 7 (003), 7 (004), 5 (005), 7 (006), 7 (008), 14 (009);
    # L-2026-007 has none. Sorted 4 5 7 7 7 7 7 14: q1 at rank 1.75 = 5 + 0.75 * 2.
    assert share(doc, "time.assessment") == (8, 9)
    assert quartiles(doc, "time.assessment") == (6.5, 7.0, 7.0)
    # Plan: 15 11 14 14 14 14 14 (001 005 and the rest); 007 and 009 have no plan.
    assert share(doc, "time.plan") == (7, 9)
    assert quartiles(doc, "time.plan") == (14.0, 14.0, 14.0)
    # Contract in force (later of learner and provider signature): 15 (001), 15 (002:
    # both signed on 09-22), 14 (003, 004, 006, 008); 005 lacks the learner's signature.
    assert share(doc, "time.contract") == (6, 9)
    assert quartiles(doc, "time.contract") == (14.0, 14.0, 14.75)


def test_plan_within_no_plan_days(runner: CliRunner) -> None:
    """Cases opened 28 days before the end count; L-2026-009 has no plan after 83 days."""
    doc = evaluate(runner)
    # L-2026-007 was opened on 2026-11-10, too recently to count.
    assert share(doc, "plan.on-time") == (7, 8)


def test_reviews_held_on_time(runner: CliRunner) -> None:
    """Every due date whose grace has passed counts; L-2026-002's review due 11-02 is missed."""
    doc = evaluate(runner)
    # Due dates decided by today (due + 7 <= 11-23), first due = plan + 28 days:
    # 001: 10-06, 10-13, 11-03 (3 held); 002: 10-19, 10-12, 10-26 held, 11-02 missed;
    # 003: 10-15, 10-22, 11-10; 004: 10-26, 10-19, 11-02; 005: 10-29, 11-05;
    # 006: 02-23, 03-09, 04-20, 05-18, 06-29 (its 07-10 is the closing day: not due);
    # 008: 10-19, 10-19, 11-16.
    assert share(doc, "reviews.on-time") == (22, 23)


def test_goals_by_area(runner: CliRunner) -> None:
    """Goals achieved, dropped and overdue by area, over the plans agreed."""
    doc = evaluate(runner)
    assert share(doc, "goals.learning.achieved") == (3, 9)  # 006 G1 G2, 008 G2
    assert share(doc, "goals.career.achieved") == (1, 4)  # 006 G3
    assert share(doc, "goals.basic-skills.overdue") == (1, 2)  # 001 G2 was due 11-15
    assert share(doc, "goals.all.achieved") == (4, 23)
    assert share(doc, "goals.all.dropped") == (0, 23)
    assert share(doc, "goals.all.overdue") == (1, 23)


def test_attendance_and_wellbeing_change(runner: CliRunner) -> None:
    """First to latest review: attendance in percentage points, well-being on the scale."""
    doc = evaluate(runner)
    # Attendance: +10 (001), -30 (002), -5 (003), -16 (004), -2 (005), +5 (006), +1 (008).
    assert share(doc, "attendance.change") == (7, 9)
    q1, median, q3 = quartiles(doc, "attendance.change")
    assert (q1, median, q3) == pytest.approx((-10.5, -2.0, 3.0))
    assert share(doc, "attendance.improved") == (3, 7)
    assert share(doc, "attendance.held") == (0, 7)
    assert share(doc, "attendance.fell") == (4, 7)
    # Well-being: 0 (001: 3 on 09-22, 3 at the check-in on 11-17), -2 (002), +1 (003),
    # 0 (004), +1 (005), +1 (006), +1 (008). Sorted -2 0 0 1 1 1 1.
    assert quartiles(doc, "wellbeing.change") == (0.0, 1.0, 1.0)
    assert share(doc, "wellbeing.improved") == (4, 7)
    assert share(doc, "wellbeing.held") == (2, 7)
    assert share(doc, "wellbeing.fell") == (1, 7)


def test_mentoring(runner: CliRunner) -> None:
    """Seven learners have a mentor or peer mentor; mentoring runs from the first session."""
    doc = evaluate(runner)
    assert share(doc, "mentoring.coverage") == (7, 9)
    # First mentoring session to today (or closing): 41 (001), 56 (002), 32 (003),
    # 18 (005), 151 (006, closed 07-10), 56 (008); 004 has had no mentoring session.
    assert share(doc, "mentoring.length") == (6, 7)
    assert quartiles(doc, "mentoring.length") == (34.25, 48.5, 56.0)


def test_workload_by_key_worker(runner: CliRunner) -> None:
    """Open cases and reviews due in the next 14 days, by key worker, as of today."""
    doc = evaluate(runner)
    assert share(doc, "workload.open", "mbauer") == (1, 2)  # 006 is closed
    assert share(doc, "workload.open", "lfischer") == (3, 3)
    assert share(doc, "workload.open") == (8, 9)
    # Next reviews 11-23..12-06: 003 on 12-08 no, 005 on 12-03 yes; 001 on 12-01 yes.
    assert share(doc, "workload.reviews-due", "lfischer") == (1, 3)
    assert share(doc, "workload.reviews-due", "skrause") == (1, 2)


# --- periods and edge cases --------------------------------------------------------------


def test_cases_opened_after_the_period_are_left_out(runner: CliRunner) -> None:
    """With --to 2026-06-30 only L-2026-006 was open; its closing on 07-10 had not happened."""
    doc = evaluate(runner, "--to", "2026-06-30")
    assert doc["cases"] == 1
    assert share(doc, "closed") == (0, 1)
    assert share(doc, "outcome.employed") == (0, 0)
    # Its reviews after 06-30 do not count: due 02-23..05-18 all held, 06-29 + 7 > 06-30.
    assert share(doc, "reviews.on-time") == (4, 4)


def test_no_closed_cases(runner: CliRunner) -> None:
    """From 2026-08-01 no case closed: outcomes have no denominator and no share."""
    doc = evaluate(runner, "--from", "2026-08-01")
    assert doc["cases"] == 8
    assert share(doc, "closed") == (0, 8)
    assert figure(doc, "outcome.completed")["share"] is None
    result = CliRunner().invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--from",
                                      "2026-08-01"])
    assert result.exit_code == 0, result.stderr
    assert "0 of 0" in result.stdout


def test_a_period_without_cases(runner: CliRunner) -> None:
    """A year before any case: every figure is 0 of 0, with no median, and nothing breaks."""
    doc = evaluate(runner, "--from", "2025-01-01", "--to", "2025-12-31")
    assert doc["cases"] == 0
    period = [f for f in doc["figures"] if f["section"] != "workload"]
    assert all(f["denominator"] == 0 and f["share"] is None for f in period)
    assert all(f["median"] is None for f in period)
    table = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--from",
                                "2025-01-01", "--to", "2025-12-31"])
    assert table.exit_code == 0
    assert "0 cases open between 2025-01-01 and 2025-12-31" in table.stdout


def test_a_period_ending_before_it_starts_is_refused(runner: CliRunner) -> None:
    """--from after --to is a clear error, not an empty answer."""
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--from", "2026-10-01", "--to",
                                 "2026-09-01"])
    assert result.exit_code == 1
    assert "starts on 2026-10-01 after it ends on 2026-09-01" in result.stderr


def test_by_cohort_splits_by_school_year_of_opening(runner: CliRunner) -> None:
    """Cohorts are school years from 1 August: 2026-01-12 is in 2025/26."""
    doc = evaluate(runner, "--by", "cohort")
    assert share(doc, "closed", "2025/26") == (1, 1)
    assert share(doc, "closed", "2026/27") == (0, 8)
    assert share(doc, "closed") == (1, 9)


def test_by_group_counts_a_learner_in_each_of_their_groups(runner: CliRunner) -> None:
    """002, 004, 006 and 008 are vet-work-based; 002 and 004 are also at-risk (and 007)."""
    doc = evaluate(runner, "--by", "group")
    assert share(doc, "mentoring.coverage", "vet-work-based") == (4, 4)
    assert share(doc, "mentoring.coverage", "at-risk") == (2, 3)


def test_a_health_professional_key_worker_is_not_named(runner: CliRunner,
                                                       sample: Path) -> None:
    """As in the export, a psychologist as key worker appears as (none), never by id."""
    path = sample / "cases" / "L-2026-004" / "learner.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("key_worker: kschmitt",
                                                             "key_worker: jberger"),
                    encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(sample), "--today", TODAY, "--by",
                                 "key-worker", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert "jberger" not in result.stdout
    doc = json.loads(result.stdout)
    assert share(doc, "mentoring.coverage", "(none)") == (1, 1)
    assert share(doc, "workload.open", "(none)") == (1, 1)


# --- audiences outside the team ----------------------------------------------------------


def test_funder_sees_small_cells_suppressed(runner: CliRunner) -> None:
    """Cells of fewer than five learners are suppressed; larger ones are shown."""
    doc = evaluate(runner, "--audience", "funder")
    closed = figure(doc, "closed")  # 1 of 9: the one learner would be singled out
    assert closed["suppressed"] and closed["numerator"] is None and closed["share"] is None
    assert closed["denominator"] == 9
    coverage = figure(doc, "mentoring.coverage")  # 7 of 9
    assert not coverage["suppressed"] and coverage["numerator"] == 7
    assert figure(doc, "retention.90d")["denominator"] is None  # 2 of 2: base too small
    assert figure(doc, "time.contract")["median"] == 14.0  # six learners measured
    assert figure(doc, "mentoring.length")["suppressed"] is False  # six measured
    # Key workers are numbered; the total stays "all".
    workers = {f["group"] for f in doc["figures"] if f["section"] == "workload"}
    assert workers == {"all", "key worker 1", "key worker 2", "key worker 3", "key worker 4"}
    assert share(doc, "workload.open") == (8, 9)


def test_funder_sees_no_exact_count_of_a_handful_of_cases(runner: CliRunner) -> None:
    """A period with one case tells the funder "<5 cases", not 1."""
    doc = evaluate(runner, "--audience", "funder", "--to", "2026-06-30")
    assert doc["cases"] is None
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--audience",
                                 "funder", "--to", "2026-06-30"])
    assert "<5 cases open between 2026-01-12 and 2026-06-30" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_leadership_output_has_no_names_or_ids(runner: CliRunner, fmt: str) -> None:
    """No learner id, name or key-worker id reaches leadership; key workers are numbered."""
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--audience",
                                 "leadership", "--by", "key-worker", "--format", fmt])
    assert result.exit_code == 0, result.stderr
    for secret in ("L-2026", "José", "Łukasz", "Sabine", *KEY_WORKERS):
        assert secret not in result.stdout
    assert "key worker 1" in result.stdout
    assert "<5" in result.stdout or fmt == "json"


def test_csv_has_one_row_a_figure(runner: CliRunner) -> None:
    """CSV rows carry id, group, numerator and denominator."""
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--format",
                                 "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    reviews = next(r for r in rows if r["id"] == "reviews.on-time")
    assert (reviews["numerator"], reviews["denominator"], reviews["group"]) == ("22", "23",
                                                                                "all")


# --- the report --------------------------------------------------------------------------


def test_markdown_report_has_the_figures_and_no_charts(runner: CliRunner) -> None:
    """The Markdown report is tables only (charts are for HTML and PDF)."""
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--report", "md"])
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "## In brief" in text
    assert "| Reviews held on time (within 7 days of the due date) | 96% | 22 of 23 |" in text
    assert "chart:" not in text


def test_html_report_embeds_four_svg_charts(runner: CliRunner) -> None:
    """HTML shows the four charts as SVG images with their titles as alt text."""
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--report",
                                 "html"])
    assert result.exit_code == 0, result.stderr
    html = result.stdout
    assert html.count('src="data:image/svg+xml;base64,') == 4
    for title in ("Outcomes by cohort", "Reviews held on time, by key worker",
                  "Time from opening to assessment, plan and contract",
                  "Attendance and well-being, first to latest review"):
        assert f'alt="{title}"' in html


def test_funder_report_draws_no_chart_of_suppressed_cells(runner: CliRunner) -> None:
    """A chart whose every cell is under five learners is left out, not drawn empty."""
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--audience",
                                 "funder", "--report", "html"])
    assert result.exit_code == 0, result.stderr
    html = result.stdout
    # 3 of 7 improved attendance and 2 of 7 held well-being: both bars are suppressed.
    # Times to plan (6-8 learners), reviews overall and the 2026/27 cohort (8 open, none
    # closed) remain; the 2025/26 cohort (1 case) is named as not shown.
    assert 'alt="Attendance and well-being, first to latest review"' not in html
    assert 'alt="Time from opening to assessment, plan and contract"' in html
    assert 'alt="Outcomes by cohort"' in html
    assert html.count('src="data:image/svg+xml;base64,') == 3
    for secret in ("L-2026", *KEY_WORKERS):
        assert secret not in html


def test_report_of_a_period_without_cases(runner: CliRunner) -> None:
    """With nothing to draw, the report has its tables and no empty chart."""
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--from",
                                 "2025-01-01", "--to", "2025-12-31", "--report", "html"])
    assert result.exit_code == 0, result.output
    assert "data:image/svg+xml" not in result.stdout
    assert "Reviews held on time" in result.stdout


def test_pdf_report_for_the_funder(runner: CliRunner, tmp_path: Path) -> None:
    """The funder's PDF is written into the folder named and shows no id or name."""
    from pypdf import PdfReader

    folder = tmp_path / "reports"  # made on the way
    result = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--audience",
                                 "funder", "--report", "pdf", "-o", str(folder)])
    assert result.exit_code == 0, result.stderr
    pdf = folder / "evaluation-funder.pdf"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Programme evaluation" in text
    assert "Prepared for the funder" in text
    for secret in ("L-2026", *KEY_WORKERS):
        assert secret not in text


def test_report_is_never_written_among_the_records(runner: CliRunner, sample: Path) -> None:
    """-o pointing into cases/ is refused and nothing is written there."""
    target = sample / "cases" / "L-2026-001"
    result = runner.invoke(app, ["evaluate", str(sample), "--today", TODAY, "--report", "md",
                                 "-o", str(target)])
    assert result.exit_code == 1
    assert not (target / "evaluation-team.md").exists()


def test_report_is_the_same_bytes_each_time(runner: CliRunner) -> None:
    """The same records and --today give the same HTML, charts included."""
    args = ["evaluate", str(SAMPLE), "--today", TODAY, "--report", "html"]
    assert runner.invoke(app, args).stdout == runner.invoke(app, args).stdout


def test_matplotlib_is_imported_only_for_the_report() -> None:
    """Loading the command line (and the figures) leaves matplotlib unimported."""
    code = ("import sys, pathway_cli.cli, pathway_cli.evaluation; "
            "sys.exit('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO, check=False).returncode == 0


# --- broken records ----------------------------------------------------------------------


def test_unreadable_learner_is_left_out_with_a_note(runner: CliRunner, sample: Path) -> None:
    """A case whose learner.yaml cannot be read is counted in a note, not in the figures."""
    (sample / "cases" / "L-2026-003" / "learner.yaml").write_text("id: [unclosed\n",
                                                                 encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(sample), "--today", TODAY, "--format",
                                 "json"])
    assert result.exit_code == 0, result.stderr
    assert "1 case left out: learner.yaml could not be read" in result.stderr
    assert json.loads(result.stdout)["cases"] == 8


def test_learner_without_consent_is_left_out(runner: CliRunner, sample: Path) -> None:
    """Without recorded consent to data processing a learner is not counted."""
    path = sample / "cases" / "L-2026-005" / "learner.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("data_processing: {given: true", "data_processing: {given: "
                                 "false"), encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(sample), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert "1 learner left out: no recorded consent to data processing" in result.stdout
    assert "8 cases open" in result.stdout


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["learner.yaml", "plan.yaml", "contract.yaml", "assessment.yaml",
                              "reviews/2026-10-12.yaml"]),
       raw=st.binary(max_size=200))
def test_any_bytes_in_a_record_never_break_evaluate(tmp_path: Path, which: str,
                                                    raw: bytes) -> None:
    """Whatever a record holds, evaluate answers with figures and exit 0."""
    root = tmp_path / f"c{abs(hash((which, raw)))}"
    shutil.copytree(SAMPLE, root)
    (root / "cases" / "L-2026-002" / which).write_bytes(raw)
    result = CliRunner().invoke(app, ["evaluate", str(root), "--today", TODAY, "--format",
                                      "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] in (8, 9)


# --- the statistics ----------------------------------------------------------------------


@settings(deadline=None)  # the first example imports numpy
@given(values=st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=40),
       q=st.sampled_from([0.25, 0.5, 0.75]))
def test_quantile_interpolates_like_numpy(values: list[float], q: float) -> None:
    """Quartiles interpolate between ranks exactly as numpy (and DuckDB) do."""
    import numpy as np

    assert quantile(values, q) == pytest.approx(float(np.quantile(values, q)), rel=1e-9,
                                                abs=1e-6)


def test_cohort_is_the_school_year_from_august() -> None:
    """31 July closes a school year and 1 August opens the next."""
    assert cohort_of(date(2026, 7, 31)) == "2025/26"
    assert cohort_of(date(2026, 8, 1)) == "2026/27"
    assert cohort_of(date(1999, 9, 1)) == "1999/00"


def test_render_points_to_evaluate_for_the_evaluation_template(runner: CliRunner) -> None:
    """`render --template evaluation` says which command makes that report."""
    result = runner.invoke(app, ["render", str(SAMPLE), "--template", "evaluation", "-o",
                                 "/nonexistent"])
    assert result.exit_code == 1
    assert "pathway evaluate --report pdf" in result.stderr


def test_figures_are_the_same_on_every_core(runner: CliRunner,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Cases read by worker processes give the figures of one process, byte for byte."""
    one = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--format", "json"])
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    monkeypatch.setenv("PATHWAY_JOBS", "2")
    many = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY, "--format", "json"])
    assert many.exit_code == 0, many.output
    assert many.stdout == one.stdout


def test_piped_sections_are_tab_separated(runner: CliRunner,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped, each section is its title, a tab-separated header and one line a figure (no
    box drawing); with COLUMNS set the tables are drawn."""
    monkeypatch.delenv("COLUMNS", raising=False)
    piped = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY])
    assert piped.exit_code == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert "Outcomes and retention" in lines
    assert "Cases closed in the period\t11%\t1 of 9" in lines
    assert not any(ch in piped.stdout for ch in "┃│━─")
    drawn = runner.invoke(app, ["evaluate", str(SAMPLE), "--today", TODAY],
                          env={"COLUMNS": "120"})
    assert "│" in drawn.stdout

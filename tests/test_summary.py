"""pathway summarise: one row a learner, whom to call first, in table, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pathway_cli.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_cases"
TODAY = "2026-11-23"
FIXTURE = Path(__file__).parent / "fixtures" / "alerts" / "caseload"
WIDE = {"COLUMNS": "250"}


def summary(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    """Run ``pathway summarise --format json`` and return the rows."""
    result = runner.invoke(app, ["summarise", *args, "--today", TODAY, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_json_has_one_object_a_learner_with_the_contract_fields(runner: CliRunner) -> None:
    """Every learner of the sample is one object with the fields CLI.md promises."""
    rows = summary(runner, str(SAMPLE))
    assert len(rows) == 9
    assert len({r["id"] for r in rows}) == 9
    for row in rows:
        assert set(row) >= {"id", "name", "status", "key_worker", "goals_total",
                            "goals_achieved", "last_review", "next_review", "attendance",
                            "wellbeing", "risk"}
        assert row["risk"] in ("green", "amber", "red")


def test_lukasz_is_first_and_his_row_tells_why(runner: CliRunner) -> None:
    """The at-risk apprentice heads the list: red, 62% attendance, well-being 2, review overdue."""
    first = summary(runner, str(SAMPLE))[0]
    assert first["id"] == "L-2026-002"
    assert first["risk"] == "red"
    assert first["attendance"] == pytest.approx(0.62)
    assert first["wellbeing"] == 2
    assert first["last_review"] == "2026-10-26"
    assert first["next_review"] == "2026-11-02"
    assert (first["goals_total"], first["goals_achieved"], first["goals_at_risk"]) == (3, 0, 2)
    assert first["alerts"][0]["rule"] == "attendance-low"
    assert first["alerts"][0]["level"] == "red"


def test_rows_are_sorted_by_risk_with_closed_cases_last(runner: CliRunner) -> None:
    """Red rows come first, then amber, then green; the completed case is the last row."""
    rows = summary(runner, str(SAMPLE))
    assert [r["risk"] for r in rows] == ["red", "red", "red", "amber", "amber",
                                         "green", "green", "green", "green"]
    # José (red since his check-in, next review 2026-12-01) before Rania (no review yet).
    assert [r["id"] for r in rows[1:3]] == ["L-2026-001", "L-2026-009"]
    assert rows[-1]["id"] == "L-2026-006"
    assert rows[-1]["status"] == "completed"
    assert rows[-1]["next_review"] is None


def test_risk_matches_the_alerts(runner: CliRunner) -> None:
    """A learner's risk is the loudest of their alerts, so summarise and alerts agree."""
    rows = {r["id"]: r for r in summary(runner, str(FIXTURE))}
    alerts = json.loads(runner.invoke(app, ["alerts", str(FIXTURE), "--today", TODAY,
                                            "--format", "json"]).stdout)["alerts"]
    loudest: dict[str, str] = {}
    for alert in alerts:
        if loudest.get(alert["learner"]) != "red":
            loudest[alert["learner"]] = alert["level"]
    assert {i: r["risk"] for i, r in rows.items()} == {
        i: loudest.get(i, "green") for i in rows
    }


def test_goals_count_achieved_and_leave_out_dropped(runner: CliRunner) -> None:
    """João achieved 3 of 3 goals; Jonas 1 of 3; Rania has no plan and no goals."""
    rows = {r["id"]: r for r in summary(runner, str(SAMPLE))}
    assert (rows["L-2026-006"]["goals_achieved"], rows["L-2026-006"]["goals_total"]) == (3, 3)
    assert (rows["L-2026-008"]["goals_achieved"], rows["L-2026-008"]["goals_total"]) == (1, 3)
    assert rows["L-2026-009"]["goals_total"] == 0
    assert rows["L-2026-009"]["last_review"] is None


def test_first_review_is_due_a_cycle_after_the_plan(runner: CliRunner) -> None:
    """With a plan and no review yet, the next review is review_every_days after the plan."""
    rows = {r["id"]: r for r in summary(runner, str(FIXTURE))}
    assert rows["no-reviews"]["next_review"] == "2026-10-13"


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--key-worker", "lfischer"], {"L-2026-003", "L-2026-005", "L-2026-009"}),
        (["--status", "paused"], {"L-2026-004"}),
        (["--status", "paused", "--status", "referred"], {"L-2026-004", "L-2026-007"}),
        (["--group", "migrant"], {"L-2026-003"}),
        (["--group", "at-risk", "--key-worker", "kschmitt"], {"L-2026-004", "L-2026-007"}),
        (["--key-worker", "nobody"], set()),
    ],
)
def test_filters(runner: CliRunner, args: list[str], ids: set[str]) -> None:
    """--key-worker, --status and --group keep only the matching learners (and combine)."""
    assert {r["id"] for r in summary(runner, str(SAMPLE), *args)} == ids


def test_unknown_status_is_a_usage_error(runner: CliRunner) -> None:
    """A status FORMAT.md does not know is a usage error (exit 2)."""
    result = runner.invoke(app, ["summarise", str(SAMPLE), "--status", "sleeping"])
    assert result.exit_code == 2


def test_csv_has_a_header_and_one_line_a_learner(runner: CliRunner) -> None:
    """CSV output has the documented columns, lists joined with ';', empty for unknown."""
    result = runner.invoke(app, ["summarise", str(SAMPLE), "--today", TODAY,
                                 "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 9
    first = rows[0]
    assert first["id"] == "L-2026-002"
    assert first["groups"] == "vet-work-based;at-risk"
    assert first["attendance"] == "0.62"
    assert first["red_alerts"] == "5" and first["amber_alerts"] == "3"
    assert first["alerts"].startswith("attendance-low;wellbeing-drop")
    rania = next(r for r in rows if r["id"] == "L-2026-009")
    assert rania["attendance"] == "" and rania["last_review"] == ""


def test_table_on_a_pipe_is_plain_and_readable(runner: CliRunner) -> None:
    """Piped, the table has no colour codes, one line a learner and the counts underneath."""
    result = runner.invoke(app, ["summarise", str(SAMPLE), "--today", TODAY], env=WIDE)
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    lines = result.stdout.splitlines()
    learner_lines = [line for line in lines if "L-2026-" in line]
    assert len(learner_lines) == 9
    assert "L-2026-002" in learner_lines[0] and "red" in learner_lines[0]
    assert "attendance 62%" in learner_lines[0]
    assert "2026-11-02 late" in learner_lines[0]
    assert "L-2026-006" in learner_lines[-1]
    footer = " ".join(lines[-2:])
    assert "9 learners: 6 active, 1 paused, 1 referred, 1 completed." in footer
    assert "At risk: 5 (3 red, 2 amber)." in footer
    assert "Reviews due in the next 7 days: 0, overdue: 1." in footer


def test_reviews_due_this_week_counts_the_next_seven_days(runner: CliRunner) -> None:
    """A week later, José's (1 Dec) and Giulia's (3 Dec) reviews fall in the coming week."""
    result = runner.invoke(app, ["summarise", str(SAMPLE), "--today", "2026-11-27"], env=WIDE)
    assert "Reviews due in the next 7 days: 2, overdue: 1." in " ".join(result.stdout.split())


def test_summarize_spelling_works_but_is_hidden(runner: CliRunner) -> None:
    """'summarize' gives the same output as 'summarise' and is not listed in --help."""
    british = runner.invoke(app, ["summarise", str(SAMPLE), "--today", TODAY, "-f", "json"])
    american = runner.invoke(app, ["summarize", str(SAMPLE), "--today", TODAY, "-f", "json"])
    assert american.exit_code == 0
    assert american.stdout == british.stdout
    listing = runner.invoke(app, ["--help"], env=WIDE).stdout
    assert "summarise" in listing and "summarize" not in listing


def test_help_has_description_and_examples(runner: CliRunner) -> None:
    """--help explains the command and shows examples."""
    result = runner.invoke(app, ["summarise", "--help"], env=WIDE)
    assert result.exit_code == 0
    assert "one row a learner" in result.stdout
    assert "pathway summarise --key-worker skrause" in result.stdout


def test_no_learners_match(runner: CliRunner) -> None:
    """A filter that matches nobody says so on stderr and prints no table."""
    result = runner.invoke(app, ["summarise", str(SAMPLE), "--key-worker", "nobody"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no learners match" in result.stderr


def test_broken_learner_file_still_gets_a_row(runner: CliRunner) -> None:
    """A case whose learner.yaml cannot be read is listed, amber, by its folder name."""
    rows = {r["id"]: r for r in summary(runner, str(FIXTURE))}
    broken = rows["broken-learner"]
    assert broken["status"] == "unknown"
    assert broken["risk"] == "amber"
    assert broken["alerts"][0]["rule"] == "records-invalid"


def test_narrow_terminal_keeps_name_next_review_and_why(runner: CliRunner) -> None:
    """At 80 columns the table keeps risk, learner, name, next review and why readable."""
    result = runner.invoke(app, ["summarise", str(SAMPLE), "--today", TODAY],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert all(len(line) <= 80 for line in result.stdout.splitlines()[:-1])
    header = result.stdout.splitlines()[0]
    for column in ("risk", "learner", "name", "next review", "why"):
        assert column in header
    assert "Rania Mansour" in result.stdout
    assert "no plan after 83" in result.stdout

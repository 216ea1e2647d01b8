"""pathway timeline: one learner's story in date order, as text and JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from pathway_cli.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_cases"
TODAY = "2026-11-23"
WIDE = {"COLUMNS": "250"}


def story(runner: CliRunner, learner: str, *args: str) -> dict[str, Any]:
    """Run ``pathway timeline ID --format json`` on the sample and return the document."""
    result = runner.invoke(app, ["timeline", learner, "--caseload", str(SAMPLE),
                                 "--today", TODAY, "--format", "json", *args])
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_events_are_in_date_order(runner: CliRunner) -> None:
    """Events come oldest first; the story of a case begins before its reviews."""
    events = story(runner, "L-2026-002")["events"]
    dates = [e["date"] for e in events]
    assert dates == sorted(dates)
    kinds = [e["kind"] for e in events]
    assert kinds.index("opened") < kinds.index("assessed") < kinds.index("plan-agreed")
    assert kinds.index("plan-agreed") < kinds.index("review")


def test_the_at_risk_apprentice_story(runner: CliRunner) -> None:
    """Łukasz: opened, assessed, plan, four signatures, three reviews, an overdue next review."""
    document = story(runner, "L-2026-002")
    assert document["learner"] == "L-2026-002"
    assert document["name"] == "Łukasz Zieliński"
    assert document["status"] == "active"
    kinds = [e["kind"] for e in document["events"]]
    assert kinds.count("signed") == 4
    assert kinds.count("review") == 3
    assert "contract-in-force" in kinds and "plan-revised" in kinds
    reviews = [e for e in document["events"] if e["kind"] == "review"]
    assert [r["attendance"] for r in reviews] == [0.92, 0.80, 0.62]
    assert [r["wellbeing"] for r in reviews] == [4, 4, 2]
    assert reviews[-1]["goals"] == {"G1": "at-risk", "G2": "at-risk", "G3": "in-progress"}
    last = document["events"][-1]
    assert (last["kind"], last["date"], last["overdue"]) == ("next-review", "2026-11-02", True)
    assert last["text"] == "next review overdue by 21 days"


def test_completed_case_shows_goals_badges_and_closing(runner: CliRunner) -> None:
    """João's story ends with his goals achieved, his forklift badge and the case closed."""
    events = story(runner, "L-2026-006")["events"]
    achieved = [e for e in events if e["kind"] == "goal-achieved"]
    assert [e["goal"] for e in achieved] == ["G2", "G1", "G3"]
    badges = [e["text"] for e in events if e["kind"] == "badge"]
    assert any("Forklift operator" in text for text in badges)
    assert [e["kind"] for e in events[-2:]] == ["closed", "follow-up"]
    assert events[-1]["text"] == "follow-up after leaving: employment"
    assert set(events[-1]) == {"date", "kind", "text", "file", "destination"}  # no note
    assert "next-review" not in [e["kind"] for e in events]


def test_mentor_leaving_and_a_hard_check_in_are_in_the_story(runner: CliRunner) -> None:
    """José's timeline shows Ana leaving and the check-in with its incidents and failed quiz,
    but never the incident note."""
    events = story(runner, "L-2026-001")["events"]
    ended = next(e for e in events if e["kind"] == "mentor-ended")
    assert ended["date"] == "2026-11-06" and "Ana Morales" in ended["text"]
    check_in = next(e for e in events if e["kind"] == "review" and e["date"] == "2026-11-17")
    assert "3 incidents, 1 failed" in check_in["text"]
    assert check_in["incidents"] == 3 and check_in["failed"] == 1
    assert "sous-chef" not in str(events)


def test_hidden_skill_badge_is_an_event(runner: CliRunner) -> None:
    """A credential for a hidden skill in the assessment appears on its date."""
    events = story(runner, "L-2026-003")["events"]
    badge = next(e for e in events if e["kind"] == "badge")
    assert badge["date"] == "2026-10-17"
    assert "Repair Café volunteer technician" in badge["text"]


def test_private_notes_never_appear(runner: CliRunner) -> None:
    """Neither the JSON nor the text timeline carries a review's private notes."""
    as_json = runner.invoke(app, ["timeline", "L-2026-002", "--caseload", str(SAMPLE),
                                  "--today", TODAY, "--format", "json"]).stdout
    as_text = runner.invoke(app, ["timeline", "L-2026-002", "--caseload", str(SAMPLE),
                                  "--today", TODAY], env=WIDE).stdout
    for output in (as_json, as_text):
        assert "night shifts" not in output
        assert "parcel depot" not in output


def test_text_output_has_one_line_an_event(runner: CliRunner) -> None:
    """The text timeline starts with the learner and lists dated events with a summary line."""
    result = runner.invoke(app, ["timeline", "L-2026-001", "--caseload", str(SAMPLE),
                                 "--today", TODAY], env=WIDE)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("L-2026-001  José Núñez García")
    assert any(line.startswith("2026-08-24  opened") for line in lines)
    review = next(i for i, line in enumerate(lines) if line.startswith("2026-11-03  review"))
    assert "attendance 88%, well-being 4/5" in lines[review]
    assert "Good month: attendance up from 78% to 88%" in lines[review + 1]
    assert lines[-1].startswith("2026-12-01  next-review")
    assert "\x1b[" not in result.stdout


def test_referred_case_has_a_short_story(runner: CliRunner) -> None:
    """A referral with only learner.yaml has just its opening."""
    events = story(runner, "L-2026-007")["events"]
    assert [e["kind"] for e in events] == ["opened"]


def test_unknown_id_suggests_the_close_one(runner: CliRunner) -> None:
    """A mistyped id gives a clear error with the likely id, exit 1."""
    result = runner.invoke(app, ["timeline", "L-2026-02", "--caseload", str(SAMPLE)])
    assert result.exit_code == 1
    assert "there is no case 'L-2026-02'" in result.stderr
    assert "did you mean 'L-2026-002'?" in result.stderr


def test_an_id_that_is_a_path_is_refused(runner: CliRunner) -> None:
    """An id with a slash is not read as a path outside the caseload."""
    result = runner.invoke(app, ["timeline", "../L-2026-002", "--caseload", str(SAMPLE)])
    assert result.exit_code == 1
    assert "is not a learner id" in result.stderr


def test_caseload_is_found_from_the_current_folder(runner: CliRunner, sample: Path) -> None:
    """Without --caseload, the caseload around the current folder is used."""
    here = Path.cwd()
    os.chdir(sample / "cases" / "L-2026-008")
    try:
        result = runner.invoke(app, ["timeline", "L-2026-005", "--today", TODAY])
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.stderr
    assert "contract signed by the provider (Lea Fischer)" in result.stdout


def test_no_caseload_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    """Outside any caseload the command says how to name one."""
    result = runner.invoke(app, ["timeline", "L-1", "--caseload", str(tmp_path)])
    assert result.exit_code == 1
    assert "no caseload found" in result.stderr


def test_unreadable_record_is_reported_not_fatal(runner: CliRunner, sample: Path) -> None:
    """A broken review is left out of the timeline with a warning naming the file."""
    broken = sample / "cases" / "L-2026-008" / "reviews" / "2026-10-19.yaml"
    broken.write_text("date: 2026-10-19\nkind: [unclosed\n", encoding="utf-8")
    result = runner.invoke(app, ["timeline", "L-2026-008", "--caseload", str(sample),
                                 "--today", TODAY, "--format", "json"])
    assert result.exit_code == 0
    reviews = [e for e in json.loads(result.stdout)["events"] if e["kind"] == "review"]
    assert [r["date"] for r in reviews] == ["2026-09-28", "2026-11-16"]
    assert "2026-10-19.yaml could not be read" in " ".join(result.stderr.split())

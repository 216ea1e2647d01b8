"""`follow-up` and `reopen`: life after leaving through the update machinery."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.caseload import load_caseload
from tests.conftest import app
from tests.update_helpers import changed_lines, run, snapshot

JOAO = Path("cases/L-2026-006/learner.yaml")


def test_follow_up_appends_one_line_in_the_flow_style(runner: CliRunner, sample: Path) -> None:
    """`follow-up` adds one item to follow_ups, in the style of the one there; nothing else."""
    learner = sample / JOAO
    before = learner.read_bytes()
    result = run(runner, sample, "follow-up", "L-2026-006", "--destination", "employment",
                 "--date", "2027-01-12", "--note", "shift lead course")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, learner.read_bytes()) == [
        "+  - {date: 2027-01-12, destination: employment, note: shift lead course}",
    ]
    assert "L-2026-006: follow-up on 2027-01-12: employment" in result.stderr


def test_follow_up_clears_the_alert(runner: CliRunner, sample: Path) -> None:
    """After recording the 6-month follow-up, follow-up-due no longer fires in January."""
    def rules() -> list[str]:
        result = runner.invoke(app, ["alerts", str(sample), "--today", "2027-01-12", "-f", "json"])
        return [a["rule"] for a in json.loads(result.stdout)["alerts"]
                if a["learner"] == "L-2026-006"]
    assert rules() == ["follow-up-due"]
    run(runner, sample, "follow-up", "L-2026-006", "--destination", "employment",
        "--date", "2027-01-12")
    assert rules() == []


def test_follow_up_dry_run_prints_the_diff_and_writes_nothing(runner: CliRunner,
                                                              sample: Path) -> None:
    """--dry-run prints the diff on stdout and leaves every file as it was."""
    before = snapshot(sample)
    result = run(runner, sample, "follow-up", "L-2026-006", "--destination", "NEET",
                 "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "+  - {date: 2026-11-23, destination: NEET}" in result.stdout
    assert "dry run: nothing written" in result.stderr
    assert snapshot(sample) == before


def test_follow_up_on_an_open_case_is_refused(runner: CliRunner, sample: Path) -> None:
    """A follow-up is for a closed case: an active one is refused with a hint."""
    before = snapshot(sample)
    result = run(runner, sample, "follow-up", "L-2026-002", "--destination", "NEET")
    assert result.exit_code == 1
    assert "L-2026-002 is active, not closed" in result.stderr
    assert "pathway close L-2026-002" in result.stderr
    assert snapshot(sample) == before


def test_follow_up_before_closing_is_refused_by_validation(runner: CliRunner,
                                                          sample: Path) -> None:
    """A follow-up dated before the case closed would be an error: nothing is written."""
    before = snapshot(sample)
    result = run(runner, sample, "follow-up", "L-2026-006", "--destination", "education",
                 "--date", "2026-07-01")
    assert result.exit_code == 1
    assert "refused, nothing written" in result.stderr
    assert "follow-up-date" in result.stderr
    assert snapshot(sample) == before


def test_unknown_destination_is_a_usage_error(runner: CliRunner, sample: Path) -> None:
    """--destination outside education, training, employment, NEET, unknown exits 2."""
    result = run(runner, sample, "follow-up", "L-2026-006", "--destination", "holiday")
    assert result.exit_code == 2


def test_follow_up_commit(runner: CliRunner, sample: Path, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """--commit commits learner.yaml alone with the follow-up's message."""
    config = tmp_path / "gitconfig"
    config.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=sample, capture_output=True, text=True,
                              check=True).stdout

    git("init", "--quiet")
    git("config", "user.name", "Test Coach")
    git("config", "user.email", "coach@example.org")
    git("add", ".")
    git("commit", "--quiet", "-m", "caseload")
    result = run(runner, sample, "follow-up", "L-2026-006", "--destination", "training",
                 "--date", "2027-01-15", "--commit")
    assert result.exit_code == 0, result.stderr
    assert git("log", "-1", "--format=%s") == "L-2026-006: follow-up on 2027-01-15: training\n"
    assert git("show", "--name-only", "--format=", "HEAD") == f"{JOAO.as_posix()}\n"


def test_reopen_keeps_one_case_with_its_history(runner: CliRunner, sample: Path) -> None:
    """`reopen` moves closed and outcome into history and makes the case active again;
    the follow-ups and every record stay, and the case validates."""
    learner = sample / JOAO
    before = learner.read_bytes()
    result = run(runner, sample, "reopen", "L-2026-006", "--date", "2027-02-01")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, learner.read_bytes()) == [
        "-status: completed",
        "+status: active",
        "-closed: 2026-07-10",
        "-outcome: employed",
        "+history:",
        "+  - {closed: 2026-07-10, outcome: employed, reopened: 2027-02-01}",
    ]
    case = load_caseload([sample / "cases" / "L-2026-006"]).cases[0]
    assert case.learner is not None and case.learner.status == "active"
    assert [f.destination for f in case.learner.follow_ups] == ["employment"]
    story = runner.invoke(app, ["timeline", "L-2026-006", "--caseload", str(sample),
                                "--today", "2027-02-02", "-f", "json"])
    kinds = [(e["date"], e["kind"]) for e in json.loads(story.stdout)["events"]]
    after_leaving = [k for k in kinds if k[1] in ("closed", "follow-up", "reopened")]
    assert after_leaving == [("2026-07-10", "closed"), ("2026-10-05", "follow-up"),
                             ("2027-02-01", "reopened")]


def test_reopen_an_open_case_is_refused(runner: CliRunner, sample: Path) -> None:
    """An open case has nothing to reopen."""
    result = run(runner, sample, "reopen", "L-2026-002")
    assert result.exit_code == 1
    assert "not closed" in result.stderr


def test_reopened_case_can_close_again(runner: CliRunner, sample: Path) -> None:
    """After reopening, `close` closes the same case again; its history keeps the first
    closing and a follow-up after the first closing stays valid."""
    assert run(runner, sample, "reopen", "L-2026-006", "--date", "2027-02-01").exit_code == 0
    result = run(runner, sample, "close", "L-2026-006", "--outcome", "completed",
                 "--date", "2027-06-30")
    assert result.exit_code == 0, result.stderr
    text = (sample / JOAO).read_text(encoding="utf-8")
    assert "closed: 2027-06-30" in text and "reopened: 2027-02-01" in text

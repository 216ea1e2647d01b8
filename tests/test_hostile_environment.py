"""Hostile files and settings found by fuzzing: a message and exit 1, never a crash."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from tests.conftest import TODAY, app


def _no_crash(result: Result) -> None:
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert result.exit_code == 1


def test_looping_link_is_an_unreadable_file(runner: CliRunner, sample: Path) -> None:
    """A record that is a link to itself is reported as unreadable, with its path."""
    plan = sample / "cases/L-2026-002/plan.yaml"
    plan.unlink()
    plan.symlink_to(plan.name)
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    _no_crash(result)
    assert "plan.yaml:1:1: error file-unreadable" in result.stderr


def test_absurd_settings_are_findings_not_overflows(runner: CliRunner, sample: Path) -> None:
    """A review interval of millions of days or an infinite weight is refused by validate."""
    settings = sample / "pathway.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "review_every_days: 28", "review_every_days: 99999999") + "matching: {sector: .inf}\n",
        encoding="utf-8")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY, "-f", "json"])
    _no_crash(result)
    assert result.stdout.count('"out-of-range"') + result.stdout.count('"invalid-type"') >= 2
    for command in (["review", "new", "L-2026-002", "--caseload", str(sample), "--dry-run"],
                    ["match", str(sample)]):
        outcome = runner.invoke(app, [*command, "--today", TODAY])
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit)


def test_template_not_in_utf8_is_a_clear_error(runner: CliRunner, sample: Path) -> None:
    """A caseload template saved in another encoding is named, not a crash."""
    (sample / "templates").mkdir()
    (sample / "templates/plan.md.j2").write_bytes(b"\xff\xfe{{ learner.name }}")
    result = runner.invoke(app, ["render", str(sample / "cases/L-2026-002"), "--template",
                                 "plan", "--today", TODAY])
    _no_crash(result)
    assert "not saved as UTF-8" in result.stderr


def test_update_of_an_impossible_date_or_deep_file_is_refused(
    runner: CliRunner, sample: Path
) -> None:
    """Updates refuse files PyYAML cannot build or that nest absurdly, with the reason."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    text = learner.read_text(encoding="utf-8")
    learner.write_text(text.replace("opened: 2026-09-07", "opened: 2026-02-30"),
                       encoding="utf-8")
    closed = runner.invoke(app, ["close", "L-2026-002", "--outcome", "employed", "--caseload",
                                 str(sample), "--today", TODAY])
    _no_crash(closed)
    assert "cannot be updated safely" in closed.stderr
    plan = sample / "cases/L-2026-002/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "x: " + "{a: " * 300 + "1" + "}" * 300
                    + "\n", encoding="utf-8")
    goal = runner.invoke(app, ["goal", "L-2026-002", "G3", "--progress", "50", "--caseload",
                               str(sample), "--today", TODAY])
    _no_crash(goal)
    assert "deep" in goal.stderr


def test_pseudonym_folder_taken_by_a_file_is_a_clear_error(
    runner: CliRunner, sample: Path
) -> None:
    """When .pathway is a file, the pseudonymised export says so instead of crashing."""
    (sample / ".pathway").write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["export", str(sample), "--pseudonymise", "--today", TODAY])
    _no_crash(result)
    assert ".pathway" in result.stderr

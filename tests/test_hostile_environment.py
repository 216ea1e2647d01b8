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
    # The impossible date is read as text, so the refusal can say what is wrong with it.
    assert "refused, nothing written" in closed.stderr
    assert "not a real calendar date" in closed.stderr
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


def test_outputs_never_land_among_the_records(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """export, render and badges refuse an -o inside cases/ or onto a record file."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    before = learner.read_bytes()
    attempts = [
        ["export", str(sample), "-o", str(learner)],
        ["export", str(sample), "-o", str(sample / "mentors.yaml")],
        ["render", str(sample / "cases/L-2026-002"), "--template", "plan", "-o",
         str(sample / "cases/L-2026-002")],
        ["render", str(sample), "--template", "plan", "-o", str(sample / "cases")],
        ["badges", "L-2026-008", "--caseload", str(sample), "-o", str(sample / "cases")],
    ]
    for argv in attempts:
        result = runner.invoke(app, [*argv, "--today", TODAY])
        _no_crash(result)
        assert "among the caseload's records" in result.stderr, argv
    assert learner.read_bytes() == before
    assert not list((sample / "cases").glob("*.md"))


def test_template_that_repeats_text_endlessly_is_stopped(runner: CliRunner, sample: Path) -> None:
    """A caseload template cannot exhaust memory by multiplying text."""
    (sample / "templates").mkdir()
    (sample / "templates/plan.md.j2").write_text("{{ 'x' * 10**9 }}", encoding="utf-8")
    result = runner.invoke(app, ["render", str(sample / "cases/L-2026-002"), "--template",
                                 "plan", "--today", TODAY])
    _no_crash(result)
    assert "templates/plan.md.j2, line 1" in result.stderr


def test_set_refuses_a_value_that_refers_to_itself(runner: CliRunner, sample: Path) -> None:
    """`set` with an alias inside its own anchor is refused, not an endless loop."""
    result = runner.invoke(app, ["set", "L-2026-002", "learner", "extra=&a [*a]", "--caseload",
                                 str(sample), "--today", TODAY])
    _no_crash(result)
    assert "refers to itself" in result.stderr


def test_dates_outside_the_years_of_living_people_are_refused(
    runner: CliRunner, sample: Path
) -> None:
    """--today 9999-12-31 is a usage error; such a date in a record is a finding."""
    assert runner.invoke(app, ["summarise", str(sample), "--today", "9999-12-31"]).exit_code == 2
    review = sample / "cases/L-2026-008/reviews/2026-11-16.yaml"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "next_review: 2026-12-14", "next_review: 9999-12-31"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    _no_crash(result)
    assert "outside the years 1900-2999" in result.stderr

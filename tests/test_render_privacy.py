"""Reports never fall back to more than the team allowed, nor say why others were left out."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import TODAY, app


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_settings_refuse_every_report(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """With errors in pathway.yaml (which sets the audiences) no report is made, not even one."""
    _edit(sample / "pathway.yaml", "review_every_days: 28", "review_every_days: 28d")
    out = tmp_path / "out"
    single = runner.invoke(app, ["render", str(sample / "cases/L-2026-008"), "--template",
                                 "plan", "--audience", "employer", "--today", TODAY])
    batch = runner.invoke(app, ["render", str(sample), "--template", "plan", "-o", str(out),
                                "--today", TODAY])
    overview = runner.invoke(app, ["render", str(sample), "--template", "caseload",
                                   "--today", TODAY])
    for result in (single, batch, overview):
        assert result.exit_code == 1
        assert "pathway.yaml has errors (line " in result.stderr
        assert result.stdout == ""
    assert not out.exists() or not any(out.iterdir())


def test_index_for_an_employer_does_not_say_who_was_left_out_or_why(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """The index that goes with employer reports counts skipped cases but names none."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(sample), "--template", "plan", "--audience",
                                 "employer", "--status", "all", "-o", str(out),
                                 "--today", TODAY])
    assert result.exit_code == 0
    index = (out / "index-plan-employer.md").read_text(encoding="utf-8")
    assert "not rendered" in index
    for name in ("José", "Oleksandr", "Zofia", "Rania", "share_with", "consent"):
        assert name not in index
    assert "L-2026-001" in result.stderr  # the details stay with whoever ran the batch


def test_caseload_report_shows_a_learner_without_consent_by_id_only(
    runner: CliRunner, sample: Path
) -> None:
    """A learner with no recorded consent to data processing is listed by id, nothing more."""
    _edit(sample / "cases/L-2026-001/learner.yaml", "given: true", "given: false")
    result = runner.invoke(app, ["render", str(sample), "--template", "caseload",
                                 "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert "José" not in result.stdout
    assert "kitchen-maths" not in result.stdout
    assert "no recorded consent to data processing (L-2026-001)" in result.stdout
    assert "Łukasz" in result.stdout


def test_commands_that_read_the_caseload_warn_when_settings_are_broken(
    runner: CliRunner, sample: Path
) -> None:
    """alerts, summarise, export and match say that default settings stand in for pathway.yaml."""
    _edit(sample / "pathway.yaml", "review_every_days: 28", "review_every_days: 28d")
    for command in (["alerts"], ["summarise"], ["export"], ["match"]):
        result = runner.invoke(app, [*command, str(sample), "--today", TODAY])
        assert "pathway.yaml has errors, so the default settings" in result.stderr, command

"""Batch reports that take what the cache already knows: validity from the cache of checked
cases, and which cases to load from the cached facts of their status."""

from __future__ import annotations

import re
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pathway_cli.cache import CaseCache
from pathway_cli.rendering import batch, preparing
from tests.conftest import TODAY, app


def _render(runner: CliRunner, target: Path, out: Path, *args: str,
            cache: bool = True) -> tuple[int, str, dict[str, bytes]]:
    result = runner.invoke(app, [*([] if cache else ["--no-cache"]), "render", str(target),
                                 "-t", "plan", "-o", str(out), "--today", TODAY, *args])
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.is_dir() else {}
    return result.exit_code, result.output.replace(str(out), "OUT"), files


def _validate(runner: CliRunner, caseload: Path, today: str = TODAY) -> None:
    """Run validate, which writes the cache of checked cases."""
    runner.invoke(app, ["validate", str(caseload), "--today", today])


def _break_plan(caseload: Path) -> None:
    """Give L-2026-001's first goal an owner who is not in the team (an error)."""
    plan = caseload / "cases" / "L-2026-001" / "plan.yaml"
    plan.write_text(re.sub(r"owner: learner", "owner: nobody-here", plan.read_text(), count=1),
                    encoding="utf-8")


def _no_rules(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the error rules ran")


def test_a_report_takes_validity_from_the_checked_cache(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After validate, a batch does not run the error rules again on unchanged cases: the
    cache of checked cases says they are free of errors, and the reports are the same bytes
    as those made without any cache."""
    cold = _render(runner, sample, tmp_path / "cold", "--status", "all", cache=False)
    _validate(runner, sample)
    monkeypatch.setattr(preparing, "case_findings", _no_rules)
    warm = _render(runner, sample, tmp_path / "warm", "--status", "all")
    assert warm == cold
    assert warm[0] == 0
    assert len(warm[2]) >= 5


def test_an_invalid_case_is_refused_alike_with_the_checked_cache(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A case with an error is refused with the same message whether validate has cached its
    entry or not, and so is a case broken after validate ran (its folder changed)."""
    _break_plan(sample)
    cold = _render(runner, sample, tmp_path / "cold", cache=False)
    assert "L-2026-001 (records have errors): 1 error in the records (first: plan.yaml:" in cold[1]
    _validate(runner, sample)
    assert _render(runner, sample, tmp_path / "warm") == cold
    # fixed, validated, then broken again: the entry of the valid state no longer answers
    plan = sample / "cases" / "L-2026-001" / "plan.yaml"
    plan.write_text(plan.read_text().replace("nobody-here", "learner", 1), encoding="utf-8")
    _validate(runner, sample)
    _break_plan(sample)
    assert _render(runner, sample, tmp_path / "again") == cold


def test_a_consent_dated_after_today_is_refused_on_a_warm_checked_cache(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """The refusal that depends on the day (consent given later than --today) is decided
    for each run's day, even when the cache of checked cases knows the case."""
    learner = sample / "cases" / "L-2026-001" / "learner.yaml"
    learner.write_text(learner.read_text().replace("date: 2026-08-24", "date: 2026-12-01", 1),
                       encoding="utf-8")
    _validate(runner, sample)
    case = sample / "cases" / "L-2026-001"
    code, output, _ = _render(runner, case, tmp_path / "early")
    assert code == 1
    assert "dated 2026-12-01" in output
    _validate(runner, sample, "2026-12-02")
    result = runner.invoke(app, ["render", str(case), "-t", "plan", "--today", "2026-12-02"])
    assert result.exit_code == 0, result.output
    assert "## Goals at a glance" in result.output


class _InlinePool:
    """A stand-in for the worker pool that runs each job in this process, so that what the
    workers read can be counted."""

    def __init__(self, workers: int, **kwargs: Any) -> None:
        self.workers = workers

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, **kwargs: Any) -> None:
        pass


def test_workers_read_only_the_cases_of_the_statuses_asked_for(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the facts cached (by summarise), a batch of the active cases reads no loaded
    case of another status from the cache; it writes what a run without the cache writes."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _InlinePool)
    cold = _render(runner, sample, tmp_path / "cold", cache=False)
    runner.invoke(app, ["summarise", str(sample), "--today", TODAY])
    _render(runner, sample, tmp_path / "first")  # the loaded cases are cached
    read: list[str] = []
    real = CaseCache.get

    def spy(self: CaseCache, folder: Path, fingerprint: Any) -> Any:
        read.append(folder.name)
        return real(self, folder, fingerprint)

    monkeypatch.setattr(CaseCache, "get", spy)
    warm = _render(runner, sample, tmp_path / "warm", "--jobs", "2")
    assert warm == cold
    active = sorted(path.parent.name for path in (sample / "cases").glob("*/learner.yaml")
                    if "status: active" in path.read_text())
    assert sorted(read) == active


def test_a_case_whose_status_changed_is_picked_by_its_new_status(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cached facts are of a folder's exact state: a paused case made active after
    summarise ran is rendered in a batch of the active cases."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _InlinePool)
    runner.invoke(app, ["summarise", str(sample), "--today", TODAY])
    learner = sample / "cases" / "L-2026-004" / "learner.yaml"
    learner.write_text(learner.read_text().replace("status: paused", "status: active", 1),
                       encoding="utf-8")
    code, output, files = _render(runner, sample, tmp_path / "out", "--jobs", "2")
    assert code == 0, output
    assert "L-2026-004-plan-team.md" in files
    assert _render(runner, sample, tmp_path / "cold", cache=False)[2] == files


def test_a_case_whose_learner_file_cannot_be_read_is_still_reported(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose cached facts know no status (learner.yaml cannot be read) is loaded and
    reported as skipped, exactly as without the cache."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    monkeypatch.setattr(batch, "ProcessPoolExecutor", _InlinePool)
    learner = sample / "cases" / "L-2026-004" / "learner.yaml"
    learner.write_text("id: [unclosed\n", encoding="utf-8")
    runner.invoke(app, ["summarise", str(sample), "--today", TODAY])
    warm = _render(runner, sample, tmp_path / "warm", "--jobs", "2")
    assert "L-2026-004" in warm[1]
    assert warm == _render(runner, sample, tmp_path / "cold", cache=False)

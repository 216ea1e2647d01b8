"""Whole-caseload commands on both cores: the output is byte for byte that of one process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.parallel import MIN_CASES, worker_count
from tests.conftest import REPO, TODAY, app

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate_caseload


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated caseload with history: 40 learners, warnings, alerts of every level."""
    return generate_caseload(tmp_path_factory.mktemp("parallel") / "caseload", 40, years=2)


COMMANDS = [("validate",), ("validate", "--format", "json"), ("alerts",),
            ("alerts", "--format", "json"), ("summarise",), ("summarise", "--format", "csv"),
            ("summarise", "--status", "active", "--format", "json")]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_workers_say_exactly_what_one_process_says(
    runner: CliRunner, big: Path, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two worker processes, chunked cases, results merged: the same bytes and exit code."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    args = [command[0], str(big), *command[1:], "--today", TODAY]
    one = runner.invoke(app, ["--no-cache", "--jobs", "1", *args])
    two = runner.invoke(app, ["--no-cache", "--jobs", "2", *args])
    assert (two.exit_code, two.stdout, two.stderr) == (one.exit_code, one.stdout, one.stderr)
    assert one.stdout or one.stderr
    # Warm: the workers' cache entries give the same answer again.
    warm = runner.invoke(app, ["--jobs", "2", *args])
    again = runner.invoke(app, ["--jobs", "2", *args])
    assert (again.exit_code, again.stdout) == (warm.exit_code, warm.stdout) == (
        one.exit_code, one.stdout)


def test_a_single_file_is_checked_alike_in_workers(
    runner: CliRunner, big: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Naming one file keeps its findings only, with or without workers."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "1")
    contract = next(big.glob("cases/*/contract.yaml"))
    one = runner.invoke(app, ["--jobs", "1", "validate", str(contract), "--today", TODAY])
    two = runner.invoke(app, ["--jobs", "2", "validate", str(contract), "--today", TODAY])
    assert (two.exit_code, two.stderr) == (one.exit_code, one.stderr)
    assert "1 file checked" in one.stderr


def test_small_caseloads_stay_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers start only from the measured break-even on, and never for --jobs 1."""
    monkeypatch.delenv("PATHWAY_PARALLEL_MIN", raising=False)
    monkeypatch.delenv("PATHWAY_JOBS", raising=False)
    assert worker_count(MIN_CASES - 1, 2) == 1
    assert worker_count(MIN_CASES, 2) == 2
    assert worker_count(10_000, 1) == 1
    assert worker_count(3, 8) == 1

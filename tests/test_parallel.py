"""Whole-caseload commands on both cores: the output is byte for byte that of one process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.parallel import MIN_CASES, map_halves, worker_count
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


def _halves_task(items: list[int], parent: int) -> list[tuple[int, bool]]:
    """Each item squared, and whether it was done in another process than ``parent``."""
    return [(item * item, os.getpid() != parent) for item in items]


def _failing_in_child(items: list[int], parent: int) -> list[int]:
    if os.getpid() != parent:
        raise RuntimeError("the child fails")
    return [item + 1 for item in items]


def test_map_halves_keeps_the_order_and_uses_a_second_process() -> None:
    """Two halves, the second in a forked child: the results come back in the items' order."""
    items = list(range(1000))
    found = map_halves(items, _halves_task, os.getpid(), jobs=2, least=10)
    assert [value for value, _ in found] == [item * item for item in items]
    forked = [elsewhere for _, elsewhere in found]
    if sys.platform.startswith("linux"):
        assert forked == [False] * 530 + [True] * 470  # the parent takes a little more
    else:  # fork is not used where it is not safe
        assert not any(forked)


def test_map_halves_does_a_failed_childs_half_itself() -> None:
    """A child that fails costs time, never a result: its half is done in this process."""
    items = list(range(600))
    assert map_halves(items, _failing_in_child, os.getpid(), jobs=2, least=10) == \
        [item + 1 for item in items]


def test_map_halves_stays_in_one_process_when_asked_or_small(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 1, or fewer items than the break-even: no fork."""
    monkeypatch.delenv("PATHWAY_PARALLEL_MIN", raising=False)
    parent = os.getpid()
    assert not any(e for _, e in map_halves(list(range(900)), _halves_task, parent, jobs=1))
    assert not any(e for _, e in map_halves(list(range(99)), _halves_task, parent, jobs=2,
                                            least=100))


def _sent_as_text(results: list[tuple[int, bool]]) -> str:
    return ";".join(f"{value},{int(elsewhere)}" for value, elsewhere in results)


def _received_from_text(text: str) -> list[tuple[int, bool]]:
    pairs = [part.split(",") for part in text.split(";")]
    return [(int(value), elsewhere == "1") for value, elsewhere in pairs]


def test_map_halves_carries_the_childs_half_through_send_and_receive() -> None:
    """The child's results travel as ``send`` makes them and come back through ``receive``;
    a ``receive`` that fails only costs time: the half is done again here."""
    items = list(range(800))
    found = map_halves(items, _halves_task, os.getpid(), jobs=2, least=10,
                       send=_sent_as_text, receive=_received_from_text)
    assert [value for value, _ in found] == [item * item for item in items]
    if sys.platform.startswith("linux"):
        assert [elsewhere for _, elsewhere in found] == [False] * 424 + [True] * 376

    def broken(text: str) -> list[tuple[int, bool]]:
        raise ValueError(text[:10])

    again = map_halves(items, _halves_task, os.getpid(), jobs=2, least=10,
                       send=_sent_as_text, receive=broken)
    assert again == [(item * item, False) for item in items]

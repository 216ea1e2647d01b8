"""Many pathway processes at once on one caseload: every reported write lands, none is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import TODAY

PROCESSES = 12  # updates started at once, each round
EXPORTS = 8  # exports started at once, each round (heavier processes)
ROUNDS = 3
CASE = "L-2026-008"


def _start(argv: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("PATHWAY_DEBUG", None)
    return subprocess.Popen([sys.executable, "-m", "pathway_cli", *argv, "--today", TODAY],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out + err


def test_parallel_updates_of_one_case_never_lose_a_reported_write(sample: Path) -> None:
    """Each of many simultaneous `set` processes either lands its key or is refused."""
    learner = sample / "cases" / CASE / "learner.yaml"
    reported: set[str] = set()
    for round_ in range(ROUNDS):
        keys = [f"r{round_}k{n}" for n in range(PROCESSES)]
        started = [(key, _start(["set", CASE, "learner", f"extra.{key}=v", "--caseload",
                                 str(sample)], sample)) for key in keys]
        for key, process in started:
            code, text = _finish(process)
            assert "internal error" not in text and "Traceback" not in text, text
            if code == 0:
                assert "wrote" in text, text
                reported.add(key)
            else:
                assert code == 1 and "error:" in text, text
        data = yaml.safe_load(learner.read_text(encoding="utf-8"))
        landed = set((data.get("extra") or {}).keys())
        assert reported <= landed, f"round {round_}: reported but lost: {reported - landed}"
        assert landed <= reported, f"round {round_}: written but not reported"
    # With the lock the updates wait for each other instead of being refused.
    assert len(reported) == PROCESSES * ROUNDS


def test_parallel_first_pseudonymised_exports_share_one_key(sample: Path) -> None:
    """Exports started together make one pseudonym key and all give the same pseudonyms."""
    for round_ in range(ROUNDS):
        key = sample / ".pathway" / "pseudonym.key"
        key.unlink(missing_ok=True)
        started = [_start(["export", str(sample), "--pseudonymise", "-o",
                           str(sample / f"out-{round_}-{n}.csv")], sample)
                   for n in range(EXPORTS)]
        results = [_finish(p) for p in started]
        for code, text in results:
            assert code == 0, text
            assert "damaged" not in text
        outputs = {(sample / f"out-{round_}-{n}.csv").read_text(encoding="utf-8")
                   for n in range(EXPORTS)}
        assert len(outputs) == 1
        assert len(bytes.fromhex(key.read_text(encoding="ascii").strip())) == 32


def test_a_key_still_being_written_is_waited_for(sample: Path) -> None:
    """A key file that exists but is still empty (another export is writing it) is awaited."""
    import threading

    from pathway_cli.export import load_or_create_key

    folder = sample / ".pathway"
    folder.mkdir()
    key = folder / "pseudonym.key"
    key.write_bytes(b"")
    digits = "ab" * 32

    def finish() -> None:
        key.write_text(digits + "\n", encoding="ascii")

    timer = threading.Timer(0.3, finish)
    timer.start()
    try:
        loaded, created = load_or_create_key(sample)
    finally:
        timer.join()
    assert loaded == bytes.fromhex(digits)
    assert created is False


def test_a_held_case_lock_refuses_a_second_writer_after_its_timeout(tmp_path: Path) -> None:
    """While one writer holds a case's lock, another waits and then gives up with a message."""
    import threading

    import pytest

    from pathway_cli.errors import UserError
    from pathway_cli.writer import held_lock

    lock = tmp_path / ".pathway" / "locks" / "L-1.lock"
    holding = threading.Event()
    release = threading.Event()

    def first() -> None:
        with held_lock(lock, "case L-1"):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(UserError, match="being updated by another pathway command"), \
                held_lock(lock, "case L-1", timeout=0.2):
            pass
    finally:
        release.set()
        thread.join()
    with held_lock(lock, "case L-1", timeout=0.2), held_lock(lock, "case L-1", timeout=0.2):
        pass  # free again, and re-entrant within one writer

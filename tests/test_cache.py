"""The cache of loaded cases: the same answers as a cold run, never a stale or foreign one."""

from __future__ import annotations

import os
import pickle
import shutil
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE, TODAY, app

REVIEW = Path("cases/L-2026-002/reviews/2026-10-26.yaml")


@pytest.fixture
def caseload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample whose cache lives where it would for a user: .pathway/cache/."""
    monkeypatch.delenv("PATHWAY_CACHE_DIR")
    target = tmp_path / "caseload"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".pathway"))
    # a case changed within a clock tick of its entry's writing is not stored ("racily
    # clean"); on a quiet machine the first run comes that soon after the copy
    time.sleep(0.05)
    return target


def entries(root: Path, kind: str = "case") -> list[Path]:
    """The cache entries of a caseload (``case``: loaded cases; ``checked``: validate's;
    ``facts``: the facts of alerts and summarise; ``*``: all)."""
    folder = root / ".pathway" / "cache"
    return sorted(folder.glob(f"*.{kind}")) if folder.is_dir() else []


def run(runner: CliRunner, *args: str, today: str = TODAY) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``pathway ARGS --today TODAY``."""
    result = runner.invoke(app, [*args, "--today", today])
    return result.exit_code, result.stdout, result.stderr


COMMANDS = [("validate",), ("alerts",), ("summarise",), ("summarise", "--format", "json"),
            ("export", "--format", "jsonl")]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_warm_run_says_exactly_what_a_cold_run_says(
    runner: CliRunner, caseload: Path, command: tuple[str, ...]
) -> None:
    """With every case taken from the cache, the output is byte for byte a cold run's."""
    kind = "checked" if command[0] == "validate" else "case"  # validate keeps its findings
    cold = run(runner, "--no-cache", command[0], str(caseload), *command[1:])
    assert entries(caseload, kind) == []
    first = run(runner, command[0], str(caseload), *command[1:])
    assert len(entries(caseload, kind)) == 9
    stamps = [p.stat().st_mtime_ns for p in entries(caseload, kind)]
    warm = run(runner, command[0], str(caseload), *command[1:])
    assert cold == first == warm
    assert [p.stat().st_mtime_ns for p in entries(caseload, kind)] == stamps  # read only


def test_an_edit_keeping_size_and_mtime_is_seen(runner: CliRunner, caseload: Path) -> None:
    """One byte changed, size kept and mtime set back: the change time moves, so the key sees it."""
    run(runner, "alerts", str(caseload))
    path = caseload / REVIEW
    info = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "attendance: 0.62" in text
    path.write_text(text.replace("attendance: 0.62", "attendance: 0.92"), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    warm = run(runner, "alerts", str(caseload))
    assert "attendance 62%" not in warm[1]
    assert warm == run(runner, "--no-cache", "alerts", str(caseload))


def test_a_new_review_is_seen(runner: CliRunner, caseload: Path) -> None:
    """A file added to a case's reviews/ changes the case's key."""
    run(runner, "validate", str(caseload))
    new = caseload / "cases/L-2026-002/reviews/2026-11-20.yaml"
    new.write_text("date: 2026-11-20\nkind: mentoring\nwellbeing: 9\n", encoding="utf-8")
    code, _, err = run(runner, "validate", str(caseload))
    assert code == 1 and "2026-11-20.yaml" in err


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_a_damaged_entry_is_ignored_and_rebuilt(
    runner: CliRunner, caseload: Path, damage: str
) -> None:
    """A corrupt entry (a loaded case's or a case's facts) gives the cold answer and is
    written again, intact."""
    cold = run(runner, "alerts", str(caseload))
    # a loaded case and its facts for each of the 9 cases, and the caseload's thresholds
    assert len(entries(caseload, "*")) == 19
    for entry in entries(caseload, "*"):
        blob = entry.read_bytes()
        if damage == "truncate":
            entry.write_bytes(blob[: len(blob) // 2])
        elif damage == "flip":
            entry.write_bytes(blob[:100] + bytes([blob[100] ^ 1]) + blob[101:])
        else:
            entry.write_bytes(b"")
    assert run(runner, "alerts", str(caseload)) == cold
    assert all(len(e.read_bytes()) > 1000 for e in entries(caseload))
    assert all(len(e.read_bytes()) > 300 for e in entries(caseload, "facts"))
    before = {e: e.stat().st_mtime_ns for e in entries(caseload, "*")}
    assert run(runner, "alerts", str(caseload)) == cold
    assert {e: e.stat().st_mtime_ns for e in entries(caseload, "*")} == before


def test_a_foreign_cache_is_never_loaded(
    runner: CliRunner, caseload: Path, tmp_path: Path
) -> None:
    """Entries signed with another user's key (or none) are not unpickled: no code runs."""
    run(runner, "validate", str(caseload))
    run(runner, "alerts", str(caseload))
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Exploit())
    # validate's (nine cases and the settings), and alerts' loaded cases, facts and
    # thresholds
    assert len(entries(caseload, "*")) == 29
    for entry in entries(caseload, "*"):
        entry.write_bytes(b"\0" * 32 + payload)
    assert run(runner, "validate", str(caseload))[0] == 0
    assert run(runner, "alerts", str(caseload))[0] == 0
    assert not marker.exists()


def test_a_new_key_makes_old_entries_foreign(runner: CliRunner, caseload: Path) -> None:
    """Entries made under an earlier key fail the signature check and are rebuilt."""
    cold = run(runner, "summarise", str(caseload))
    key = Path(os.environ["XDG_CACHE_HOME"]) / "pathway" / "cache-key"
    key.write_bytes(os.urandom(32))
    before = {e: e.stat().st_mtime_ns for e in entries(caseload)}
    assert run(runner, "summarise", str(caseload)) == cold
    assert all(e.stat().st_mtime_ns != before[e] for e in entries(caseload))


def test_another_version_of_pathway_never_reads_the_entries(
    runner: CliRunner, caseload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries carry pathway's fingerprint; another version's are stale and rebuilt."""
    from pathway_cli import cache

    run(runner, "validate", str(caseload))
    before = {e: e.stat().st_mtime_ns for e in entries(caseload, "*")}
    assert len(before) == 10
    monkeypatch.setattr(cache, "pathway_fingerprint", lambda: "another version")
    assert run(runner, "validate", str(caseload))[0] == 0
    assert all(e.stat().st_mtime_ns != before[e] for e in entries(caseload, "*"))


def test_rules_that_depend_on_today_run_every_time(runner: CliRunner, caseload: Path) -> None:
    """Cached at one date, read at another: the alerts are those of the later date."""
    run(runner, "alerts", str(caseload), today="2026-10-01")
    later = run(runner, "alerts", str(caseload), today="2027-03-01")
    assert later == run(runner, "--no-cache", "alerts", str(caseload), today="2027-03-01")
    assert later != run(runner, "alerts", str(caseload), today="2026-10-01")


def test_no_cache_writes_nothing(runner: CliRunner, caseload: Path) -> None:
    """`--no-cache` and PATHWAY_NO_CACHE=1 leave no cache behind."""
    run(runner, "--no-cache", "validate", str(caseload))
    os.environ["PATHWAY_NO_CACHE"] = "1"
    try:
        run(runner, "alerts", str(caseload))
    finally:
        del os.environ["PATHWAY_NO_CACHE"]
    assert not (caseload / ".pathway" / "cache").exists()


def test_unusable_pathway_folder_sends_the_cache_to_the_user(
    runner: CliRunner, caseload: Path, tmp_path: Path
) -> None:
    """Where .pathway/ cannot be used (here a link elsewhere), the user's cache folder is used."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (caseload / ".pathway").symlink_to(elsewhere)
    cold = run(runner, "--no-cache", "validate", str(caseload))
    assert run(runner, "validate", str(caseload)) == cold
    assert list(elsewhere.iterdir()) == []
    user = Path(os.environ["XDG_CACHE_HOME"]) / "pathway" / "caseloads"
    assert len(list(user.glob("*/*.checked"))) == 9
    assert run(runner, "validate", str(caseload)) == cold


def test_a_warm_run_parses_no_record_again(
    runner: CliRunner, caseload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every case from the cache, validate parses no case file's YAML again.

    (pathway.yaml and mentors.yaml are read every run: two small files.)
    """
    from pathway_cli import loader

    run(runner, "validate", str(caseload))
    calls: list[str] = []
    real = loader.parse_text
    monkeypatch.setattr(loader, "parse_text", lambda text: (calls.append(text), real(text))[1])
    assert run(runner, "validate", str(caseload))[0] == 0
    settings = {(caseload / name).read_text(encoding="utf-8")
                for name in ("pathway.yaml", "mentors.yaml")}
    assert [text for text in calls if text not in settings] == []

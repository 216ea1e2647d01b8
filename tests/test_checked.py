"""The cache of checked cases: a warm ``validate`` says byte for byte what ``--no-cache`` says."""

from __future__ import annotations

import inspect
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.validation import CASE_RULES, DATED_RULES
from tests.conftest import REPO, SAMPLE, TODAY, app
from tests.test_validate_fixtures import CASES, _build

EARLIER = "2025-06-01"  # reviews and consents after this day: findings that a later day lacks
LATER = "2027-06-01"  # plans not reviewed for months: findings that TODAY lacks
REVIEW_RULES = ("plan-not-reviewed", "consent-future", "date-implausible",
                "mentor-ended-no-review")


def run(runner: CliRunner, root: Path, *args: str, cache: bool = True,
        today: str = TODAY) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``pathway validate ROOT ARGS --today TODAY``."""
    head = [] if cache else ["--no-cache"]
    result = runner.invoke(app, [*head, "validate", str(root), *args, "--today", today])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def checked_entries(cache: Path) -> dict[str, int]:
    """The checked-case entries of a cache folder, with their modification times."""
    return {p.name: p.stat().st_mtime_ns for p in cache.glob("*.checked")} \
        if cache.is_dir() else {}


@pytest.fixture
def cache_dir() -> Path:
    """Where this test's cache lives (conftest gives each test its own)."""
    return Path(os.environ["PATHWAY_CACHE_DIR"])


@pytest.fixture
def caseload(tmp_path: Path) -> Path:
    """A copy of the sample, a clock tick old (a case changed within a tick of its entry's
    writing is not stored: "racily clean")."""
    target = tmp_path / "caseload"
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".pathway"))
    time.sleep(0.05)
    return target


def _same_at_every_day(runner: CliRunner, root: Path, *args: str) -> None:
    for today in (TODAY, EARLIER, LATER, TODAY):
        expected = run(runner, root, *args, cache=False, today=today)
        assert run(runner, root, *args, today=today) == expected, today
        assert run(runner, root, *args, today=today) == expected, today


@pytest.mark.parametrize("name", CASES)
def test_every_fixture_warm_is_the_cold_answer(runner: CliRunner, tmp_path: Path,
                                               name: str) -> None:
    """Each rule's fixture, at days on both sides of the dated rules' thresholds, is reported
    from a warm cache exactly as without the cache."""
    root = tmp_path / name
    _build(name, root)
    time.sleep(0.03)
    _same_at_every_day(runner, root)


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_the_sample_warm_is_the_cold_answer_in_every_format(
    runner: CliRunner, caseload: Path, output: str
) -> None:
    """The sample in each output format, cold, warm, and warm at other days, is the same."""
    _same_at_every_day(runner, caseload, "--format", output)


def test_a_dated_finding_appears_and_disappears_on_a_warm_cache(
    runner: CliRunner, caseload: Path, cache_dir: Path
) -> None:
    """Entries written today decide the dated rules again for another day: a plan review
    falls due later, reviews and consents lie in the future earlier."""
    today = run(runner, caseload)
    stamps = checked_entries(cache_dir)
    assert len(stamps) == 9
    later = run(runner, caseload, today=LATER)
    earlier = run(runner, caseload, today=EARLIER)
    assert "plan-not-reviewed" not in today[2] and "plan-not-reviewed" in later[2]
    assert "consent-future" not in today[2] and "consent-future" in earlier[2]
    assert "mentor-ended-no-review" in today[2] and "mentor-ended-no-review" not in earlier[2]
    assert later == run(runner, caseload, cache=False, today=LATER)
    assert earlier == run(runner, caseload, cache=False, today=EARLIER)
    assert run(runner, caseload) == today
    assert run(runner, caseload) == today


def test_a_warm_run_reads_the_entries_and_writes_nothing(
    runner: CliRunner, caseload: Path, cache_dir: Path
) -> None:
    """Nothing changed: every entry is read, none rewritten."""
    run(runner, caseload)
    stamps = checked_entries(cache_dir)
    assert len(stamps) == 9
    run(runner, caseload)
    assert checked_entries(cache_dir) == stamps


def test_one_file_changed_rewrites_only_its_case(
    runner: CliRunner, caseload: Path, cache_dir: Path
) -> None:
    """An edited record is checked as today; the other cases stay answered from the cache."""
    run(runner, caseload)
    stamps = checked_entries(cache_dir)
    plan = caseload / "cases/L-2026-001/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("baseline:", "basline:", 1),
                    encoding="utf-8")
    time.sleep(0.03)
    changed = run(runner, caseload)
    assert changed == run(runner, caseload, cache=False)
    assert "basline" in changed[2] and changed[0] == 1
    now = checked_entries(cache_dir)
    assert len([name for name in now if now[name] != stamps[name]]) == 1


@pytest.mark.parametrize("edit", [
    ("pathway.yaml", "review_every_days: 28", "review_every_days: 7"),
    ("mentors.yaml", "    trained: 2025-11-20\n", ""),
])
def test_settings_or_mentors_changed_leave_the_entries_unused(
    runner: CliRunner, caseload: Path, edit: tuple[str, str, str]
) -> None:
    """pathway.yaml and mentors.yaml change what rules find: entries of other settings are
    not used."""
    name, old, new = edit
    before = run(runner, caseload)
    path = caseload / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    after = run(runner, caseload)
    assert after != before
    assert after == run(runner, caseload, cache=False)


def test_settings_through_a_link_go_without_the_checked_cache(
    runner: CliRunner, caseload: Path, cache_dir: Path
) -> None:
    """pathway.yaml as a link is not hashed for a key: validate answers without the cache."""
    real = caseload.parent / "settings.yaml"
    (caseload / "pathway.yaml").rename(real)
    (caseload / "pathway.yaml").symlink_to(real)
    expected = run(runner, caseload, cache=False)
    assert run(runner, caseload) == expected
    assert run(runner, caseload) == expected
    assert checked_entries(cache_dir) == {}


def test_a_corrupt_or_misplaced_entry_is_ignored(
    runner: CliRunner, caseload: Path, cache_dir: Path
) -> None:
    """A damaged entry, or one case's entry under another's name, is never used."""
    expected = run(runner, caseload)
    names = sorted(checked_entries(cache_dir))
    (cache_dir / names[0]).write_bytes(b"not an entry")
    (cache_dir / names[1]).write_bytes((cache_dir / names[2]).read_bytes())
    caseload_entry = next(cache_dir.glob("*.checked-caseload"))
    caseload_entry.write_bytes(caseload_entry.read_bytes()[:-3] + b"xyz")
    assert run(runner, caseload) == expected
    assert run(runner, caseload) == expected


@pytest.mark.parametrize(("named", "options"), [
    (["cases/L-2026-002/plan.yaml"], []),
    (["cases/L-2026-002/plan.yaml"], ["--whole-cases"]),
    (["cases/L-2026-004/contract.yaml"], ["--strict"]),
    (["cases/L-2026-004/contract.yaml"], ["--format", "json"]),
    (["cases/L-2026-006"], ["--strict", "--format", "github"]),
    (["cases/L-2026-001/learner.yaml", "pathway.yaml"], []),
])
def test_named_files_and_options_warm(runner: CliRunner, caseload: Path, named: list[str],
                                      options: list[str]) -> None:
    """Files named alone, --whole-cases, --strict and the formats, warm, as without cache."""
    paths = [str(caseload / name) for name in named]
    for today in (TODAY, LATER):
        argv = ["validate", *paths, *options, "--today", today]
        expected = runner.invoke(app, ["--no-cache", *argv])
        for _ in range(2):
            warm = runner.invoke(app, argv)
            assert (warm.exit_code, warm.stdout, warm.stderr) == \
                (expected.exit_code, expected.stdout, expected.stderr)


def test_entries_looked_up_by_workers_give_the_same_answer(
    runner: CliRunner, caseload: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two worker processes look the entries up (and check the cases a new day needs): the
    same bytes as one process without the cache."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    for today in (TODAY, TODAY, LATER, LATER, EARLIER, TODAY):
        argv = ["validate", str(caseload), "--today", today]
        expected = runner.invoke(app, ["--no-cache", "--jobs", "1", *argv])
        two = runner.invoke(app, ["--jobs", "2", *argv])
        assert (two.exit_code, two.stdout, two.stderr) == \
            (expected.exit_code, expected.stdout, expected.stderr), today


def test_every_rule_that_reads_today_is_decided_afresh() -> None:
    """A rule that reads today's date is one of the rules never cached as results."""
    reading_today = {rule for rule in CASE_RULES if "today" in inspect.getsource(rule)}
    assert reading_today == set(DATED_RULES)


PROBE = """
import contextlib, io, json, sys
sys.argv = ["pathway", "validate", sys.argv[1], "--today", sys.argv[2]]
from pathway_cli.cli import main
with contextlib.redirect_stderr(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def imported_by_validate(root: Path, today: str) -> set[str]:
    """The modules a fresh ``pathway validate ROOT`` process has imported when it ends."""
    result = subprocess.run([sys.executable, "-c", PROBE, str(root), today],
                            capture_output=True, text=True, check=True, cwd=REPO)
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_a_warm_run_parses_no_yaml_and_imports_no_record_model(caseload: Path) -> None:
    """With every case in the cache, validate neither imports YAML nor the record models."""
    first = imported_by_validate(caseload, TODAY)
    assert {"yaml", "pathway_cli.models", "pathway_cli.loader"} <= first  # cold: loaded
    # a later day finds plans not reviewed, placed nowhere yet: those cases are read again
    assert "pathway_cli.models" in imported_by_validate(caseload, LATER)
    for today in (TODAY, LATER, TODAY):  # and the entries now know both days' places
        warm = imported_by_validate(caseload, today)
        assert warm & {"yaml", "pathway_cli.models", "pathway_cli.caseload",
                       "pathway_cli.loader", "pathway_cli.validation"} == set(), today


def test_a_finding_rebuilt_from_an_entry_is_the_finding() -> None:
    """The fast rebuild of a cached finding sets every field of ``Finding`` as its
    constructor does (a new field of Finding would fail here, not go missing)."""
    import dataclasses

    from pathway_cli.checked import _finding
    from pathway_cli.findings import Finding, Severity

    rebuilt = _finding(("cases/L-1/plan.yaml", 3, 4, "warning", "plan-no-goals", "m"))
    made = Finding(Path("cases/L-1/plan.yaml"), "plan-no-goals", "m", Severity.WARNING,
                   line=3, column=4)
    assert rebuilt == made and hash(rebuilt) == hash(made)
    assert set(vars(rebuilt)) == {f.name for f in dataclasses.fields(Finding)}
    assert vars(rebuilt) == vars(made)

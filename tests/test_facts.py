"""alerts and summarise from the cached facts of each case: the same bytes as from the records.

The golden files under tests/golden/facts/ were written by pathway before the facts existed
(alerts and rows computed from loaded cases); ``PATHWAY_UPDATE_GOLDEN=1`` writes them again.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO, SAMPLE, app

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate_caseload

GOLDEN = REPO / "tests" / "golden" / "facts"
ALERTS_FIXTURE = REPO / "tests" / "fixtures" / "alerts" / "caseload"
# Before, on and after the generated caseload's day (2026-11-23): reviews in the future,
# reviews and goals overdue, closed cases due their follow-ups, plans long unreviewed.
DAYS = {"sample": ("2026-09-01", "2026-11-23", "2027-06-30"),
        "alerts": ("2026-03-01", "2026-11-23", "2027-02-01"),
        "generated": ("2026-06-01", "2026-11-23", "2027-01-10", "2028-02-29")}
# Tables as piped (tab-separated), and once drawn as on a terminal 200 columns wide.
WIDE = "wide"
COMMANDS: list[tuple[str, ...]] = [
    ("alerts",), ("alerts", "--format", "json"), ("alerts", WIDE),
    ("alerts", "--status", "active", "--group", "transition", "--fail-on", "red"),
    ("summarise",), ("summarise", "--format", "json"), ("summarise", "--format", "csv"),
    ("summarise", WIDE), ("summarise", "--status", "active", "--format", "csv"),
    ("summarise", "--key-worker", "coach1"), ("summarise", "--group", "migrant"),
]


@pytest.fixture(scope="module")
def caseloads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the three caseloads side by side: sample, alerts fixture, generated."""
    where = tmp_path_factory.mktemp("facts")
    shutil.copytree(SAMPLE, where / "sample")
    shutil.copytree(ALERTS_FIXTURE, where / "alerts")
    generate_caseload(where / "generated", 30, seed=13, years=1)
    yield where


def run_all(runner: CliRunner, name: str, *options: str) -> str:
    """Every command at every day on one caseload, as one text: command, exit, stdout, stderr."""
    parts = []
    for day in DAYS[name]:
        for command in COMMANDS:
            wide = WIDE in command
            rest = [word for word in command[1:] if word != WIDE]
            args = [*options, command[0], name, *rest, "--today", day]
            result = runner.invoke(app, args, env={"COLUMNS": "200"} if wide else None)
            parts.append(f"=== {' '.join(command)} --today {day}: exit {result.exit_code}\n"
                         f"{result.stdout}--- stderr\n{result.stderr}")
    return "".join(parts)


@pytest.mark.parametrize("name", sorted(DAYS))
def test_alerts_and_summaries_match_what_the_records_gave(
    runner: CliRunner, caseloads: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cold, warm and --no-cache runs print exactly the golden output of pathway before facts."""
    monkeypatch.chdir(caseloads)
    monkeypatch.delenv("COLUMNS", raising=False)
    golden = GOLDEN / f"{name}.txt"
    no_cache = run_all(runner, name, "--no-cache")
    if os.environ.get("PATHWAY_UPDATE_GOLDEN"):
        golden.write_text(no_cache, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    assert no_cache == expected
    cold = run_all(runner, name)
    assert cold == expected
    warm = run_all(runner, name)
    assert warm == expected


class _Reads:
    """What a run read: record files (parsed, or for lines), and cache entries asked for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from pathway_cli import cache, loader

        self.parsed: list[Path] = []
        self.kinds: list[str] = []
        real_source, real_get = loader.load_source, cache.CaseCache.get_value
        real_read = loader.read_record_bytes

        def load_source(path: Path, *args: object, **kwargs: object) -> loader.Source:
            self.parsed.append(path)
            return real_source(path, *args, **kwargs)  # type: ignore[arg-type]

        def read_record_bytes(path: Path, *args: object) -> bytes:
            self.parsed.append(path)
            return real_read(path, *args)  # type: ignore[arg-type]

        def get_value(store: cache.CaseCache, folder: Path, fingerprint: object,
                      kind: str) -> object:
            self.kinds.append(kind)
            return real_get(store, folder, fingerprint, kind)  # type: ignore[arg-type]

        monkeypatch.setattr(loader, "load_source", load_source)
        monkeypatch.setattr(loader, "read_record_bytes", read_record_bytes)
        monkeypatch.setattr("pathway_cli.caseload.load_source", load_source)
        monkeypatch.setattr(cache.CaseCache, "get_value", get_value)

    def records(self) -> list[Path]:
        """The case record files read (pathway.yaml and mentors.yaml aside)."""
        return [p for p in self.parsed if "cases" in Path(p).parts]

    def clear(self) -> None:
        """Forget what was read so far."""
        self.parsed.clear()
        self.kinds.clear()


@pytest.mark.parametrize("command", [("alerts",), ("summarise",),
                                     ("alerts", "--key-worker", "nobody")], ids=" ".join)
def test_a_warm_run_parses_no_record_and_unpickles_no_case(
    runner: CliRunner, caseloads: Path, command: tuple[str, ...],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing changed: the facts entries answer, no record is parsed, no loaded case read;
    a new day parses only files for lines never needed before, and keeps them."""
    monkeypatch.chdir(caseloads)
    reads = _Reads(monkeypatch)
    args = ["--jobs", "1", command[0], "alerts", *command[1:], "--today", "2026-11-23"]
    cold = runner.invoke(app, args)
    assert reads.records() and "case" in reads.kinds
    reads.clear()
    warm = runner.invoke(app, args)
    assert (warm.exit_code, warm.stdout, warm.stderr) == (cold.exit_code, cold.stdout,
                                                          cold.stderr)
    assert reads.records() == []
    # the thresholds of pathway.yaml once, then the facts of each of the 31 cases
    assert reads.kinds[0] == "thresholds" and reads.kinds.count("thresholds") == 1
    facts = reads.kinds[1:]
    assert set(facts) == {"facts"} and len(facts) % 31 == 0
    later = [*args[:-1], "2027-02-01"]
    first = runner.invoke(app, later)
    assert reads.kinds and "case" not in reads.kinds
    reads.clear()
    again = runner.invoke(app, later)
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    assert reads.records() == [] and set(reads.kinds) == {"thresholds", "facts"}


def test_records_invalid_depends_on_the_records_only(caseloads: Path) -> None:
    """The validation errors behind records-invalid are the same on any day, with any
    settings and mentor pool, so caching their count and first place is sound."""
    from datetime import date

    from pathway_cli.caseload import load_caseload
    from pathway_cli.models import Settings
    from pathway_cli.validation import Context, case_findings

    fixtures = REPO / "tests" / "fixtures" / "validate" / "invalid"
    roots = [caseloads / "alerts", *sorted(p for p in fixtures.iterdir() if (p / "cases").is_dir())]
    strict = Settings.model_validate({"review_every_days": 7, "risk": {"no_plan_days": 1}})
    with_errors = 0
    pairs = [(case, each) for each in (load_caseload([root]) for root in roots)
             for case in each.cases]
    for case, loaded in pairs:
        contexts = [Context(loaded.settings, loaded.mentors, date(2020, 1, 1)),
                    Context(loaded.settings, None, date(2031, 12, 31)),
                    Context(strict, None, date(2026, 11, 23))]
        seen = [[(f.file, f.rule, f.message, f.key_path)
                 for f in case_findings(case, ctx, errors_only=True) if f.is_error]
                for ctx in contexts]
        assert seen[0] == seen[1] == seen[2], case.id
        with_errors += bool(seen[0])
    assert with_errors > 20


@pytest.mark.parametrize("name", ["generated", "alerts"])
def test_two_halves_print_what_the_records_gave(
    runner: CliRunner, caseloads: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run decided on two cores (the second half in a forked child) prints the golden
    output, cold and warm, as one process does."""
    monkeypatch.chdir(caseloads)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    cold = run_all(runner, name, "--jobs", "2")
    assert cold == expected
    assert run_all(runner, name, "--jobs", "2") == expected


def test_two_halves_with_changed_cases_print_what_one_process_prints(
    runner: CliRunner, caseloads: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run on two cores where some cases changed (loaded afresh after the halves, in
    both halves) prints what one process prints without the cache."""
    root = tmp_path / "generated"
    shutil.copytree(caseloads / "generated", root)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    commands = [("alerts",), ("alerts", "--format", "json"), ("summarise",),
                ("summarise", "--format", "json"), ("summarise", "--format", "csv")]

    def outputs(*options: str) -> list[str]:
        results = [runner.invoke(app, [*options, *command, "generated", "--today",
                                       "2026-11-23"]) for command in commands]
        return [f"{r.exit_code}\n{r.stdout}---\n{r.stderr}" for r in results]

    outputs("--jobs", "2")  # the cache filled
    cases = sorted(path for path in (root / "cases").iterdir() if path.is_dir())
    for case in (cases[1], cases[-2]):  # one in each half
        learner = case / "learner.yaml"
        text = learner.read_text(encoding="utf-8")
        status = re.search(r"^status: (\w+)$", text, re.MULTILINE)
        assert status is not None
        other = "paused" if status[1] == "active" else "active"
        learner.write_text(text.replace(status[0], f"status: {other}"), encoding="utf-8")
    assert outputs("--jobs", "2") == outputs("--no-cache", "--jobs", "1")


def test_a_piped_warm_run_imports_no_rich(tmp_path: Path) -> None:
    """Piped, a warm alerts or summarise writes its table and footer without Rich."""
    root = tmp_path / "caseload"
    shutil.copytree(SAMPLE, root)
    for command in ("alerts", "summarise"):
        args = (command, str(root), "--today", "2026-11-23")
        imported_by(*args)  # the cache filled
        assert not {name for name in imported_by(*args) if name.split(".")[0] == "rich"}


PROBE = """
import contextlib, io, json, sys
sys.argv = ["pathway", *sys.argv[1:]]
from pathway_cli.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""
HEAVY = {"yaml", "pydantic", "pathway_cli.models", "pathway_cli.caseload",
         "pathway_cli.loader", "pathway_cli.validation"}


def imported_by(*args: str) -> set[str]:
    """The modules a fresh ``pathway ARGS`` process has imported when it ends."""
    import json
    import subprocess

    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, check=True, cwd=REPO)
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize("command", ["alerts", "summarise"])
def test_a_warm_run_imports_no_record_model(tmp_path: Path, command: str) -> None:
    """With the facts and the thresholds cached, alerts and summarise import neither YAML
    nor pydantic nor the record models: pathway.yaml is not parsed again."""
    root = tmp_path / "caseload"
    shutil.copytree(SAMPLE, root)
    args = (command, str(root), "--today", "2026-11-23")
    assert imported_by(*args) >= HEAVY  # cold: the records are loaded
    warm = imported_by(*args)
    assert warm & HEAVY == set()
    assert "pathway_cli.facts" in warm


def test_thresholds_follow_pathway_yaml(runner: CliRunner, tmp_path: Path) -> None:
    """A changed threshold is used at once on a warm cache; a broken pathway.yaml is warned
    about on every run, cached or not, and its defaults used."""
    root = tmp_path / "caseload"
    shutil.copytree(SAMPLE, root)
    settings = root / "pathway.yaml"

    def both(*head: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
        args = ["alerts", str(root), "--format", "json", "--today", "2026-11-23"]
        warm = runner.invoke(app, [*head, *args])
        fresh = runner.invoke(app, ["--no-cache", *head, *args])
        return ((warm.exit_code, warm.stdout, warm.stderr),
                (fresh.exit_code, fresh.stdout, fresh.stderr))

    before, _ = both()
    assert both()[0] == before
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("attendance_amber: 0.85", "attendance_amber: 0.99"),
                        encoding="utf-8")
    warm, fresh = both()
    assert warm == fresh and warm != before
    assert "attendance-low" in warm[1] and warm[1].count("attendance-low") > \
        before[1].count("attendance-low")
    settings.write_text(text.replace("review_every_days: 28", "review_every_days: many"),
                        encoding="utf-8")
    for _ in range(2):  # cold, then with the thresholds cached
        warm, fresh = both()
        assert warm == fresh
        assert "pathway.yaml has errors, so the default settings" in \
            " ".join(warm[2].split())


@pytest.mark.parametrize("name", ["alerts", "sample"])
def test_rows_and_alerts_sent_packed_come_back_equal(caseloads: Path, name: str) -> None:
    """The overview's rows and the alerts, packed as the forked half sends them (sentences
    and their values included) and pickled, come back equal to what was packed."""
    import pickle
    from datetime import date

    from pathway_cli import summary
    from pathway_cli.alerts import find_alerts, packed_alerts, running, unpacked_alerts
    from pathway_cli.caseload import load_caseload

    caseload = load_caseload([caseloads / name])
    for day in DAYS[name]:
        today = date.fromisoformat(day)
        rows: list[summary.LearnerSummary | None] = [
            *summary.summarise_caseload(caseload, today), None]
        sent = pickle.loads(pickle.dumps(summary._packed(rows)))  # noqa: S301 - ours
        assert summary._unpacked(sent) == rows
        found = find_alerts(caseload, today)
        assert any(a.why is not None for a in found)
        assert unpacked_alerts(pickle.loads(pickle.dumps(packed_alerts(found)))) == \
            tuple(found)  # noqa: S301 - ours
        per_case = [found, None, []]
        assert running._unpacked(pickle.loads(pickle.dumps(  # noqa: S301 - ours
            running._packed(per_case)))) == per_case


def test_an_alert_is_made_with_every_field_of_its_dataclass() -> None:
    """Alert's own __init__ (faster than a frozen dataclass's) takes every field, in order,
    with the dataclass's defaults, and sets each: a field added later cannot be missed."""
    import dataclasses
    import inspect

    from pathway_cli.alerts import Alert

    fields = dataclasses.fields(Alert)
    parameters = list(inspect.signature(Alert.__init__).parameters.values())[1:]
    assert [p.name for p in parameters] == [f.name for f in fields]
    assert [p.default for p in parameters] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        for f in fields]
    made = Alert(*(f"value of {f.name}" for f in fields))  # type: ignore[arg-type]
    assert made.__dict__ == {f.name: f"value of {f.name}" for f in fields}
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.level = "red"  # type: ignore[misc]

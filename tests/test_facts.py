"""alerts and summarise from the cached facts of each case: the same bytes as from the records.

The golden files under tests/golden/facts/ were written by pathway before the facts existed
(alerts and rows computed from loaded cases); ``PATHWAY_UPDATE_GOLDEN=1`` writes them again.
"""

from __future__ import annotations

import os
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

"""The CLI behaves like a Unix tool: version, pipes, plain tables, usage errors that say why."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from pathway_cli import __version__
from pathway_cli.cli import app

from .conftest import SAMPLE, TODAY


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_flag_prints_the_version(runner: CliRunner, flag: str) -> None:
    """`pathway --version` and `-V` print the version and exit 0."""
    result = runner.invoke(app, [flag])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"pathway {__version__}"


@pytest.mark.parametrize("args", [
    ["summarise", str(SAMPLE), "--format", "json"],
    ["match", str(SAMPLE), "--dry-run"],
    ["summarise", str(SAMPLE)],
])
def test_a_reader_that_stops_early_is_not_an_error(args: list[str]) -> None:
    """Output into a pipe whose reader has gone (`| head`) ends quietly, without 'Broken pipe'."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before pathway writes a byte
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pathway_cli", *args, "--today", TODAY],
            stdout=write_end, stderr=subprocess.PIPE, text=True, check=False, timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""


def test_piped_summary_is_one_tab_separated_line_a_learner(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Piped without COLUMNS, summarise prints a header and one tab-separated line a learner."""
    monkeypatch.delenv("COLUMNS", raising=False)
    result = runner.invoke(app, ["summarise", str(SAMPLE), "--today", TODAY])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:3] == ["risk", "learner", "name"]
    assert len(lines) == 1 + 9
    assert not any(ch in result.stdout for ch in "┃━│─┏┗")
    first = lines[1].split("\t")
    assert first[:2] == ["red", "L-2026-002"]
    assert len(first) == len(lines[0].split("\t"))
    assert "learners:" in result.stderr  # the counts go beside the data, not into it


def test_piped_alerts_are_one_line_an_alert_with_their_record(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Piped without COLUMNS, alerts print one tab-separated line an alert, ending in the file."""
    monkeypatch.delenv("COLUMNS", raising=False)
    result = runner.invoke(app, ["alerts", str(SAMPLE), "--today", TODAY])
    lines = result.stdout.splitlines()
    assert lines[0] == "level\tlearner\trule\twhat\trecord"
    assert len(lines) == 1 + 12
    assert all(len(line.split("\t")) == 5 for line in lines)
    assert lines[1].split("\t")[-1].endswith("reviews/2026-10-26.yaml:4")


def test_columns_keeps_the_drawn_table(runner: CliRunner) -> None:
    """With COLUMNS set, the piped summary is the drawn table, as in a terminal."""
    result = runner.invoke(app, ["summarise", str(SAMPLE), "--today", TODAY],
                           env={"COLUMNS": "200"})
    assert "┃" in result.stdout


def test_an_impossible_today_is_not_a_real_date_and_blames_the_flag(runner: CliRunner) -> None:
    """`--today 2026-02-30` is 'not a real date', blamed on --today, not on PATHWAY_TODAY."""
    result = runner.invoke(app, ["validate", str(SAMPLE), "--today", "2026-02-30"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "not a real date" in text
    assert "'--today'" in text
    assert "PATHWAY_TODAY" not in text


def test_an_impossible_pathway_today_blames_the_variable(runner: CliRunner) -> None:
    """A bad PATHWAY_TODAY (and no --today) is blamed on the environment variable."""
    result = runner.invoke(app, ["validate", str(SAMPLE)],
                           env={"COLUMNS": "200", "PATHWAY_TODAY": "2026-13-01"})
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert "environment variable PATHWAY_TODAY" in text
    assert "not a real date" in text


def test_a_badly_written_today_asks_for_the_format(runner: CliRunner) -> None:
    """`--today 23.11.2026` asks for YYYY-MM-DD."""
    result = runner.invoke(app, ["validate", str(SAMPLE), "--today", "23.11.2026"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr

"""The CLI behaves like a Unix tool: version, pipes, plain tables, usage errors that say why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
    assert len(lines) == 1 + 16
    assert all(len(line.split("\t")) == 5 for line in lines)
    # José's engagement-drop leads the red alerts since his check-in of 2026-11-17.
    assert lines[1].split("\t")[-1].endswith("reviews/2026-11-17.yaml:5")


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


@pytest.mark.parametrize("args", [
    ["timeline"],
    ["badges", "-o", "BADGES", "--unsigned"],
    ["goal", "G1", "--note", "resit booked", "--dry-run"],
    ["review", "new", "--dry-run"],
    ["sign", "--party", "guardian", "--name", "Ewa Zielińska", "--dry-run"],
    ["close", "--outcome", "employed", "--dry-run"],
])
def test_inside_a_case_folder_the_id_can_be_left_out(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Run inside cases/L-2026-002/, a command that takes an ID works on that case."""
    monkeypatch.chdir(sample / "cases" / "L-2026-002")
    args = [str(sample / "badges-out") if a == "BADGES" else a for a in args]
    result = runner.invoke(app, [*args, "--today", TODAY], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "L-2026-002" in result.output or "Łukasz" in result.output


def test_outside_a_case_folder_a_missing_id_is_asked_for(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the caseload root, `pathway timeline` asks which learner."""
    monkeypatch.chdir(sample)
    result = runner.invoke(app, ["timeline", "--today", TODAY])
    assert result.exit_code == 1
    assert "which learner?" in result.stderr


def test_render_inside_a_case_folder_is_that_one_case(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pathway render --template plan` inside a case folder prints that case's plan."""
    monkeypatch.chdir(sample / "cases" / "L-2026-002")
    result = runner.invoke(app, ["render", "--template", "plan", "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert "Łukasz Zieliński (L-2026-002)" in result.stdout


def test_paths_in_messages_are_relative_to_the_folder_run_in(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a case folder, another case's file is shown as ../L-2026-005/contract.yaml."""
    monkeypatch.chdir(sample / "cases" / "L-2026-002")
    result = runner.invoke(app, ["validate", "--today", TODAY, "--format", "json"])
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert files == {str(Path("..") / "L-2026-005" / "contract.yaml"),
                     str(Path("..") / "L-2026-001" / "learner.yaml")}  # Ana left, no goodbye


def test_render_batch_lists_each_skipped_case_once_with_its_cause(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A batch lists each skipped case once, labelled no consent or nothing to report."""
    result = runner.invoke(app, ["render", str(sample), "--template", "progress", "--audience",
                                 "guardian", "--status", "all", "-o", str(tmp_path / "out"),
                                 "--today", TODAY])
    lines = result.stderr.splitlines()
    assert sum("L-2026-001" in line and "consent" in line for line in lines) == 1
    assert "L-2026-001 (no consent):" in result.stderr
    assert "L-2026-007 (nothing to report):" in result.stderr


def test_a_section_refusal_is_not_called_consent(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A report whose sections pathway.yaml withholds from the audience is labelled as such."""
    settings = sample / "pathway.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("guardian: [profile, plan, contract, reviews]",
                                     "guardian: [profile]"), encoding="utf-8")
    assert "guardian: [profile]" in settings.read_text(encoding="utf-8")
    result = runner.invoke(app, ["render", str(sample), "--template", "contract", "--audience",
                                 "guardian", "-o", str(tmp_path / "out"), "--today", TODAY])
    assert "L-2026-002 (not for this audience):" in result.stderr
    assert "L-2026-002 (no consent)" not in result.stderr


@pytest.mark.parametrize("command", ["summarise", "alerts"])
def test_an_unknown_key_worker_lists_the_known_ones(runner: CliRunner, command: str) -> None:
    """`--key-worker lfisher` names the key workers there are and the one probably meant."""
    result = runner.invoke(app, [command, str(SAMPLE), "--key-worker", "lfisher",
                                 "--today", TODAY], env={"COLUMNS": "300"})
    text = " ".join(result.stderr.split())
    assert "no learner has the key worker 'lfisher' (did you mean 'lfischer'?)" in text
    assert "lfischer (Lea Fischer), mbauer (Markus Bauer)" in text


def test_export_help_says_o_takes_a_file_or_a_folder(runner: CliRunner) -> None:
    """`export --help` says -o takes a file or a folder."""
    result = runner.invoke(app, ["export", "--help"], env={"COLUMNS": "80"})
    flat = " ".join(result.stdout.split())
    assert "-o, --output FILE|DIR" in flat
    assert "or into this folder" in flat


def test_error_messages_name_files_relative_to_the_folder_run_in(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a case folder, a refusal names learner.yaml, not its absolute path."""
    monkeypatch.chdir(sample / "cases" / "L-2026-001")
    result = runner.invoke(app, ["render", "--template", "plan", "--audience", "employer",
                                 "--today", TODAY], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "consent.share_with in learner.yaml names nobody" in result.stderr
    assert str(sample) not in result.stderr


def test_close_completed_but_left_warns(runner: CliRunner, sample: Path) -> None:
    """`close --outcome completed --status left` is written, with a warning that they clash."""
    result = runner.invoke(app, ["close", "L-2026-002", "--outcome", "completed", "--status",
                                 "left", "--caseload", str(sample), "--today", TODAY],
                           env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.stderr
    assert "case-outcome-status" in result.stderr
    assert "status: left" in (sample / "cases/L-2026-002/learner.yaml").read_text()


def test_piped_table_cells_carry_no_control_codes(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name holding an escape sequence or a tab stays one clean cell in the piped table."""
    monkeypatch.delenv("COLUMNS", raising=False)
    learner = sample / "cases/L-2026-002/learner.yaml"
    text = learner.read_text(encoding="utf-8")
    learner.write_text(text.replace("name: Łukasz Zieliński", 'name: "Łukasz\\e[2J\\tZieliński"'),
                       encoding="utf-8")
    result = runner.invoke(app, ["summarise", str(sample), "--today", TODAY])
    assert "\x1b" not in result.stdout
    row = next(line for line in result.stdout.splitlines() if "L-2026-002" in line)
    assert row.split("\t")[2] == "Łukasz[2J Zieliński"


def test_a_path_outside_the_caseload_around_here_is_shown_as_named(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From a folder outside any caseload, a file elsewhere is named in full, not as ../../x."""
    elsewhere = tmp_path / "work" / "repo"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["review", "new", "L-2026-002", "--caseload", str(sample),
                                 "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    written = sample / "cases/L-2026-002/reviews" / f"{TODAY}.yaml"
    assert f"wrote {written}" in result.stdout + result.stderr


@pytest.mark.parametrize(("args", "words"), [
    (["close", "L-2026-006", "--outcome", "finished"],
     "'finished' is not allowed; use one of: completed, transferred, employed, dropped-out, "
     "re-engaged, other"),
    (["render", str(SAMPLE), "--template", "plan", "--audience", "parents"],
     "'parents' is not allowed; use one of: learner, guardian, employer, team"),
    (["review", "new", "L-2026-002", "--kind", "meeting"],
     "'meeting' is not allowed; use one of: mentoring, coaching"),
])
def test_a_word_not_among_the_choices_is_refused_in_plain_words(
        runner: CliRunner, args: list[str], words: str) -> None:
    """A flag value not among its choices is a usage error naming the choices, without the
    programmer's 'Value error,' prefix."""
    result = runner.invoke(app, [*args, "--today", TODAY])
    assert result.exit_code == 2
    text = " ".join(result.stderr.split())
    assert words in text
    assert "Value error" not in text and "is not one of" not in text

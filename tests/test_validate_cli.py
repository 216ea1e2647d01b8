"""`pathway validate` as a user meets it: paths, formats, exit codes and hostile files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SAMPLE, TODAY, app

BASE = Path(__file__).parent / "fixtures" / "validate" / "base"


def _copy_base(tmp_path: Path) -> Path:
    root = tmp_path / "caseload"
    shutil.copytree(BASE, root)
    return root


def test_sample_caseload_validates_without_errors(runner: CliRunner) -> None:
    """The demo caseload that every other command runs on has no errors."""
    result = runner.invoke(app, ["validate", str(SAMPLE), "--today", TODAY, "--format", "json"])
    assert result.exit_code == 0, result.stdout
    report = json.loads(result.stdout)
    assert report["errors"] == 0
    assert report["files"] >= 40


def test_json_shape_matches_the_contract(runner: CliRunner, tmp_path: Path) -> None:
    """JSON output has files, errors, warnings and findings with the documented keys."""
    root = _copy_base(tmp_path)
    plan = root / "cases/L-1/plan.yaml"
    plan.write_text(plan.read_text().replace("status: in-progress", "status: done"))
    result = runner.invoke(app, ["validate", str(root), "-f", "json", "--today", TODAY])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) >= {"files", "errors", "warnings", "findings"}
    assert report["errors"] == 1
    (finding,) = report["findings"]
    assert set(finding) >= {"file", "line", "column", "severity", "rule", "message"}
    assert finding["rule"] == "invalid-choice"
    assert (finding["line"], finding["column"]) == (13, 13)
    assert "did you mean" not in finding["message"] or "'" in finding["message"]
    assert "planned, in-progress, achieved, at-risk, dropped" in finding["message"]


def test_github_format_prints_annotations(runner: CliRunner, tmp_path: Path) -> None:
    """--format github prints ::error annotations with file, line and column."""
    root = _copy_base(tmp_path)
    review = root / "cases/L-1/reviews/2026-10-05.yaml"
    review.write_text(review.read_text().replace("wellbeing: 3", "wellbeing: 9"))
    result = runner.invoke(app, ["validate", str(root), "--format", "github", "--today", TODAY])
    assert result.exit_code == 1
    line = result.stdout.strip()
    assert line.startswith("::error file=")
    assert ",line=5,col=12,title=out-of-range::" in line


def test_single_file_is_checked_with_its_case_around_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Naming one review file still checks its goal ids against the plan, and reports only it."""
    root = _copy_base(tmp_path)
    review = root / "cases/L-1/reviews/2026-11-02.yaml"
    review.write_text(review.read_text().replace("G2:", "G9:"))
    plan = root / "cases/L-1/plan.yaml"
    plan.write_text(plan.read_text().replace("status: in-progress", "status: done"))
    result = runner.invoke(app, ["validate", str(review), "-f", "json", "--today", TODAY])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [f["rule"] for f in report["findings"]] == ["goal-unknown"]
    assert report["files"] == 1


@pytest.mark.parametrize("sub", ["", "cases", "cases/L-1"])
def test_accepts_root_cases_folder_and_case_folder(
    sub: str, runner: CliRunner, tmp_path: Path
) -> None:
    """A caseload root, its cases/ folder and one case folder are all valid paths."""
    root = _copy_base(tmp_path)
    result = runner.invoke(app, ["validate", str(root / sub), "--today", TODAY, "--strict"])
    assert result.exit_code == 0, result.stderr
    assert "0 errors, 0 warnings" in result.stderr


def test_finds_the_caseload_from_a_subfolder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no path, the caseload is found by walking up from the current folder."""
    root = _copy_base(tmp_path)
    monkeypatch.chdir(root / "cases" / "L-1" / "reviews")
    result = runner.invoke(app, ["validate", "--today", TODAY])
    assert result.exit_code == 0
    assert "8 files checked" in result.stderr


def test_no_caseload_is_a_clear_error(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside any caseload, validate says so and exits 1."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 1
    assert "no caseload found" in result.stderr


def test_missing_path_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    """A path that does not exist is named in the message, exit 1, no traceback."""
    result = runner.invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.stderr


def test_bad_today_is_a_usage_error(runner: CliRunner) -> None:
    """A --today that is not a date is a usage error (exit 2)."""
    result = runner.invoke(app, ["validate", str(SAMPLE), "--today", "23.11.2026"])
    assert result.exit_code == 2


def test_today_comes_from_the_environment(runner: CliRunner, tmp_path: Path) -> None:
    """PATHWAY_TODAY fixes today like --today: a later date makes the plan overdue for review."""
    root = _copy_base(tmp_path)
    result = runner.invoke(
        app, ["validate", str(root), "-f", "json"], env={"PATHWAY_TODAY": "2027-03-01"}
    )
    rules = [f["rule"] for f in json.loads(result.stdout)["findings"]]
    assert rules == ["plan-not-reviewed"]


def test_every_problem_in_every_file_is_reported_in_one_run(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Problems in several files and cases are all reported together."""
    root = _copy_base(tmp_path)
    shutil.copytree(root / "cases/L-1", root / "cases/L-2")
    learner2 = root / "cases/L-2/learner.yaml"
    learner2.write_text(learner2.read_text().replace("id: L-1", "id: L-2").replace(
        "status: active", "status: actif"))
    contract = root / "cases/L-1/contract.yaml"
    contract.write_text(contract.read_text().replace("version: 1", "version: one"))
    (root / "cases/L-1/reviews/2026-10-05.yaml").write_bytes(b"date: [\n")
    result = runner.invoke(app, ["validate", str(root), "-f", "json", "--today", TODAY])
    rules = sorted(f["rule"] for f in json.loads(result.stdout)["findings"])
    assert rules == ["invalid-choice", "invalid-type", "yaml-syntax"]


def test_python_tags_never_construct_anything(runner: CliRunner, tmp_path: Path) -> None:
    """A !!python tag is refused as a finding and runs no code."""
    root = _copy_base(tmp_path)
    marker = tmp_path / "pwned"
    (root / "cases/L-1/contract.yaml").write_text(
        f'version: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    result = runner.invoke(app, ["validate", str(root), "-f", "json", "--today", TODAY])
    assert result.exit_code == 1
    assert not marker.exists()
    assert "yaml-tag" in result.stdout


def test_binary_data_is_described_in_plain_words(runner: CliRunner, tmp_path: Path) -> None:
    """A !!binary value where text belongs is named as binary data, not as Python's b'...'."""
    root = _copy_base(tmp_path)
    learner = root / "cases/L-1/learner.yaml"
    learner.write_text(learner.read_text().replace("name: ", "name: !!binary aGVsbG8= #", 1))
    result = runner.invoke(app, ["validate", str(root), "-f", "json", "--today", TODAY])
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]
                if f["rule"] == "invalid-type"]
    assert messages == ["'name' must be text, but is binary data (a !!binary tag); write it "
                        "as plain text"]


def test_a_case_folder_that_became_a_file_is_warned_about(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An entry of cases/ that is not a folder is a warning, cold and from the cache alike."""
    root = _copy_base(tmp_path)
    (root / "cases/L-2").write_text("x\n")
    (root / "cases/.gitkeep").write_text("")
    runs = [runner.invoke(app, [*flags, "validate", str(root), "-f", "json", "--today", TODAY])
            for flags in ((), (), ("--no-cache",))]
    for result in runs:
        stray = [(Path(f["file"]).name, f["severity"]) for f in
                 json.loads(result.stdout)["findings"] if f["rule"] == "file-unknown"]
        assert stray == [("L-2", "warning")]
    assert runs[0].stdout == runs[1].stdout == runs[2].stdout
    assert runner.invoke(app, ["validate", str(root), "--strict", "--today", TODAY]).exit_code == 1


def test_bom_and_crlf_files_are_read(runner: CliRunner, tmp_path: Path) -> None:
    """UTF-8 with a BOM and CRLF line endings validate like any other file; lines stay right."""
    root = _copy_base(tmp_path)
    plan = root / "cases/L-1/plan.yaml"
    text = plan.read_text().replace("status: in-progress", "status: on-track")
    plan.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    result = runner.invoke(app, ["validate", str(root), "-f", "json", "--today", TODAY])
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule"], finding["line"], finding["column"]) == ("invalid-choice", 13, 13)


def test_alias_bomb_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    """A billion-laughs file is one clear finding; a normal anchor reuse still works."""
    root = _copy_base(tmp_path)
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi",
                                                                         strict=True)]
    (root / "cases/L-1/contract.yaml").write_text("\n".join(lines) + "\n")
    learner = root / "cases/L-1/learner.yaml"
    learner.write_text(learner.read_text().replace(
        "interests: [football, electronics]",
        "interests: &hobbies [football, electronics]\naspirations: *hobbies"))
    result = runner.invoke(app, ["validate", str(root), "-f", "json", "--today", TODAY])
    findings = json.loads(result.stdout)["findings"]
    # at the line where the expansion passes the bound (f: 9**6 values), not the first alias
    assert [(f["rule"], f["line"]) for f in findings] == [("yaml-alias-bomb", 6)]


def test_unreadable_file_is_a_finding(runner: CliRunner, tmp_path: Path) -> None:
    """A file that cannot be read is reported, not a crash."""
    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    root = _copy_base(tmp_path)
    plan = root / "cases/L-1/plan.yaml"
    plan.chmod(0)
    result = runner.invoke(app, ["validate", str(root), "-f", "json", "--today", TODAY])
    assert "file-unreadable" in result.stdout


def test_comment_only_skeleton_counts_as_not_started(runner: CliRunner, tmp_path: Path) -> None:
    """A record file of comments only (a skeleton from `pathway new`) is not an error."""
    root = _copy_base(tmp_path)
    (root / "cases/L-1/contract.yaml").write_text("# version: 1\n# start: 2026-09-20\n")
    result = runner.invoke(app, ["validate", str(root), "--today", TODAY])
    assert result.exit_code == 0

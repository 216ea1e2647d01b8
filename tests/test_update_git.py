"""`--commit`: the changed files, and only they, are committed with a message on the change."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.update_helpers import run, snapshot


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample caseload as a git repository with one commit."""
    empty = tmp_path / "gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    _git(sample, "init", "--quiet")
    _git(sample, "config", "user.name", "Test Coach")
    _git(sample, "config", "user.email", "coach@example.org")
    _git(sample, "add", ".")
    _git(sample, "commit", "--quiet", "-m", "caseload")
    return sample


def test_commit_records_only_the_changed_file(runner: CliRunner, repo: Path) -> None:
    """--commit commits the updated file alone, with a message that says what changed."""
    learner = repo / "cases/L-2026-002/learner.yaml"
    learner.write_text(learner.read_text(encoding="utf-8") + "# unsaved work\n",
                       encoding="utf-8")
    other = repo / "cases/L-2026-001/learner.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "# staged work\n", encoding="utf-8")
    _git(repo, "add", str(other))
    result = run(runner, repo, "goal", "L-2026-002", "G1", "--status", "in-progress",
                 "--progress", "55", "--commit")
    assert result.exit_code == 0, result.stderr
    assert _git(repo, "log", "-1", "--format=%s") == (
        "L-2026-002: goal G1 at-risk -> in-progress, progress 30 -> 55\n"
    )
    assert _git(repo, "show", "--name-only", "--format=", "HEAD") == (
        "cases/L-2026-002/plan.yaml\n"
    )
    status = _git(repo, "status", "--porcelain")
    assert " M cases/L-2026-002/learner.yaml" in status
    assert "M  cases/L-2026-001/learner.yaml" in status
    assert "committed" in result.stderr


def test_commit_of_a_new_review(runner: CliRunner, repo: Path) -> None:
    """A new review file is added and committed."""
    result = run(runner, repo, "review", "new", "L-2026-008", "--commit")
    assert result.exit_code == 0, result.stderr
    assert _git(repo, "show", "--name-only", "--format=%s", "HEAD").splitlines() == [
        "L-2026-008: new progress-review on 2026-11-23 (reviews/2026-11-23.yaml)",
        "",
        "cases/L-2026-008/reviews/2026-11-23.yaml",
    ]
    assert _git(repo, "status", "--porcelain") == ""


def test_commit_outside_git_is_refused_before_writing(runner: CliRunner, sample: Path) -> None:
    """--commit where the caseload is not a git repository writes nothing and says why."""
    before = snapshot(sample)
    result = run(runner, sample, "sign", "L-2026-005", "--party", "learner", "--name",
                 "Giulia Esposito", "--commit")
    assert result.exit_code == 1
    assert "not in a git repository" in result.stderr
    assert snapshot(sample) == before


def test_dry_run_with_commit_commits_nothing(runner: CliRunner, repo: Path) -> None:
    """--dry-run wins over --commit: no file and no commit."""
    head = _git(repo, "rev-parse", "HEAD")
    result = run(runner, repo, "close", "L-2026-009", "--outcome", "transferred", "--dry-run",
                 "--commit")
    assert result.exit_code == 0, result.stderr
    assert _git(repo, "rev-parse", "HEAD") == head
    assert _git(repo, "status", "--porcelain") == ""


def test_commit_leaves_a_colleagues_edits_in_the_same_file_out(
    runner: CliRunner, repo: Path
) -> None:
    """A colleague's staged and unstaged lines in plan.yaml stay out of the update's commit."""
    plan = repo / "cases/L-2026-002/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    staged = text.replace("baseline: 38 of 100 points,", "baseline: 38 of 100 points (staged),")
    plan.write_text(staged, encoding="utf-8")
    _git(repo, "add", str(plan))
    plan.write_text(staged.replace("revised: 2026-10-12", "revised: 2026-10-13"),
                    encoding="utf-8")
    result = run(runner, repo, "goal", "L-2026-002", "G3", "--progress", "21", "--commit")
    assert result.exit_code == 0, result.stderr
    committed = _git(repo, "show", "HEAD", "--format=", "--", str(plan))
    changed = [line for line in committed.splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ["-    progress: 20", "+    progress: 21"]
    # the colleague's work is still there: staged and unstaged, in the file
    on_disk = plan.read_text(encoding="utf-8")
    assert "(staged)" in on_disk and "revised: 2026-10-13" in on_disk
    assert "progress: 21" in on_disk
    assert "(staged)" in _git(repo, "diff", "--cached")
    assert "2026-10-13" in _git(repo, "diff")
    assert "progress" not in _git(repo, "diff", "--cached") + _git(repo, "diff")


def test_commit_refused_when_a_colleagues_edit_touches_the_same_lines(
    runner: CliRunner, repo: Path
) -> None:
    """When uncommitted edits sit in the update's own lines, --commit refuses and writes nothing."""
    plan = repo / "cases/L-2026-002/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("    progress: 20\n",
                                                             "    progress: 25\n"),
                    encoding="utf-8")
    before = snapshot(repo)
    head = _git(repo, "rev-parse", "HEAD")
    result = run(runner, repo, "goal", "L-2026-002", "G3", "--progress", "30", "--commit")
    assert result.exit_code == 1
    assert "uncommitted changes" in result.stderr and "nothing was written" in result.stderr
    assert snapshot(repo) == before
    assert _git(repo, "rev-parse", "HEAD") == head

"""`pathway match --apply`: the proposal written into the learners' teams, safely."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from typer.testing import CliRunner, Result

from pathway_cli.caseload import load_caseload
from tests.conftest import TODAY, app

FIXTURES = Path(__file__).parent / "fixtures" / "match"
RANIA = Path("cases") / "L-2026-009" / "learner.yaml"
RANIA_ADDED = (
    "  - id: rsaleh\n"
    "    name: Rami Saleh\n"
    "    role: mentor\n"
    "    independent: false\n"
    "    trained: 2025-09-15\n"
    "    since: 2026-11-23\n"
)


def match(runner: CliRunner, folder: Path, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, ["match", str(folder), "--today", TODAY, *args], input=stdin)


def test_apply_with_yes_adds_the_mentor_and_keeps_everything_else(runner: CliRunner,
                                                                  sample: Path) -> None:
    """--apply --yes appends Rami to Rania's team; every other byte of the file stays."""
    before = (sample / RANIA).read_text(encoding="utf-8")
    result = runner.invoke(app, ["match", str(sample), "--today", TODAY, "--apply", "--yes"])
    assert result.exit_code == 0, result.stderr
    after = (sample / RANIA).read_text(encoding="utf-8")
    anchor = "    contact: h.mansour@example.org\n    independent: true\n"
    assert after == before.replace(anchor, anchor + RANIA_ADDED, 1)
    assert "wrote" in result.stderr and "L-2026-009/learner.yaml" in result.stderr
    case = load_caseload([sample]).case("L-2026-009")
    assert case is not None and case.learner is not None
    member = case.learner.member("rsaleh")
    assert member is not None and member.role == "mentor"
    assert str(member.trained) == "2025-09-15"
    assert str(member.since) == TODAY


def test_applied_proposal_is_not_proposed_again_and_counts_for_capacity(
        runner: CliRunner, sample: Path) -> None:
    """After applying, Rania has a mentor, so nobody needs one, and Rami's place is taken."""
    runner.invoke(app, ["match", str(sample), "--today", TODAY, "--apply", "--yes"])
    result = runner.invoke(app, ["match", str(sample), "--today", TODAY, "-f", "json"])
    data = json.loads(result.stdout)
    assert data["pairs"] == [] and data["unmatched"] == []
    rami = next(m for m in data["mentors"] if m["id"] == "rsaleh")
    assert rami["taken"] == 1
    validate = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    assert validate.exit_code == 0


def test_peer_mentor_gets_the_peer_mentor_role(runner: CliRunner, tmp_path: Path) -> None:
    """A peer from the pool is written with role peer-mentor."""
    folder = tmp_path / "scheme"
    shutil.copytree(FIXTURES / "scheme", folder)
    result = runner.invoke(app, ["match", str(folder), "--today", TODAY, "--apply", "--yes"])
    assert result.exit_code == 0, result.stderr
    noah = load_caseload([folder]).case("L-2027-105")
    assert noah is not None and noah.learner is not None
    member = noah.learner.member("cozturk")
    assert member is not None and member.role == "peer-mentor"
    assert member.independent is True


def test_apply_asks_and_writes_on_yes(runner: CliRunner, sample: Path) -> None:
    """Without --yes, --apply lists what it will write and asks; 'y' writes."""
    result = match(runner, sample, "--apply", stdin="y\n")
    assert result.exit_code == 0, result.stderr
    assert "will add rsaleh (mentor)" in result.stderr
    assert "[y/N]" in result.stderr
    assert "rsaleh" in (sample / RANIA).read_text(encoding="utf-8")


def test_apply_declined_writes_nothing(runner: CliRunner, sample: Path) -> None:
    """Answering no leaves every file as it was."""
    before = (sample / RANIA).read_bytes()
    result = match(runner, sample, "--apply", stdin="n\n")
    assert result.exit_code == 0
    assert "nothing written" in result.stderr
    assert (sample / RANIA).read_bytes() == before


def test_apply_without_an_answer_is_refused(runner: CliRunner, sample: Path) -> None:
    """With nothing on stdin and no --yes, --apply refuses with exit 1 and writes nothing."""
    before = (sample / RANIA).read_bytes()
    result = match(runner, sample, "--apply", stdin="")
    assert result.exit_code == 1
    assert "--yes" in result.stderr
    assert (sample / RANIA).read_bytes() == before


def test_dry_run_prints_the_diff_and_writes_nothing(runner: CliRunner, sample: Path) -> None:
    """--dry-run shows the lines --apply would add, as a diff on stdout."""
    before = (sample / RANIA).read_bytes()
    result = match(runner, sample, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert "+  - id: rsaleh\n" in result.stdout
    assert "b/cases/L-2026-009/learner.yaml" in result.stdout
    assert "dry run: nothing written" in result.stderr
    assert (sample / RANIA).read_bytes() == before


def test_dry_run_json_carries_the_diff(runner: CliRunner, sample: Path) -> None:
    """With --format json, the diff is a field of the one JSON document."""
    result = match(runner, sample, "--dry-run", "-f", "json")
    data = json.loads(result.stdout)
    assert "+    role: mentor" in data["diff"]


def test_apply_is_refused_when_a_case_has_errors(runner: CliRunner, sample: Path) -> None:
    """If a changed case would keep errors, nothing is written anywhere and the error is named."""
    contract = sample / "cases" / "L-2026-009" / "contract.yaml"
    contract.write_text("version: 1\nstart: 2026-10-01\nend: 2026-09-01\n"
                        "learner_commits: [attend]\nprovider_commits: [support]\n",
                        encoding="utf-8")
    before = (sample / RANIA).read_bytes()
    result = match(runner, sample, "--apply", "--yes")
    assert result.exit_code == 1
    assert "refused, nothing written" in result.stderr
    assert (sample / RANIA).read_bytes() == before


def test_nothing_to_apply(runner: CliRunner, sample: Path) -> None:
    """When no pair is proposed, --apply says so and exits 0."""
    with (sample / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("matching:\n  min_score: 0.95\n")
    result = match(runner, sample, "--apply", "--yes")
    assert result.exit_code == 0
    assert "nothing to apply" in result.stderr


def test_apply_with_commit_makes_one_git_commit(runner: CliRunner, sample: Path) -> None:
    """--commit stages exactly the changed learner files and commits them with the pairs."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=sample, check=True, capture_output=True,
                              text=True).stdout

    git("init", "-q")
    git("-c", "user.name=T", "-c", "user.email=t@example.org", "add", ".")
    git("-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "start")
    result = runner.invoke(app, ["match", str(sample), "--today", TODAY, "--apply", "--yes",
                                 "--commit"],
                           env={"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
                                "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"})
    assert result.exit_code == 0, result.stderr
    assert ("match: mentors for 2 learners (L-2026-001 cozturk, L-2026-009 rsaleh)"
            in git("log", "-1", "--format=%s"))
    assert git("show", "--name-only", "--format=", "HEAD").split() == [
        "cases/L-2026-001/learner.yaml", RANIA.as_posix()]

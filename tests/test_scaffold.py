"""`pathway init` and `pathway new`: skeletons that teach the format and validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY, app


def test_init_makes_a_caseload_skeleton(runner: CliRunner, tmp_path: Path) -> None:
    """init writes pathway.yaml, cases/, schemas, a README and a pre-commit snippet."""
    root = tmp_path / "team"
    result = runner.invoke(app, ["init", str(root), "--organisation", "Berufsschule Nord"])
    assert result.exit_code == 0, result.stderr
    for name in ("pathway.yaml", "README.md", ".pre-commit-config.yaml", ".gitignore",
                 "schemas/learner.schema.json", "schemas/review.schema.json"):
        assert (root / name).is_file(), name
    assert (root / "cases").is_dir()
    settings = (root / "pathway.yaml").read_text()
    assert settings.startswith("# yaml-language-server: $schema=schemas/settings.schema.json")
    assert "organisation: Berufsschule Nord" in settings
    assert "pathway validate" in (root / ".pre-commit-config.yaml").read_text()
    assert ".pathway/" in (root / ".gitignore").read_text()
    check = runner.invoke(app, ["validate", str(root), "--strict", "--today", TODAY])
    assert check.exit_code == 0, check.stderr


def test_init_keeps_existing_files(runner: CliRunner, tmp_path: Path) -> None:
    """init never overwrites a file the team already has."""
    (tmp_path / "pathway.yaml").write_text("organisation: Ours\n")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "pathway.yaml").read_text() == "organisation: Ours\n"
    assert "kept" in result.stderr


@pytest.mark.parametrize("inside", ["cases", "cases/L-1", "cases/L-1/notes", "schemas"])
def test_init_refuses_a_folder_among_another_caseloads_records(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    """init inside cases/, a case folder or schemas/ of a caseload is refused and writes
    nothing, so its records are not taken for a caseload of their own."""
    runner.invoke(app, ["init", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    runner.invoke(app, ["new", "L-1", "--name", "A B"])
    before = sorted(tmp_path.rglob("*"))
    result = runner.invoke(app, ["init", inside])
    assert result.exit_code == 1, result.stderr
    assert "holds the records of another caseload" in " ".join(result.stderr.split())
    assert sorted(tmp_path.rglob("*")) == before


def test_init_in_a_case_folder_is_refused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """init with no folder, run inside a case folder, leaves the case as it was."""
    runner.invoke(app, ["init", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    runner.invoke(app, ["new", "L-1", "--name", "A B"])
    monkeypatch.chdir(tmp_path / "cases" / "L-1")
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 1
    assert sorted(p.name for p in (tmp_path / "cases" / "L-1").iterdir()) == [
        "assessment.yaml", "contract.yaml", "learner.yaml", "plan.yaml", "reviews"]


def test_new_case_validates_and_copies_the_key_worker(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """new makes a valid case; the key worker's name comes from another case's team."""
    root = tmp_path / "team"
    runner.invoke(app, ["init", str(root)])
    monkeypatch.chdir(root)
    first = runner.invoke(app, ["new", "L-1", "--name", "Zofia Wiśniewska", "--today", TODAY])
    assert first.exit_code == 0, first.stderr
    learner = root / "cases/L-1/learner.yaml"
    learner.write_text(learner.read_text().replace(
        "team: []", "team:\n  - {id: tkeller, name: Tobias Keller, role: coach}"))
    second = runner.invoke(app, ["new", "L-2", "--name", "Çağrı Öztürk", "--key-worker",
                                 "tkeller", "--today", TODAY])
    assert second.exit_code == 0, second.stderr
    text = (root / "cases/L-2/learner.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/learner.schema.json")
    assert "name: Tobias Keller" in text
    assert "name: Çağrı Öztürk" in text
    for skeleton in ("assessment.yaml", "plan.yaml", "contract.yaml"):
        assert (root / "cases/L-2" / skeleton).read_text().count("\n# ") > 5
    result = runner.invoke(app, ["validate", "-f", "json", "--today", TODAY])
    report = json.loads(result.stdout)
    assert result.exit_code == 0, report
    assert {f["rule"] for f in report["findings"]} == {"consent-missing"}


def test_new_refuses_an_existing_case(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """new never overwrites a case folder that exists."""
    runner.invoke(app, ["init", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    runner.invoke(app, ["new", "L-1", "--name", "A B"])
    result = runner.invoke(app, ["new", "L-1", "--name", "C D"])
    assert result.exit_code == 1
    assert "already exists" in result.stderr


@pytest.mark.parametrize("bad", ["../escape", "L 1", "-x", ""])
def test_new_refuses_bad_ids(
    bad: str, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id that is not a valid folder name (or would escape cases/) is refused."""
    runner.invoke(app, ["init", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "--name", "A B", "--", bad])
    assert result.exit_code in (1, 2)
    assert not (tmp_path / "escape").exists()
    assert "Traceback" not in result.stderr


def test_new_quotes_names_yaml_would_misread(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name such as 'No' or one with a colon is written so that it reads back as text."""
    runner.invoke(app, ["init", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    runner.invoke(app, ["new", "L-1", "--name", "No"])
    runner.invoke(app, ["new", "L-2", "--name", "Anna: the second # not a comment"])
    result = runner.invoke(app, ["validate", "-f", "json", "--today", TODAY])
    assert json.loads(result.stdout)["errors"] == 0
    assert "name: \"Anna: the second # not a comment\"" in (
        tmp_path / "cases/L-2/learner.yaml").read_text()


def test_a_new_key_worker_is_not_named_by_their_id(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`new --key-worker akoch` in a fresh caseload leaves a placeholder, never `name: akoch`."""
    root = tmp_path / "team"
    runner.invoke(app, ["init", str(root)])
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["new", "L-1", "--name", "Jonas Weber", "--key-worker", "akoch",
                                 "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    text = (root / "cases/L-1/learner.yaml").read_text()
    assert "name: akoch" not in text
    assert "FILL IN: the full name of akoch" in text
    assert "fill in the full name of akoch" in result.stderr
    check = runner.invoke(app, ["validate", "--today", TODAY, "--format", "json"])
    assert [f["rule"] for f in json.loads(check.stdout)["findings"]] == ["invalid-type"]


def test_key_worker_name_and_skeletons_use_the_real_key_worker(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--key-worker-name fills the name in; the skeletons name akoch, not tkeller or psych1."""
    root = tmp_path / "team"
    runner.invoke(app, ["init", str(root)])
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["new", "L-1", "--name", "Jonas Weber", "--key-worker", "akoch",
                                 "--key-worker-name", "Anna Koch", "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    case = root / "cases/L-1"
    assert "    name: Anna Koch\n" in (case / "learner.yaml").read_text()
    skeletons = "".join((case / f).read_text() for f in ("assessment.yaml", "plan.yaml"))
    assert "tkeller" not in skeletons and "psych1" not in skeletons
    assert "# assessor: akoch" in skeletons
    assert "owner: akoch" in skeletons
    check = runner.invoke(app, ["validate", "--today", TODAY])
    assert check.exit_code == 0, check.stderr


def test_comments_in_skeletons_line_up(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inline comments start in one column in pathway.yaml and the case skeletons."""
    root = tmp_path / "team"
    runner.invoke(app, ["init", str(root), "--organisation", "Berufsschule Nord"])
    monkeypatch.chdir(root)
    runner.invoke(app, ["new", "L-2026-015", "--name", "Zofia Wiśniewska", "--today", TODAY])
    for path in [root / "pathway.yaml", *sorted((root / "cases/L-2026-015").glob("*.yaml"))]:
        columns = {line.index("# ", len(line.split("  # ")[0].rstrip()))
                   for line in path.read_text().splitlines()
                   if "  # " in line and len(line.split("  # ")[0].rstrip()) < 33}
        assert len(columns) <= 1, (path.name, columns)


def test_gitignore_of_init_keeps_drafts_reports_and_badges_out(
    runner: CliRunner, tmp_path: Path
) -> None:
    """git ignores review drafts, badges/ and the report and export folders; not the records."""
    import shutil
    import subprocess

    git = shutil.which("git")
    if git is None:  # pragma: no cover - git is part of the development setup
        pytest.skip("git is not installed")
    root = tmp_path / "team"
    runner.invoke(app, ["init", str(root)])
    subprocess.run([git, "init", "-q", str(root)], check=True)
    ignored = ["cases/L-1/reviews/.2026-11-23.draft.yaml", "badges/L-1/g1.json",
               "out/L-1-plan-team.pdf", "reports/index.md", "monitoring/goals.csv",
               ".pathway/key"]
    kept = ["cases/L-1/plan.yaml", "cases/L-1/reviews/2026-11-23.yaml", "pathway.yaml"]
    for path, expected in [*((p, 0) for p in ignored), *((p, 1) for p in kept)]:
        done = subprocess.run([git, "-C", str(root), "check-ignore", "-q", path],
                              check=False)
        assert done.returncode == expected, path


def test_the_pre_commit_hook_is_published_and_used_by_init(
    runner: CliRunner, tmp_path: Path
) -> None:
    """.pre-commit-hooks.yaml has pathway-validate; init's snippet runs the same hook."""
    import re

    import yaml

    from pathway_cli.scaffold import PRE_COMMIT_HOOK

    repo = Path(__file__).resolve().parents[1]
    (published,) = yaml.safe_load((repo / ".pre-commit-hooks.yaml").read_text())
    assert published["id"] == "pathway-validate"
    for key in ("entry", "files", "pass_filenames", "name"):
        assert published[key] == PRE_COMMIT_HOOK[key], key
    root = tmp_path / "team"
    runner.invoke(app, ["init", str(root)])
    config = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    (local,) = config["repos"][0]["hooks"]
    assert {k: local[k] for k in ("id", "entry", "files")} == {
        k: published[k] for k in ("id", "entry", "files")}
    files = re.compile(published["files"])
    for path in ("cases/L-1/plan.yaml", "cases/L-1/reviews/2026-10-05.yaml", "pathway.yaml",
                 "mentors.yaml"):
        assert files.search(path), path
    for path in ("schemas/plan.schema.json", ".pre-commit-config.yaml", "templates/x.md.j2",
                 "cases/L-1/notes.txt"):
        assert not files.search(path), path


def test_the_hook_reports_what_a_change_breaks_elsewhere_in_its_case(
    runner: CliRunner, sample: Path
) -> None:
    """`validate --whole-cases plan.yaml`: a goal removed from the plan shows in the review."""
    plan = sample / "cases/L-2026-002/plan.yaml"
    plan.write_text(plan.read_text().replace("- id: G3", "- id: G9"))
    alone = runner.invoke(app, ["validate", str(plan), "--today", TODAY, "--format", "json"])
    whole = runner.invoke(app, ["validate", "--whole-cases", str(plan), "--today", TODAY,
                                "--format", "json"])
    rules_alone = {f["rule"] for f in json.loads(alone.stdout)["findings"]}
    rules_whole = {f["rule"] for f in json.loads(whole.stdout)["findings"]}
    assert "goal-unknown" not in rules_alone
    assert "goal-unknown" in rules_whole
    assert whole.exit_code == 1


def test_a_name_typed_in_another_encoding_is_refused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name holding bytes that are not UTF-8 (a terminal set to Latin-1) is a usage error
    and no case is made, rather than a learner.yaml that cannot be read back."""
    runner.invoke(app, ["init", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "L-1", "--name", "Jos\udce9 N\udcfa\udcf1ez"])
    assert result.exit_code == 2
    assert "not UTF-8 text" in " ".join(result.stderr.split())
    assert not (tmp_path / "cases" / "L-1").exists()


def test_a_control_character_in_a_name_is_refused(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name pasted with a control character (an escape sequence, a bell) is refused with a
    sentence, before anything is written: a record never gets a name a terminal would obey."""
    runner.invoke(app, ["init", str(tmp_path)])
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "L-1", "--name", "Ana\x1b[31m Lopez\x07"])
    assert result.exit_code == 1
    assert "the learner's name must be one line of text" in " ".join(result.stderr.split())
    assert not (tmp_path / "cases/L-1").exists()


@pytest.mark.parametrize("option", ["--name", "--key-worker-name"])
def test_new_refuses_a_name_over_lines(runner: CliRunner, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, option: str) -> None:
    """A learner's or key worker's name with a line break is refused; no case folder is made."""
    root = tmp_path / "team"
    runner.invoke(app, ["init", str(root)])
    monkeypatch.chdir(root)
    names = {"--name": "Zofia Wiśniewska", "--key-worker-name": "Tom Keller"}
    names[option] = "Zofia\nWiśniewska"
    result = runner.invoke(app, ["new", "L-1", "--name", names["--name"], "--key-worker",
                                 "tkeller", "--key-worker-name", names["--key-worker-name"],
                                 "--today", TODAY])
    assert result.exit_code == 1
    assert "must be one line of text" in result.stderr
    assert not (root / "cases/L-1").exists()

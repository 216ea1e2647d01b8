"""Shell completion: installed for the shell named, completing from the caseload."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.cli import app
from pathway_cli.completion import goal_ids, key_worker_ids, learner_ids, template_names

from .conftest import SAMPLE


def _complete(runner: CliRunner, words: str, cwd: Path,
              monkeypatch: pytest.MonkeyPatch) -> str:
    """What zsh would be offered after typing ``words`` in ``cwd``."""
    monkeypatch.chdir(cwd)
    result = runner.invoke(app, [], prog_name="pathway",
                           env={"_PATHWAY_COMPLETE": "complete_zsh",
                                "_TYPER_COMPLETE_ARGS": words})
    return result.stdout


def test_install_completion_zsh_installs_zsh_not_bash(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`--install-completion zsh` from a bash session writes zsh completion, not ~/.bashrc."""
    result = runner.invoke(app, ["--install-completion", "zsh"], prog_name="pathway",
                           env={"HOME": str(tmp_path), "SHELL": "/bin/bash"})
    assert result.exit_code == 0, result.output
    assert "zsh completion installed" in result.stdout
    assert (tmp_path / ".zfunc" / "_pathway").is_file()
    assert "compinit" in (tmp_path / ".zshrc").read_text()
    assert not (tmp_path / ".bashrc").exists()


def test_install_completion_refuses_an_unknown_shell(runner: CliRunner, tmp_path: Path) -> None:
    """An unknown shell is a usage error that lists the shells there are."""
    result = runner.invoke(app, ["--install-completion", "tcsh"], prog_name="pathway",
                           env={"HOME": str(tmp_path), "COLUMNS": "200"})
    assert result.exit_code == 2
    assert "use one of: bash, zsh, fish" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_show_completion_prints_the_script_for_the_shell(runner: CliRunner) -> None:
    """`--show-completion zsh` prints a zsh script."""
    result = runner.invoke(app, ["--show-completion", "zsh"], prog_name="pathway")
    assert result.stdout.startswith("#compdef pathway")


def test_learner_ids_complete_with_names() -> None:
    """Learner ids complete from the case folders, each with the learner's name."""
    found = dict(learner_ids(SAMPLE, "L-2026-00"))
    assert found["L-2026-002"] == "Łukasz Zieliński"
    assert len(found) == 9
    assert learner_ids(SAMPLE, "X") == []


def test_goal_ids_complete_from_the_plan() -> None:
    """Goal ids come from the named case's plan, or from the case folder one is in."""
    assert [g for g, _ in goal_ids(SAMPLE, "L-2026-002")] == ["G1", "G2", "G3"]
    assert [g for g, _ in goal_ids(SAMPLE / "cases" / "L-2026-002", None, "G2")] == ["G2"]
    assert goal_ids(SAMPLE, "L-2026-009") == []  # no plan yet


def test_templates_and_key_workers_complete(tmp_path: Path) -> None:
    """Templates include the caseload's own; key workers come from the learner files."""
    assert [t for t, _ in template_names(SAMPLE, "p")] == ["plan", "progress"]
    assert ("lfischer", "3 learners") in key_worker_ids(SAMPLE)


def test_the_shell_is_offered_learner_ids(runner: CliRunner,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`pathway timeline L-2026-00<Tab>` offers the learners, with their names."""
    offered = _complete(runner, "pathway timeline L-2026-00", SAMPLE, monkeypatch)
    assert '"L-2026-002":"Łukasz Zieliński"' in offered


def test_the_shell_is_offered_goal_ids_inside_a_case(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a case folder, `pathway goal <Tab>` offers that case's goals."""
    offered = _complete(runner, "pathway goal ", SAMPLE / "cases" / "L-2026-002", monkeypatch)
    assert '"G3":"Settle the conflict' in offered


def test_the_shell_is_offered_templates_and_audiences(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--template p<Tab>` offers plan and progress; `--audience <Tab>` the four audiences."""
    templates = _complete(runner, "pathway render --template p", SAMPLE, monkeypatch)
    assert '"plan"' in templates and '"progress"' in templates
    audiences = _complete(runner, "pathway render --audience ", SAMPLE, monkeypatch)
    assert all(f'"{a}"' in audiences for a in ("learner", "guardian", "employer", "team"))

"""Docs that cannot drift: every command is in the README and has help with examples."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from tests.conftest import REPO, app

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    click_app = typer.main.get_command(app)
    names = []
    for name, command in click_app.load_all().items():  # type: ignore[attr-defined]
        if getattr(command, "hidden", False):
            continue
        sub = getattr(command, "commands", None)
        names.extend(f"{name} {s}" for s in sub) if sub else names.append(name)
        if sub and getattr(command, "default_command", None):
            names.append(name)  # a group that runs a default subcommand (`pathway badges ID`)
    return sorted(names)


COMMANDS = _commands()


def test_cli_has_every_command_of_the_contract() -> None:
    """The commands fixed by the command-line contract all exist."""
    wanted = {"init", "new", "validate", "schema", "summarise", "alerts", "timeline", "render",
              "goal", "review new", "sign", "set", "close", "match", "export", "badges"}
    assert wanted <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme_table(command: str) -> None:
    """Each command appears in the README's command table."""
    assert re.search(rf"^\| `pathway {re.escape(command)}\b", README, re.MULTILINE), command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str, runner: CliRunner) -> None:
    """`--help` of each command describes it and shows at least one example."""
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    epilog = result.stdout.lower().split("example", 1)
    assert len(epilog) == 2, f"no example in the help of {command}"
    assert f"pathway {command.split()[0]}" in epilog[1]


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run takes its command from the README, and the README shows it."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- test-command -->" in ci
    block = README.split("<!-- test-command -->", 1)[1].split("```", 2)[1]
    assert "pytest" in block and "pip install" in block


def test_readme_shows_the_privacy_policy_as_the_code_has_it() -> None:
    """The README's privacy table is exactly the table the privacy module decides by."""
    from pathway_cli.privacy import policy_markdown

    block = README.split("<!-- privacy-policy -->\n", 1)[1]
    assert block.startswith(policy_markdown())

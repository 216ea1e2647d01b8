"""Every command's --help reads well in an 80-column terminal."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from pathway_cli.cli import app


def _commands() -> list[list[str]]:
    """Every command path, e.g. [] for the group itself, ['review', 'new']."""
    found: list[list[str]] = [[]]

    def walk(group: object, prefix: list[str]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if getattr(command, "hidden", False):
                continue
            found.append([*prefix, name])
            walk(command, [*prefix, name])

    group = typer.main.get_command(app)
    group.load_all()  # type: ignore[attr-defined] # commands load lazily
    walk(group, [])
    return found


COMMANDS = _commands()
RAW_TYPE = re.compile(r"<(bool|str|int|float|path|file|directory|list\[[^>]*|[a-z]+ range)>"
                      r"|\[x[<>]=")


def test_every_command_is_checked() -> None:
    """The walk finds the group, its commands and the review subcommand."""
    names = {" ".join(c) for c in COMMANDS}
    assert {"", "validate", "render", "review", "review new", "summarise"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "pathway")
def test_help_fits_80_columns_in_plain_words(runner: CliRunner, command: list[str]) -> None:
    """At 80 columns: no line wider, no Python type label, no choice broken inside a word."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert too_wide == []
    assert RAW_TYPE.search(text) is None, RAW_TYPE.search(text)
    assert re.search(r"[a-z]-\n\s+[a-z]", text) is None  # 'vet-\n school'
    assert not any(line.rstrip().endswith("|") for line in text.splitlines())
    assert "--pseudonymise,--" not in text
    assert "{" not in text.splitlines()[0]  # typer writes required arguments as {ID}


def test_docstring_paragraphs_are_rewrapped_not_ragged(runner: CliRunner) -> None:
    """A docstring's hard line breaks do not leave one-word lines in the help."""
    result = runner.invoke(app, ["export", "--help"], env={"COLUMNS": "80"})
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert "are" not in lines and ".pathway/" not in lines  # the old ragged breaks
    assert "--pseudonymise, --pseudonymize" in result.stdout


def test_long_choice_lists_are_named_and_listed(runner: CliRunner) -> None:
    """--group shows GROUP and lists every group whole in its help."""
    result = runner.invoke(app, ["summarise", "--help"], env={"COLUMNS": "80"})
    flat = " ".join(result.stdout.split())
    assert "--group GROUP..." in flat
    assert "vet-school, vet-work-based, re-entry." in flat

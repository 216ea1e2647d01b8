"""Start-up stays light: help, names and completion import no records model, Jinja or typesetter."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import typer

from pathway_cli.cli.registry import COMMANDS, LazyGroup
from tests.conftest import REPO, app

# What pathway's own modules would pull in. (Rich's help formatting brings markdown_it, and
# typer coerces parameter values with pydantic, so those two are typer's cost, not ours.)
HEAVY = {"jinja2", "scipy", "typst", "ruamel", "yaml", "pathway_cli.models",
         "pathway_cli.caseload", "pathway_cli.loader", "pathway_cli.rendering"}

PROBE = """
import contextlib, io, json, sys
sys.argv = ["pathway", *json.loads(sys.argv[1])]
from pathway_cli.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
names = {name.split(".")[0] for name in sys.modules}
names |= {name for name in sys.modules if name.startswith("pathway_cli.")}
print(json.dumps(sorted(names)))
"""


def imported_by(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages a fresh ``pathway ARGS`` process has imported when it ends."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, **(env or {})},
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_top_level_help_imports_nothing_heavy() -> None:
    """`pathway --help` lists every command without importing any command's module."""
    imported = imported_by("--help")
    assert imported & HEAVY == set()
    assert "pydantic" not in imported


def test_completing_command_names_imports_nothing_heavy() -> None:
    """Shell completion of command names reads the command table only."""
    env = {"_PATHWAY_COMPLETE": "complete_bash", "COMP_WORDS": "pathway va", "COMP_CWORD": "1"}
    assert imported_by(env=env) & HEAVY == set()


def test_every_command_is_in_the_table() -> None:
    """Each command the modules register is listed in the lazy table, and nothing else is."""
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    loaded = group.load_all()
    registered = {info.name or info.callback.__name__ for info in app.registered_commands
                  if info.callback is not None}
    registered |= {info.name for info in app.registered_groups if info.name}
    assert registered == set(COMMANDS) == set(loaded)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_summary_is_the_commands_own(name: str) -> None:
    """The summary `--help` shows before a module loads is the first paragraph of its help."""
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    command = group.load(name)
    first = (command.help or "").split("\n\n")[0]
    assert " ".join(first.split()) == COMMANDS[name].summary

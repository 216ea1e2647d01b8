"""Start-up stays light: help, names and completion import no records model, Jinja or typesetter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup

from pathway_cli.cli.registry import COMMANDS, LazyGroup
from pathway_cli.completion import template_names
from pathway_cli.rendering.templates import templates_at
from tests.conftest import REPO, SAMPLE, app

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


# What `pathway CMD --help` and the completion of a value must not import: the records
# model and pydantic, the renderer with Jinja and Babel, YAML, the typesetter, the charts.
HELP_HEAVY = HEAVY | {"pydantic", "babel", "matplotlib"}

# As PROBE, and what the command printed (on stdout and stderr) and its exit code.
RUN_PROBE = """
import contextlib, io, json, sys
sys.argv = ["pathway", *json.loads(sys.argv[1])]
from pathway_cli.cli import main
out, err = io.StringIO(), io.StringIO()
code = 0
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
names = {name.split(".")[0] for name in sys.modules}
names |= {name for name in sys.modules if name.startswith("pathway_cli.")}
print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue(),
                  "modules": sorted(names)}))
"""


def imported_by(*args: str, env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages a fresh ``pathway ARGS`` process has imported when it ends."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, **(env or {})},
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def fresh_run(*args: str, env: dict[str, str] | None = None,
              cwd: Path = REPO) -> dict[str, Any]:
    """A fresh ``pathway ARGS``: its exit code (``code``), standard output (``out``) and
    error (``err``), and the packages and pathway modules it imported (``modules``)."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_PROBE, json.dumps(args)],
        capture_output=True, text=True, check=True, cwd=cwd,
        env={**os.environ, **(env or {})},
    )
    found: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return found


def run_fresh(*args: str, env: dict[str, str] | None = None,
              cwd: Path = REPO) -> tuple[int, str, set[str]]:
    """Exit code, standard output and imported packages of a fresh ``pathway ARGS``."""
    found = fresh_run(*args, env=env, cwd=cwd)
    return found["code"], found["out"], set(found["modules"])


def complete(words: str, cwd: Path = SAMPLE) -> tuple[list[str], set[str]]:
    """What bash completion offers after ``words`` (the last one is being typed), and the
    packages the completing process imported."""
    parts = words.split(" ")
    env = {"_PATHWAY_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(parts) - 1)}
    code, out, modules = run_fresh(env=env, cwd=cwd)
    assert code == 0
    return out.split(), modules


def _command_paths() -> list[tuple[str, ...]]:
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    paths: list[tuple[str, ...]] = []
    for name, command in group.load_all().items():
        paths.append((name,))
        if isinstance(command, TyperGroup):
            paths.extend((name, sub) for sub in command.commands)
    return paths


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


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_command_help_imports_nothing_heavy(path: tuple[str, ...]) -> None:
    """`pathway CMD [SUB] --help` prints the command's help without loading the records
    model, pydantic, the renderer, YAML or the typesetter."""
    code, out, imported = run_fresh(*path, "--help")
    assert code == 0
    assert out.startswith(f"Usage: pathway {' '.join(path)} ")
    assert imported & HELP_HEAVY == set()


def test_completing_learner_ids_imports_nothing_heavy() -> None:
    """Completing a learner id lists the case folders without loading any record."""
    offered, imported = complete("pathway timeline L-2026-00")
    assert "L-2026-001" in offered
    assert imported & HELP_HEAVY == set()


def test_completing_goal_ids_reads_the_plan_only() -> None:
    """Completing a goal id reads plan.yaml with YAML alone: no records model, no pydantic."""
    offered, imported = complete("pathway goal L-2026-001 G")
    assert offered and all(goal.startswith("G") for goal in offered)
    assert imported & (HELP_HEAVY - {"yaml", "pathway_cli.loader"}) == set()


def test_completing_choices_templates_and_key_workers_imports_nothing_heavy() -> None:
    """Completing a goal status, a template or a key worker loads no record and no renderer."""
    for words, expected in [("pathway goal L-2026-001 G1 --status ach", "achieved"),
                            ("pathway render --template ca", "case"),
                            ("pathway summarise --key-worker ", None)]:
        offered, imported = complete(words)
        assert offered and (expected is None or expected in offered), words
        assert imported & HELP_HEAVY == set(), words


@pytest.mark.parametrize("own", [False, True])
def test_template_completion_names_the_renderers_templates(tmp_path: Path, own: bool) -> None:
    """Completion offers the templates the renderer knows, the caseload's own included."""
    (tmp_path / "cases").mkdir()
    if own:
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "letter.md.j2").write_text("x", encoding="utf-8")
        (tmp_path / "templates" / "_parts.md.j2").write_text("x", encoding="utf-8")
    names = [name for name, _ in template_names(tmp_path)]
    assert names == templates_at(tmp_path)
    assert ("letter" in names) is own


@pytest.mark.parametrize("words", [
    ["goal", "L-2026-001", "G1", "--progress", "55"],
    ["review", "new", "L-2026-001", "--date", "2026-11-20"],
    ["set", "L-2026-001", "learner.yaml", "preferred_name=Sam"],
    ["sign", "L-2026-003", "--party", "learner", "--name", "A. Learner"],
], ids=lambda words: " ".join(words[:2]))
def test_an_update_loads_no_renderer(sample: Path, words: list[str]) -> None:
    """An update loads the records model and the rules, but no renderer, Jinja, Babel,
    typesetter, matching or charts (a learner without report_language needs no Babel)."""
    code, _, imported = run_fresh(*words, "--dry-run", "--caseload", str(sample),
                                  "--today", "2026-11-23", cwd=sample)
    assert code in (0, 1)
    assert "pathway_cli.models" in imported  # it did load and check the case
    assert imported & {"jinja2", "babel", "typst", "scipy", "matplotlib", "markdown_it",
                       "pathway_cli.rendering", "pathway_cli.matching",
                       "pathway_cli.i18n"} == set()


IMPORT_PROBE = """
import json, sys
import pathway_cli.alerts, pathway_cli.summary
names = {name.split(".")[0] for name in sys.modules}
names |= {name for name in sys.modules if name.startswith("pathway_cli.")}
print(json.dumps(sorted(names)))
"""


def test_the_alert_rules_and_the_overview_import_no_records_model() -> None:
    """Importing the alerts package and the summary loads no pydantic, records model,
    caseload or validation: a warm `pathway alerts` decides on a case's cached facts."""
    result = subprocess.run([sys.executable, "-c", IMPORT_PROBE], capture_output=True,
                            text=True, check=True, cwd=REPO)
    imported = set(json.loads(result.stdout.splitlines()[-1]))
    assert {"pathway_cli.alerts.running", "pathway_cli.summary"} <= imported
    assert imported & {"pydantic", "pathway_cli.models", "pathway_cli.caseload",
                       "pathway_cli.validation"} == set()

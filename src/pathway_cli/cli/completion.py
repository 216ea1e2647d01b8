"""Shell completion: installing it for the shell asked for, and completing from the caseload.

Typer's own --install-completion takes no shell name (``--install-completion zsh``
installed bash completion); these options take one, or detect the shell when given
none. The completion callbacks hand the word typed so far to ``pathway_cli.completion``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer._completion_classes import completion_init

__all__ = [
    "SHELLS",
    "complete_goal_of_case",
    "complete_goal_or_learner",
    "complete_key_worker",
    "complete_learner",
    "complete_template",
    "install_completion",
    "show_completion",
    "with_shell",
]

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")

# Typer registers its shells only with its own completion options, which ours replace.
completion_init()


_OPTIONS = ("--install-completion", "--show-completion")


def with_shell(args: list[str]) -> list[str]:
    """The arguments, with 'auto' after a completion option that names no shell."""
    fixed = list(args)
    for index, arg in enumerate(args):
        if arg in _OPTIONS and (index + 1 == len(args) or args[index + 1].startswith("-")):
            fixed.insert(index + 1 + (len(fixed) - len(args)), "auto")
    return fixed


def _shell(value: str) -> str | None:
    if value and value != "auto":
        if value not in SHELLS:
            raise typer.BadParameter(f"'{value}' is not a shell pathway can complete in; "
                                     f"use one of: {', '.join(SHELLS)}")
        return value
    from typer._completion_shared import _get_shell_name  # detection, as typer does it

    return _get_shell_name()


def install_completion(ctx: typer.Context, param: Any, value: str | None) -> None:
    """Eager callback of --install-completion [SHELL]."""
    if value is None or ctx.resilient_parsing:
        return
    from typer._completion_shared import install

    shell = _shell(value)
    if shell is None:
        raise typer.BadParameter("the shell could not be detected; name it, e.g. "
                                 "--install-completion zsh")
    installed, path = install(shell=shell, prog_name="pathway")
    typer.echo(f"{installed} completion installed in {path}")
    typer.echo("Completion will take effect once you restart the terminal.")
    raise typer.Exit


def show_completion(ctx: typer.Context, param: Any, value: str | None) -> None:
    """Eager callback of --show-completion [SHELL]."""
    if value is None or ctx.resilient_parsing:
        return
    from typer._completion_shared import get_completion_script

    shell = _shell(value) or "bash"
    typer.echo(get_completion_script(prog_name="pathway", complete_var="_PATHWAY_COMPLETE",
                                     shell=shell))
    raise typer.Exit


def _start(ctx: typer.Context) -> Path:
    given = ctx.params.get("caseload")
    return Path(given) if given else Path.cwd()


def complete_learner(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Learner ids of the caseload."""
    from pathway_cli.completion import learner_ids

    return learner_ids(_start(ctx), incomplete)


def complete_goal_or_learner(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """`pathway goal [ID] GOAL`: in a case folder the goal ids, elsewhere the learner ids."""
    from pathway_cli.completion import goal_ids, learner_ids
    from pathway_cli.locating import case_folder_around

    start = _start(ctx)
    if ctx.params.get("caseload") is None and case_folder_around(start) is not None:
        return goal_ids(start, None, incomplete)
    return learner_ids(start, incomplete)


def complete_goal_of_case(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Goal ids of the case named by the argument before."""
    from pathway_cli.completion import goal_ids

    return goal_ids(_start(ctx), ctx.params.get("first"), incomplete)


def complete_template(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Report templates (built-in and the caseload's own)."""
    from pathway_cli.completion import template_names

    paths = ctx.params.get("paths") or []
    start = Path(paths[0]) if paths else Path.cwd()
    return template_names(start, incomplete)


def complete_key_worker(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Key workers named in the caseload."""
    from pathway_cli.completion import key_worker_ids

    paths = ctx.params.get("paths") or []
    return key_worker_ids(Path(paths[0]) if paths else Path.cwd(), incomplete)

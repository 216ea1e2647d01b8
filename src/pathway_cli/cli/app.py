"""The Typer application and the options every command shares.

This package is the only place that imports typer or rich. Commands parse options,
call one core function and hand the result to a reporter; ``guarded`` turns a
``UserError`` into a message on stderr and exit code 1.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from pathway_cli.cli.registry import LazyGroup
from pathway_cli.errors import UserError

if TYPE_CHECKING:  # the records model and Rich load only when a command needs them
    from rich.console import Console

    from pathway_cli.caseload import Caseload

__all__ = [
    "FormatOpt",
    "PathsArg",
    "TodayOpt",
    "app",
    "display_path",
    "err_console",
    "guarded",
    "load_for_command",
    "open_for_command",
    "out_console",
    "parse_date_option",
    "resolve_today",
]

P = ParamSpec("P")
R = TypeVar("R")

EPILOG = (
    "Records are plain YAML, one folder per learner (see the README). "
    "Exit codes: 0 done, 1 findings or a refused action, 2 usage error."
)

app = typer.Typer(
    name="pathway",
    cls=LazyGroup,
    help=(
        "Keep learner-support records (assessment, plan, contract, reviews) as plain YAML "
        "and validate, update, summarise and render them."
    ),
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read every record file afresh instead of using the cache of loaded cases "
            "(.pathway/cache/), e.g. to time a cold run or to rule the cache out.",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            max=64,
            envvar="PATHWAY_JOBS",
            metavar="N",
            help="Worker processes for whole-caseload commands (default: one per core; "
            "small caseloads always use one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    # Options for every command; the group also needs a callback because its commands
    # are registered lazily.
    from pathway_cli.cache import use_cache
    from pathway_cli.parallel import set_jobs

    use_cache(not no_cache)
    set_jobs(jobs)


def out_console() -> Console:
    """Console for data on stdout (colour only on a terminal; NO_COLOR respected)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    """Console for messages, findings and progress on stderr."""
    from rich.console import Console

    # emoji=False: ':key:' in 'did:key:...' (or in a learner's text) stays as written
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def parse_date_option(value: str | None) -> str | None:
    """Typer callback for date options: refuse anything but YYYY-MM-DD (a usage error)."""
    if value is None:
        return None
    from pathway_cli.models import FIRST_YEAR, LAST_YEAR

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date written as YYYY-MM-DD") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise typer.BadParameter(f"'{value}' is outside the years {FIRST_YEAR}-{LAST_YEAR}")
    return value


def resolve_today(value: str | None) -> date:
    """The date that counts as today: --today, PATHWAY_TODAY, or the real date."""
    return date.fromisoformat(value) if value else date.today()


class TextOrJson(StrEnum):
    """Output format of commands that print findings or records."""

    text = "text"
    json = "json"


TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        envvar="PATHWAY_TODAY",
        metavar="YYYY-MM-DD",
        callback=parse_date_option,
        help="Treat this date as today, for reproducible output.",
    ),
]
PathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="A caseload, its cases/ folder, case folders or record files "
        "(default: the caseload around the current folder).",
        show_default=False,
    ),
]
FormatOpt = Annotated[TextOrJson, typer.Option("--format", "-f", help="Output format.")]


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the current folder where possible."""
    try:
        # abspath, not resolve(): a link is shown as the user named it (and a looping
        # link cannot break the message about it).
        return str(Path(os.path.normpath(path.absolute())).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_for_command(paths: list[Path] | None) -> Caseload:
    """Load the caseload for a command that reads it, warning when pathway.yaml is broken."""
    from pathway_cli.caseload import load_cases

    caseload = open_for_command(paths)
    caseload.cases = load_cases(caseload.root, caseload.case_folders)
    return caseload


def open_for_command(paths: list[Path] | None) -> Caseload:
    """The caseload with its settings and the folders of its cases, none loaded yet (the
    whole-caseload commands load them on every core); warns when pathway.yaml is broken."""
    from pathway_cli.caseload import open_caseload

    caseload = open_caseload(paths or [])
    if caseload.settings_broken and caseload.settings_file is not None:
        err_console().print(
            f"[yellow]warning:[/] {_escape(display_path(caseload.settings_file.path))} has "
            "errors, so the default settings (thresholds, review interval) are used; run "
            "'pathway validate' to see them"
        )
    return caseload


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a UserError into a plain message on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            console = err_console()
            console.print(f"[bold red]error:[/] {_escape(exc.message)}")
            if exc.hint:
                console.print(f"[dim]hint:[/] {_escape(exc.hint)}")
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            # The file system said no (permissions, a full disk, a looping link): the
            # user's environment, not a bug, so a message rather than a traceback.
            where = f"{exc.filename}: " if exc.filename else ""
            reason = exc.strerror or str(exc)
            err_console().print(f"[bold red]error:[/] {_escape(where + reason)}")
            raise typer.Exit(1) from None

    return wrapper


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def debug_enabled() -> bool:
    """True when PATHWAY_DEBUG asks for tracebacks of internal errors."""
    return bool(os.environ.get("PATHWAY_DEBUG"))

"""The Typer application and the options every command shares.

This package is the only place that imports typer or rich. Commands parse options,
call one core function and hand the result to a reporter; ``guarded`` turns a
``UserError`` into a message on stderr and exit code 1.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

from pathway_cli.cli import completion
from pathway_cli.cli.helptext import PlainHelpMixin
from pathway_cli.cli.registry import LazyGroup
from pathway_cli.errors import UserError

if TYPE_CHECKING:  # the records model and Rich load only when a command needs them
    from rich.console import Console

    from pathway_cli.caseload import Caseload

__all__ = [
    "FormatOpt",
    "OptionalIdArg",
    "PathsArg",
    "TodayOpt",
    "app",
    "case_id_or_here",
    "display_path",
    "err_console",
    "guarded",
    "int_range",
    "load_for_command",
    "open_for_command",
    "out_console",
    "parse_date_option",
    "print_json",
    "relative_paths_in",
    "resolve_today",
    "warn_broken_settings",
]

P = ParamSpec("P")
R = TypeVar("R")

EPILOG = (
    "Records are plain YAML, one folder per learner (see the README). "
    "Exit codes: 0 done, 1 findings or a refused action, 2 usage error."
)

class _PathwayGroup(PlainHelpMixin, LazyGroup):
    """The root group: commands load lazily (registry.py), their help reads well at 80
    columns (helptext.py), and ``--install-completion`` / ``--show-completion`` take an
    optional shell name (``--install-completion`` alone detects the shell)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Give a shell-less completion option the value 'auto' before parsing; refuse text
        that is not UTF-8 (a terminal in another encoding), which no record could hold."""
        for arg in args:
            if _NOT_UTF8.search(arg) and not os.path.lexists(arg):  # a path may be any bytes
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                raise typer.BadParameter(
                    f"'{shown}' holds bytes that are not UTF-8 text (shown as \ufffd); set "
                    "the terminal to UTF-8 and type it again", ctx=ctx)
        return super().parse_args(ctx, completion.with_shell(args))

    def invoke(self, ctx: Any) -> Any:
        """Run the command; a word not among an option's choices is refused in plain words."""
        try:
            return super().invoke(ctx)
        except typer.BadParameter as exc:
            exc.message = _plain_choice_message(exc.message)
            raise


# How Python reads bytes of the command line that are not UTF-8 (surrogate escapes).
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_NOT_ONE_OF = re.compile(r"(?:Value error, )?(?P<value>'.*') is not one of (?P<choices>.*)\.")


def _plain_choice_message(message: str) -> str:
    """The choice check's words ("Value error, 'x' is not one of 'a', 'b'.") as a sentence
    in the words of ``validate``; any other message unchanged."""
    match = _NOT_ONE_OF.fullmatch(message)
    if match is None:
        return message
    choices = ", ".join(c.strip().strip("'") for c in match["choices"].split(","))
    return f"{match['value']} is not allowed; use one of: {choices}"


app = typer.Typer(
    name="pathway",
    cls=_PathwayGroup,
    help=(
        "Keep learner-support records (assessment, plan, contract, reviews) as plain YAML "
        "and validate, update, summarise and render them."
    ),
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,  # ours take the shell's name (see cli/completion.py)
    context_settings={"help_option_names": ["-h", "--help"]},
)


def int_range(low: int, high: int | None = None) -> Callable[[int | None], int | None]:
    """A callback that refuses whole numbers outside low-high in plain words."""

    def check(value: int | None) -> int | None:
        if value is not None and (value < low or (high is not None and value > high)):
            span = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise typer.BadParameter(f"{value} is not allowed: give a whole number {span}")
        return value

    return check


def _show_version(value: bool) -> None:
    if value:
        from pathway_cli import __version__

        print(f"pathway {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_show_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
    install_completion: Annotated[
        str | None,
        typer.Option("--install-completion", metavar="[SHELL]", show_envvar=False,
                     callback=completion.install_completion, is_eager=True,
                     expose_value=False, show_default=False,
                     help="Install completion for SHELL (bash, zsh, fish, powershell; "
                     "default: the shell you are in)."),
    ] = None,
    show_completion: Annotated[
        str | None,
        typer.Option("--show-completion", metavar="[SHELL]", show_envvar=False,
                     callback=completion.show_completion, is_eager=True,
                     expose_value=False, show_default=False,
                     help="Print the completion script for SHELL, to install it by hand."),
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Read and check every record file afresh instead of using the cache of "
            "loaded and checked cases (.pathway/cache/), e.g. to time a cold run or to rule "
            "the cache out.",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            callback=int_range(1, 64),
            envvar="PATHWAY_JOBS",
            metavar="N",
            help="Worker processes for whole-caseload commands (default: one per core; "
            "small caseloads always use one).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Keep learner-support records (assessment, plan, contract, reviews) as plain YAML
    and validate, update, summarise and render them."""
    # Options for every command; the group also needs a callback because its commands
    # are registered lazily. A module not imported yet starts from the defaults, so
    # `pathway CMD --help` need not import the cache (hashing, pickle) or the workers.
    if no_cache or "pathway_cli.cache" in sys.modules:
        from pathway_cli.cache import use_cache

        use_cache(not no_cache)
    if jobs is not None or "pathway_cli.parallel" in sys.modules:
        from pathway_cli.parallel import set_jobs

        set_jobs(jobs)


def out_console() -> Console:
    """Console for data on stdout (colour only on a terminal; NO_COLOR respected)."""
    from pathway_cli.cli.console import PlainConsole

    return PlainConsole(highlight=False, soft_wrap=True)


def err_console() -> Console:
    """Console for messages, findings and progress on stderr."""
    from pathway_cli.cli.console import PlainConsole

    # emoji=False: ':key:' in 'did:key:...' (or in a learner's text) stays as written
    return PlainConsole(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def print_json(document: Any) -> None:
    """A JSON document on stdout, indented; no raw control character reaches a terminal."""
    import json

    from pathway_cli.plaintext import escape_json_controls

    print(escape_json_controls(json.dumps(document, ensure_ascii=False, indent=2)))


def parse_date_option(
    ctx: typer.Context, param: typer.CallbackParam, value: str | None
) -> str | None:
    """Typer callback for date options: refuse anything but a real YYYY-MM-DD (a usage error).

    The message names where the value came from: the option, or its environment variable
    when the option was not given.
    """
    if value is None:
        return None
    from pathway_cli.dates import FIRST_YEAR, LAST_YEAR

    hint = _date_source(ctx, param)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise typer.BadParameter(
            f"'{value}' is not a date written as YYYY-MM-DD", param_hint=hint
        )
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a real date; check the month (01-12) and the day",
            param_hint=hint,
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise typer.BadParameter(
            f"'{value}' is outside the years {FIRST_YEAR}-{LAST_YEAR}", param_hint=hint
        )
    return value


def _date_source(ctx: typer.Context, param: typer.CallbackParam) -> str:
    """'--today', or the environment variable when the value came from there."""
    name = param.name or ""
    option = max(param.opts, key=len) if param.opts else name
    envvar = getattr(param, "envvar", None)
    source = ctx.get_parameter_source(name)
    if source is not None and source.name == "ENVIRONMENT" and isinstance(envvar, str):
        return f"the environment variable {envvar}"
    return f"'{option}'"


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


OptionalIdArg = Annotated[
    str | None,
    typer.Argument(metavar="ID", show_default=False,
                   autocompletion=completion.complete_learner,
                   help="Learner id (the case folder's name); inside a case folder, that case."),
]


def case_id_or_here(case_id: str | None) -> str:
    """The learner id given, or that of the case folder the command runs in."""
    if case_id is not None:
        return case_id
    from pathway_cli.locating import case_folder_around

    folder = case_folder_around(Path.cwd())
    if folder is None:
        raise UserError("which learner? give the learner id, or run this inside a case "
                        "folder (cases/ID/)")
    return folder.name


# Further up than this, a path relative to the current folder is harder to read than in full.
_MAX_UP = 3


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the current folder where possible.

    Inside a case folder, the caseload's own files are shown as ../../pathway.yaml.
    """
    # os.getcwd() is part of the key: the same path shows otherwise from another folder
    return _display_path(str(path), os.getcwd())  # noqa: PTH109 - a string, for the key


@functools.lru_cache(maxsize=4096)
def _display_path(named: str, here: str) -> str:
    # Thousands of findings name a few thousand files: this runs once a file, on strings.
    # abspath, not resolve(): a link is shown as the user named it (and a looping
    # link cannot break the message about it).
    absolute = os.path.normpath(os.path.join(here, named))  # noqa: PTH118 - strings: faster
    inside = here.rstrip(os.sep) + os.sep
    if absolute.startswith(inside):  # the common case, as relpath() gives it
        return absolute[len(inside):]
    try:
        relative = os.path.relpath(absolute, here)
    except ValueError:  # another drive
        return named
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        # Up from here only within the caseload around the current folder (from a case
        # folder, ../../pathway.yaml); anything else is shown as it was named.
        root = _caseload_around(here)
        if (root is None or relative.split(os.sep).count(os.pardir) > _MAX_UP  # noqa: PTH206
                or not Path(absolute).is_relative_to(root)):
            return named
    return relative


@functools.lru_cache(maxsize=4)
def _caseload_around(here: str) -> Path | None:
    from pathway_cli.locating import find_root

    root = find_root(Path(here))
    return Path(os.path.normpath(root.absolute())) if root is not None else None


def relative_paths_in(text: str) -> str:
    """A message with the absolute paths inside the caseload around the current folder
    written relative to it, as display_path writes paths (core messages name files in
    full)."""
    from pathway_cli.locating import find_root

    here = Path.cwd()
    root = find_root(here)
    if root is None or os.sep not in text:
        return text
    folders = [here.resolve(), *here.resolve().parents]
    for folder in folders[: folders.index(root) + 1] if root in folders else folders[:1]:
        relative = os.path.relpath(folder, here)
        text = text.replace(str(folder) + os.sep, "" if relative == "." else relative + os.sep)
        text = re.sub(re.escape(str(folder)) + r"(?![\w./-])", relative, text)
    return text


def load_for_command(paths: list[Path] | None) -> Caseload:
    """Load the caseload for a command that reads it, warning when pathway.yaml is broken."""
    from pathway_cli.caseload import load_cases

    caseload = open_for_command(paths)
    caseload.cases = load_cases(caseload.root, caseload.case_folders,
                                caseload.settings.max_record_bytes)
    return caseload


def open_for_command(paths: list[Path] | None) -> Caseload:
    """The caseload with its settings and the folders of its cases, none loaded yet (the
    whole-caseload commands load them on every core); warns when pathway.yaml is broken."""
    from pathway_cli.caseload import open_caseload

    caseload = open_caseload(paths or [])
    if caseload.settings_broken and caseload.settings_file is not None:
        warn_broken_settings(caseload.settings_file.path)
    return caseload


def warn_broken_settings(path: Path | None) -> None:
    """Say that pathway.yaml at ``path`` has errors and the defaults stand in (None: it has
    none, or there is none)."""
    if path is not None:
        err_console().print(
            f"[yellow]warning:[/] {_escape(display_path(path))} has errors, so the default "
            "settings (thresholds, review interval) are used; run 'pathway validate' to see "
            "them"
        )


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a UserError into a plain message on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            console = err_console()
            console.print(f"[bold red]error:[/] {_escape(relative_paths_in(exc.message))}")
            if exc.hint:
                console.print(f"[dim]hint:[/] {_escape(relative_paths_in(exc.hint))}")
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            raise  # the reader went away (| head): main() ends quietly
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

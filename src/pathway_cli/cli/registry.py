"""Which module defines which command, so that a command's module is imported on first use.

``pathway --help``, ``pathway --version`` and shell completion of command names read this table
and import nothing else: the records model, Jinja, the typesetter and scipy load only when a
command that needs them runs. A test keeps each summary equal to its command's own help.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from typer import _click as click  # typer ships its own click (0.29 and later)
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer.core import TyperCommand, TyperGroup, _TyperParameter

__all__ = ["COMMANDS", "CommandEntry", "LazyGroup"]


@dataclass(frozen=True)
class CommandEntry:
    """A top-level command: the ``pathway_cli.cli`` module that registers it, and its summary."""

    module: str
    summary: str
    hidden: bool = False


# In the order `pathway --help` lists them: checking and making records, the caseload,
# reports, updates, then matching and badges.
COMMANDS: dict[str, CommandEntry] = {
    "validate": CommandEntry(
        "records", "Check records against the format: shapes, references, dates and consistency."
    ),
    "schema": CommandEntry(
        "records",
        "JSON Schema (draft 2020-12) of each record kind, for editors and other validators.",
    ),
    "init": CommandEntry(
        "records",
        "Make a caseload skeleton: pathway.yaml, cases/, schemas, a README, a pre-commit hook.",
    ),
    "new": CommandEntry(
        "records",
        "Make cases/ID/ with learner.yaml and commented skeletons for the other records.",
    ),
    "summarise": CommandEntry(
        "caseload",
        "Caseload overview: one row a learner, the ones who need attention first.",
    ),
    "summarize": CommandEntry(
        "caseload",
        "Caseload overview: one row a learner, the ones who need attention first.",
        hidden=True,
    ),
    "alerts": CommandEntry(
        "caseload",
        "Early-warning flags: each with its level, the rule that fired and the record behind it.",
    ),
    "timeline": CommandEntry(
        "caseload",
        "One learner's story in date order: opened, assessed, plan agreed and revised, "
        "signatures, reviews with attendance and well-being, goals achieved, badges, closed.",
    ),
    "export": CommandEntry(
        "caseload",
        "Flat rows for the institution's monitoring: one row a learner, a goal or a review.",
    ),
    "evaluate": CommandEntry(
        "evaluate",
        "Is the support working? Outcomes, retention, timeliness, goals, attendance and "
        "well-being change, mentoring and workload for a period, each figure with its "
        "numerator and denominator.",
    ),
    "agenda": CommandEntry(
        "agenda", "What is due for each person in the next N days, and what is overdue."
    ),
    "render": CommandEntry(
        "render",
        "Render reports as Markdown, HTML or PDF, for one audience, with its consent.",
    ),
    "goal": CommandEntry("update", "Update one goal in plan.yaml: status, progress, note."),
    "review": CommandEntry(
        "update", "Reviews and sessions: 'review new' writes the next one, prefilled."
    ),
    "sign": CommandEntry("update", "Add a signature to contract.yaml."),
    "set": CommandEntry("update", "Set values in one record file by dotted key."),
    "close": CommandEntry(
        "update", "Close a case: status, closed date and outcome in learner.yaml."
    ),
    "follow-up": CommandEntry(
        "update",
        "Record where a learner is after the case closed: a follow-up in learner.yaml.",
    ),
    "reopen": CommandEntry(
        "update",
        "Reopen a closed case for a learner who came back: one case, with its history.",
    ),
    "match": CommandEntry(
        "match",
        "Propose mentors from mentors.yaml for the active learners who have none, with reasons.",
    ),
    "badges": CommandEntry(
        "badges",
        "Open Badges 3.0 credentials of recognised achievements: issue them signed (the "
        "default: 'pathway badges ID'), make the issuer key, verify and revoke them.",
    ),
}


@dataclass(frozen=True)
class _CoercedOnUse(RuntimeParam):
    """Typer's coercion of one parameter, built when a value is first given.

    Typer coerces every parameter with a pydantic TypeAdapter, built on first use, and
    processing an option left out counts as a use: ``pathway goal --help`` (which processes
    the root's --jobs) and the completion of a learner id would import pydantic for nothing.
    A value left out stays None without it, and a plain text argument is already its value.
    """

    descriptor: TypeDescriptor

    def _coerce_value(self, value: Any, param: Any, ctx: click.Context) -> Any:
        if ctx.resilient_parsing:  # completing: the callbacks read the words as typed
            return value
        if self.parameter_info.parser is None:
            plain = _plain_value(self.annotation, value)
            if plain is not None:
                return plain
        built = build_runtime_param(self.descriptor)
        param._runtime_param = built
        return built._coerce_value(value, param=param, ctx=ctx)


def _plain_value(annotation: Any, value: Any) -> Any:
    """The value of a plain parameter without pydantic: text for ``str``, the member of an
    enum (click's choice has made it one of the values), a path, or a value already of the
    type (a default), and a list of those. None: let typer coerce it. ``X | None`` is taken
    as ``X``: a value left out never gets here."""
    members = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, UnionType) and len(members) == 1:
        annotation = members[0]
    if get_origin(annotation) is list and isinstance(value, (list, tuple)) and value:
        (item,) = get_args(annotation) or (None,)
        items = [_plain_value(item, one) for one in value]
        return None if any(one is None for one in items) else items
    if not isinstance(annotation, type):
        return None
    if type(value) is annotation or (annotation is Path and isinstance(value, Path)):
        return value
    if isinstance(value, str):
        if issubclass(annotation, Enum):
            try:
                return annotation(value)
            except ValueError:
                return None
        if annotation is Path:
            return Path(value)
    return None


def _coercion_on_use(param: _TyperParameter) -> RuntimeParam:
    if param._runtime_param is None:
        descriptor = param.type_descriptor
        param._runtime_param = _CoercedOnUse(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            descriptor=descriptor,
        )
    return param._runtime_param


# Every typer parameter of the process (help options included, which click makes on demand).
_TyperParameter.get_runtime_param = _coercion_on_use  # type: ignore[method-assign,assignment]


class _Placeholder(TyperCommand):
    """Stands in for a command in help listings and name completion; never invoked."""

    def invoke(self, ctx: click.Context) -> Any:  # pragma: no cover - resolve loads first
        raise RuntimeError(f"command {self.name!r} was not loaded")


class LazyGroup(TyperGroup):
    """The top-level group: lists commands from ``COMMANDS``, imports one when it is run.

    Typer builds click commands from functions registered on the app; a module registers its
    commands when imported, and this group imports the module when the command is resolved
    for running (or completing its options), not when its name is listed or completed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._resolving = False
        for name, entry in COMMANDS.items():
            self.commands.setdefault(
                name, _Placeholder(name, short_help=entry.summary, help=entry.summary,
                                   hidden=entry.hidden)
            )

    @contextmanager
    def _loading(self) -> Any:
        previous, self._resolving = self._resolving, True
        try:
            yield
        finally:
            self._resolving = previous

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve the command to run, importing its module first."""
        with self._loading():
            return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The real command while resolving; otherwise what is loaded, or its placeholder."""
        command = self.commands.get(cmd_name)
        if isinstance(command, _Placeholder) and self._resolving:
            command = self.load(cmd_name)
        return command

    def load(self, name: str) -> click.Command:
        """Import the module of ``name`` and build its click command (once)."""
        command = self.commands.get(name)
        if command is not None and not isinstance(command, _Placeholder):
            return command
        from typer.main import get_command_from_info, get_group_from_info

        from pathway_cli.cli.app import app

        importlib.import_module(f"pathway_cli.cli.{COMMANDS[name].module}")
        built: click.Command | None = None
        for info in app.registered_commands:
            if info.callback is None:
                continue
            own = info.name or info.callback.__name__.lower().replace("_", "-")
            if own == name:
                built = get_command_from_info(
                    info,
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                )
                break
        else:
            for group in app.registered_groups:
                if group.name == name:
                    built = get_group_from_info(
                        group,
                        pretty_exceptions_short=app.pretty_exceptions_short,
                        rich_markup_mode=app.rich_markup_mode,
                        suggest_commands=app.suggest_commands,
                    )
                    break
        if built is None:
            raise LookupError(f"pathway_cli.cli.{COMMANDS[name].module} defines no {name!r}")
        self.commands[name] = built
        return built

    def load_all(self) -> dict[str, click.Command]:
        """Every command, loaded (for documentation checks and reference generation)."""
        return {name: self.load(name) for name in COMMANDS}

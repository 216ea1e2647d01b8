"""Help that reads well at 80 columns: plain words for value types, examples kept as written.

Typer labels values by their Python type (``<list[Path]>``, ``<str>``, ``<int range>``);
a practitioner reads ``PATH...``, ``TEXT`` or a list of choices instead. Click re-wraps
every paragraph of a help text, which is right for prose but breaks an example command
in the middle; example paragraphs (lines indented by two spaces) are kept as written.
"""

from __future__ import annotations

import re
from typing import Any

from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

__all__ = ["PlainHelpGroup", "PlainHelpMixin", "plain_label"]

_LONGEST_CHOICES = 40  # wider than this, the option column of an 80-column help overflows
_WORDS = {"str": "TEXT", "path": "PATH", "int": "N", "float": "NUMBER", "date": "YYYY-MM-DD",
          "file": "FILE", "directory": "DIR", "bool": ""}


def plain_label(typer_label: str) -> str:
    """'<list[Path]>' -> 'PATH...', '<md|html>' -> '[md|html]', '<bool>' -> ''."""
    label = typer_label.strip("<>")
    many = False
    if label.startswith("list[") and label.endswith("]"):
        label, many = label[5:-1], True
    label = re.sub(r" range$", "", label)
    word = f"[{label}]" if "|" in label else _WORDS.get(label.lower(), label.upper())
    return f"{word}..." if many and word else word


def _keep_examples(text: str | None) -> str | None:
    """Mark paragraphs of indented lines (examples) so that click does not re-wrap them."""
    if not text:
        return text
    paragraphs = text.split("\n\n")
    kept = [
        "\b\n" + p if p.startswith("  ") and not p.startswith("\b") else p for p in paragraphs
    ]
    return "\n\n".join(kept)


def _tidy(command: Any) -> None:
    if getattr(command, "_pathway_tidy", False):
        return
    command._pathway_tidy = True
    command.context_class = _PlainContext
    command.epilog = _keep_examples(command.epilog)
    for param in getattr(command, "params", []):
        original = getattr(param, "display_type", None)
        if original is None:
            continue
        if param.param_type_name != "argument":
            if param.metavar is None:
                _name_long_choices(param)
            if param.metavar is None:
                param.display_type_rich = _plain_type(original)
            continue
        if param.metavar is None:  # a path or a list of paths: arguments have no choices
            param.metavar = plain_label(original(None)).removesuffix("...")
        param.display_type_rich = lambda ctx: None  # the metavar says it all
        param.get_usage_pieces = _usage(param)


def _name_long_choices(param: Any) -> None:
    """A choice list too long for its column becomes a word, with the choices in the help."""
    choices = [str(getattr(c, "value", c)) for c in param.type_descriptor.choices or ()]
    if len("|".join(choices)) <= _LONGEST_CHOICES:
        return
    name = (param.name or "value").upper()
    param.metavar = f"{name}..." if param.multiple else name
    param.help = f"{param.help or ''} One of: {', '.join(choices)}.".strip()


def _usage(param: Any) -> Any:
    """The usage-line word of an argument: ID when required, [ID] when not (typer writes
    {ID}); none for a hidden one."""
    word = param.metavar
    if not param.required and not word.startswith("["):
        word = f"[{word}]"
    if param.nargs != 1 and not word.endswith("..."):
        word += "..."
    pieces = [] if param.hidden or not param.metavar else [word]
    return lambda ctx: pieces


def _plain_type(original: Any) -> Any:
    def display(ctx: Any) -> str | None:
        return plain_label(original(ctx)) or None

    return display


_NO_BREAK = "\u2011"  # a non-breaking hyphen: the wrapper keeps the word whole


class _WholeWordFormatter(HelpFormatter):
    """Click's formatter, without breaking 'vet-school' or 'well-being' at the hyphen."""

    def write_text(self, text: str) -> None:
        start = len(self.buffer)
        super().write_text(text.replace("-", _NO_BREAK))
        self._restore(start)

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        start = len(self.buffer)
        kept = [(term, text.replace("-", _NO_BREAK)) for term, text in rows]
        super().write_dl(kept, col_max, col_spacing)
        self._restore(start)

    def _restore(self, start: int) -> None:
        self.buffer[start:] = [part.replace(_NO_BREAK, "-") for part in self.buffer[start:]]


class _PlainContext(Context):
    formatter_class = _WholeWordFormatter


class PlainHelpMixin:
    """Makes a command group's commands show plain value labels in --help (see above)."""

    context_class: type[Context] = _PlainContext

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command, with its help tidied once (see the module docstring)."""
        command = super().get_command(ctx, cmd_name)  # type: ignore[misc]
        if command is not None and not isinstance(command, TyperGroup):
            _tidy(command)
        return command


class PlainHelpGroup(PlainHelpMixin, TyperGroup):
    """A typer group (``review``) whose commands show plain value labels in --help."""

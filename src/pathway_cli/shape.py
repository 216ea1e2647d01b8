"""Checking a file's data against its model, with messages a coach understands.

Pydantic says *what* is wrong in a programmer's words; this module turns each of its
errors into a finding with a stable rule id, the key path of the value, and a sentence
that names the field, what was found, and what would be right.
"""

from __future__ import annotations

import difflib
import typing
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from pathway_cli.findings import Finding, KeyPath
from pathway_cli.models import annotation_at, model_at, unwrap_annotation

__all__ = ["check_shape"]

M = TypeVar("M", bound=BaseModel)

_RULES = {
    "extra_forbidden": "unknown-field",
    "missing": "missing-field",
    "too_short": "missing-field",
    "literal_error": "invalid-choice",
    "enum": "invalid-choice",
    "date_with_time": "invalid-date",
    "date_format": "invalid-date",
    "date_impossible": "invalid-date",
    "date_type": "invalid-date",
    "date_range": "invalid-date",
    "rate": "invalid-rate",
    "greater_than_equal": "out-of-range",
    "less_than_equal": "out-of-range",
    "greater_than": "out-of-range",
    "less_than": "out-of-range",
    "string_pattern_mismatch": "invalid-id",
}

_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list ('- item' lines, or [a, b])",
    "dict_type": "a block of 'key: value' lines",
    "model_type": "a block of 'key: value' lines",
    "model_attributes_type": "a block of 'key: value' lines",
}


def check_shape(
    data: Any, model: type[M], file: Path, what: str
) -> tuple[M | None, list[Finding]]:
    """Validate ``data`` against ``model``; return the model or the findings, never raise."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, [_finding(err, model, file, what) for err in exc.errors()]
    except RecursionError:
        return None, [Finding(file, "yaml-too-deep", "this file nests too deeply to be a record",
                              line=1, column=1)]


def _clean_loc(loc: tuple[Any, ...]) -> KeyPath:
    # "<...>" parts are the tags of a discriminated union (models.ContractEntry), not keys.
    return tuple(part for part in loc
                 if part != "[key]" and not (isinstance(part, str) and part.startswith("<")))


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return (
            f"{str(value).lower()} (YAML reads yes/no/on/off as true/false: put the text "
            "in quotes)"
        )
    if isinstance(value, dict):
        return "a block of 'key: value' lines"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bytes):  # a !!binary tag: Python's b'...' would mean nothing here
        return "binary data (a !!binary tag); write it as plain text"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _finding(err: Any, model: type[BaseModel], file: Path, what: str) -> Finding:
    kind: str = err["type"]
    loc = _clean_loc(tuple(err["loc"]))
    key = str(loc[-1]) if loc and isinstance(loc[-1], str) else None
    field = f"'{key}'" if key else "this value"
    where = f" in {what}" if len(loc) <= 1 else ""
    ctx = err.get("ctx") or {}
    value = err.get("input")
    rule = _RULES.get(kind, "invalid-type")
    on_key = False
    if kind == "extra_forbidden" and value is None and key and " " in key.strip():
        # `{note: failed on 20 Nov, resit in January}`: the comma ended the value and the
        # rest became a key. No field name has a space in it.
        on_key = True
        rule = "text-needs-quotes"
        message = (
            f"{field} is not a field: it looks like the rest of a text cut at a comma. Inside "
            "{...} or [...] a comma ends a value, so put the whole text in quotes: "
            f"\"..., {key}\""
        )
    elif kind == "extra_forbidden":
        on_key = True
        allowed = _fields_at(model, loc[:-1])
        hint = _did_you_mean(key or "", allowed)
        message = f"{field} is not a field{where}{hint}; keep a team's own data under 'extra:'"
    elif kind == "missing":
        message = f"{field} is required{where} but missing"
        if loc:
            loc = loc[:-1]
    elif kind == "too_short":
        message = f"{field} needs at least one entry"
    elif kind in ("literal_error", "enum"):
        allowed = _choices_at(model, loc)
        hint = _did_you_mean(str(value), allowed)
        choices = ", ".join(allowed) if allowed else str(ctx.get("expected", ""))
        message = f"{_describe(value)} is not allowed for {field}{hint}; use one of: {choices}"
    elif kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt"))
        message = f"{field} is {_describe(value)}, below the lowest allowed value {bound}"
    elif kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt"))
        message = f"{field} is {_describe(value)}, above the highest allowed value {bound}"
    elif kind == "string_pattern_mismatch":
        message = (
            f"{_describe(value)} is not a valid id for {field}: start with a letter or digit, "
            "then use letters, digits, '.', '_' or '-' (64 characters at most)"
        )
    elif rule in ("invalid-date", "invalid-rate") or kind == "owner_twice":
        message = f"{field}: {err['msg']}"
    elif kind in ("model_type", "model_attributes_type", "dict_type") and (
        keys := _keys_of(model, loc)
    ):
        message = f"{field} must be a block of 'key: value' lines{keys}, but is {_describe(value)}"
    elif kind in _TYPE_WORDS:
        message = f"{field} must be {_TYPE_WORDS[kind]}, but is {_describe(value)}"
    else:
        message = f"{field} is not right here: {_plain(err['msg'])}"
    return Finding(file, rule, message, key_path=loc, on_key=on_key)


# Words people write for a field that has another name here.
_SYNONYMS = {"by": "owner", "who": "owner", "owners": "owner", "responsible": "owner"}


def _did_you_mean(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if not close and _SYNONYMS.get(word) in candidates:
        close = [_SYNONYMS[word]]
    return f" (did you mean '{close[0]}'?)" if close else ""


def _keys_of(model: type[BaseModel], loc: KeyPath) -> str:
    """' with name, issuer and date (optional: url)': the keys a block needs, in words."""
    found = model_at(model, loc)
    if found is None:
        return ""
    fields = [(info.alias or name, info.is_required())
              for name, info in found.model_fields.items() if name != "extra"]
    required = [name for name, needed in fields if needed]
    optional = [name for name, needed in fields if not needed]
    if not required:
        return f" (any of: {', '.join(optional)})"
    listed = ", ".join(required[:-1]) + (" and " if len(required) > 1 else "") + required[-1]
    more = f" (optional: {', '.join(optional)})" if optional else ""
    return f" with {listed}{more}"


def _plain(text: str) -> str:
    """Pydantic's words without its programmer's prefixes ('Value error, ...')."""
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text.replace("Input should be", "it should be")


def _fields_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    found = model_at(model, loc) or model_at(model, (*loc, 0))
    if found is None:
        return []
    return [info.alias or name for name, info in found.model_fields.items()]


def _choices_at(model: type[BaseModel], loc: KeyPath) -> list[str]:
    annotation = annotation_at(model, loc)
    if annotation is None:
        return []
    for candidate in unwrap_annotation(annotation):
        if typing.get_origin(candidate) is Literal:
            return [str(a) for a in typing.get_args(candidate)]
    return []

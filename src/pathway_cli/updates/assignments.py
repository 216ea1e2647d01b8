"""``pathway set``: dotted ``KEY=VALUE`` assignments to one record file, each value typed
as the model types that key (dates, numbers, lists, blocks); an empty value removes it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from pathway_cli.caseload import CASE_FILES, REVIEW_NAME_RE, REVIEWS_DIR, Case
from pathway_cli.editing import EditError, YamlText, inline_yaml
from pathway_cli.errors import UserError
from pathway_cli.findings import KeyPath
from pathway_cli.loader import expands_safely
from pathway_cli.models import Record, Review, annotation_at, step_annotation, unwrap_annotation
from pathway_cli.updates.changes import Change, Update
from pathway_cli.updates.documents import _order_of, _parsed, _read, _refuse_unread

__all__ = [
    "set_values",
]


_FILE_WORDS = {name.removesuffix(".yaml"): name for name in CASE_FILES}


def _record_file(case: Case, spec: str) -> tuple[Path, type[Record]]:
    """The file named by ``learner``, ``plan.yaml``, ``review:2026-10-26``, ``review``..."""
    word = spec.strip()
    if word in _FILE_WORDS or word in CASE_FILES:
        name = _FILE_WORDS.get(word, word)
        return case.folder / name, CASE_FILES[name]
    reviews = case.folder / REVIEWS_DIR
    if word in ("review", "review:latest"):
        if not case.review_files:
            raise UserError(f"{case.id} has no reviews yet")
        return case.review_files[-1].path, Review
    review: str | None = None
    if word.startswith("review:"):
        review = word.removeprefix("review:")
        review = review if review.endswith(".yaml") else review + ".yaml"
    elif word.startswith(f"{REVIEWS_DIR}/"):
        review = word.removeprefix(f"{REVIEWS_DIR}/")
    if review is not None and REVIEW_NAME_RE.fullmatch(review):
        name = review
        path = reviews / name
        if not path.is_file():
            have = ", ".join(p.name.removesuffix(".yaml") for p in sorted(reviews.glob("*.yaml")))
            raise UserError(f"{case.id} has no review {name} (its reviews: {have or 'none'})")
        return path, Review
    raise UserError(
        f"'{spec}' is not a record file: use learner, assessment, plan, contract, "
        "review:YYYY-MM-DD or review (the latest)"
    )


_BOOLS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


def _yaml_value(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):  # ValueError: a date that is not real (2027-02-29)
        return text


def _typed_leaf(text: str, annotation: Any) -> Any:
    if annotation is None or annotation is Any:
        return _yaml_value(text)
    candidates = [c for c in unwrap_annotation(annotation) if c is not type(None)]
    plain = text.strip()
    for candidate in candidates:
        if candidate is date:
            try:
                return date.fromisoformat(plain)
            except ValueError:
                continue
        if candidate is bool and plain.lower() in _BOOLS:
            return _BOOLS[plain.lower()]
        if candidate is int and _INT_RE.fullmatch(plain):
            return int(plain)
        if candidate is float and _FLOAT_RE.fullmatch(plain):
            return float(plain)
    if any(c is str or typing.get_origin(c) is typing.Literal for c in candidates):
        return text
    return _yaml_value(text)  # the model will say what is wrong with it


def _typed_tree(value: Any, annotation: Any) -> Any:
    if isinstance(value, list):
        return [_typed_tree(item, step_annotation(annotation, 0)) for item in value]
    if isinstance(value, dict):
        return {
            key: _typed_tree(item, step_annotation(annotation, key)) for key, item in value.items()
        }
    return _typed_leaf(value, annotation)


def typed_value(text: str, annotation: Any) -> Any:
    """The value of ``KEY=text`` as the model types the key (dates, numbers, lists...)."""
    candidates = unwrap_annotation(annotation) if annotation not in (None, Any) else []
    structured = any(
        typing.get_origin(c) in (list, dict)
        or (isinstance(c, type) and issubclass(c, BaseModel))
        for c in candidates
    )
    if annotation in (None, Any) or not structured:
        return _typed_leaf(text, annotation)
    try:
        # strings only, so that each value is typed by the model, not by YAML's guesses
        raw = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - the base loader is safe
    except yaml.YAMLError:
        raise UserError(f"'{text}' is not a value pathway can read: write a list as [a, b] "
                        "and a block as {key: value}") from None
    return _typed_tree(raw, annotation)


def _resolve(data: Any, dotted: str, file: str) -> KeyPath:
    """``goals.G2.due`` -> ``("goals", 1, "due")``: list items by their id (or index)."""
    parts = dotted.split(".")
    if not all(parts):
        raise UserError(f"'{dotted}' is not a key: write dotted keys such as programme.mode")
    path: list[str | int] = []
    current = data
    for part in parts:
        if isinstance(current, list):
            ids = [item.get("id") for item in current if isinstance(item, dict)]
            if part in ids:
                index = ids.index(part)
            elif part.isdigit() and int(part) < len(current):
                index = int(part)
            else:
                shown = ", ".join(str(i) for i in ids if i is not None) or "none with an id"
                where = ".".join(str(p) for p in path)
                raise UserError(f"{file}: '{where}' has no item '{part}' (its ids: {shown})")
            path.append(index)
            current = current[index]
        elif isinstance(current, dict) or current is None:
            path.append(part)
            current = current.get(part) if isinstance(current, dict) else None
        else:
            where = ".".join(str(p) for p in path)
            raise UserError(f"{file}: '{where}' is a single value, so '{dotted}' cannot be set")
    return tuple(path)


def parse_assignment(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` split at the first '='."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UserError(f"'{text}' is not KEY=VALUE (for example programme.mode=dual)")
    return key.strip(), value


def set_values(case: Case, file: str, assignments: Sequence[str]) -> Update:
    """Set dotted keys of one record file; an empty value removes the key."""
    if not assignments:
        raise UserError("nothing to set: give KEY=VALUE pairs")
    path, model = _record_file(case, file)
    _refuse_unread(case, path)
    raw = _read(path)
    doc = _parsed(path, raw) if raw is not None else YamlText(b"", path.name)
    order = _order_of(model)
    said = []
    for assignment in assignments:
        dotted, text = parse_assignment(assignment)
        key_path = _resolve(doc.data(), dotted, path.name)
        if text == "":
            if doc.delete(key_path):
                said.append(f"{dotted} removed")
            continue
        value = typed_value(text, annotation_at(model, key_path))
        if not expands_safely(value):
            raise UserError(f"'{dotted}={text}': a value that refers to itself (an alias "
                            "inside its own anchor) cannot be written")
        try:
            changed = doc.set(key_path, value, order)
        except EditError:
            raise
        if changed:
            said.append(f"{dotted} = {inline_yaml(value)}")
    rel = path.relative_to(case.folder).as_posix()
    message = f"{case.id}: {rel}: " + ("; ".join(said) if said else "unchanged")
    return Update(case.id, (Change(path, raw, doc.encode()),), message)

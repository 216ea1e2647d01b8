"""The record kinds by name (``RECORD_KINDS``), and looking into a model: the annotation
at a key path inside a record."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from pathway_cli.models.assessment import Assessment
from pathway_cli.models.contract import Contract
from pathway_cli.models.fields import Record
from pathway_cli.models.learner import Learner
from pathway_cli.models.plan import Plan
from pathway_cli.models.review import Review
from pathway_cli.models.settings import MentorPool, Settings

__all__ = [
    "RECORD_KINDS",
    "annotation_at",
    "model_at",
    "step_annotation",
    "unwrap_annotation",
]

RECORD_KINDS: dict[str, type[Record]] = {
    "settings": Settings,
    "mentors": MentorPool,
    "learner": Learner,
    "assessment": Assessment,
    "plan": Plan,
    "contract": Contract,
    "review": Review,
}


# --- model introspection -----------------------------------------------------------------
# Shared by shape messages ("did you mean") and by `pathway set` (typing a value by the
# field it goes into): both need the annotation at a key path inside a record.


def unwrap_annotation(annotation: Any) -> list[Any]:
    """The concrete types inside Annotated, Optional and other unions."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap_annotation(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in unwrap_annotation(arg)]
    return [annotation]


def step_annotation(annotation: Any, part: str | int) -> Any:
    """The annotation one step down: a list item, a dict value or a model field."""
    for candidate in unwrap_annotation(annotation):
        origin = typing.get_origin(candidate)
        if origin is list and isinstance(part, int):
            return typing.get_args(candidate)[0]
        if origin is dict:
            return typing.get_args(candidate)[1]
        if (isinstance(candidate, type) and issubclass(candidate, BaseModel)
                and isinstance(part, str)):
            if part == "extra":
                return Any
            for name, info in candidate.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
    return None


def annotation_at(model: type[BaseModel], key_path: tuple[str | int, ...]) -> Any:
    """The annotation of the value at ``key_path`` in ``model`` (None: no such field)."""
    annotation: Any = model
    for part in key_path:
        if annotation is Any or annotation is None:
            return annotation
        annotation = step_annotation(annotation, part)
    return annotation


def model_at(model: type[BaseModel], key_path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class of the mapping at ``key_path``, if it is a model."""
    annotation = annotation_at(model, key_path)
    if annotation is None or annotation is Any:
        return None
    for candidate in unwrap_annotation(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None

"""JSON Schema (draft 2020-12) of each record kind, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from pathway_cli.models import RECORD_KINDS

__all__ = ["SCHEMA_DIALECT", "record_schemas", "schema_file_name", "schema_json"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
_TITLES = {
    "settings": "pathway.yaml",
    "mentors": "mentors.yaml",
    "learner": "learner.yaml",
    "assessment": "assessment.yaml",
    "plan": "plan.yaml",
    "contract": "contract.yaml",
    "review": "reviews/YYYY-MM-DD.yaml",
}


def schema_file_name(kind: str) -> str:
    """File name of a record kind's schema, e.g. ``plan.schema.json``."""
    return f"{kind}.schema.json"


def record_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per record kind, faithful to what ``validate`` accepts for shape."""
    schemas: dict[str, dict[str, Any]] = {}
    for kind, model in RECORD_KINDS.items():
        body = model.model_json_schema(by_alias=True, mode="validation")
        schemas[kind] = {
            "$schema": SCHEMA_DIALECT,
            "$id": f"https://pathway.invalid/schema/v1/{schema_file_name(kind)}",
            "title": f"pathway {_TITLES[kind]} (record format version 1)",
            **{k: v for k, v in body.items() if k != "title"},
        }
    return schemas


def schema_json(schema: dict[str, Any]) -> str:
    """Stable, readable JSON text of one schema."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

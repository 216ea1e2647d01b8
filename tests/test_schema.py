"""`pathway schema`: JSON Schemas that an independent validator agrees with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from pathway_cli.loader import parse_text
from tests.conftest import SAMPLE, app

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
KIND_OF = {
    "pathway.yaml": "settings",
    "mentors.yaml": "mentors",
    "learner.yaml": "learner",
    "assessment.yaml": "assessment",
    "plan.yaml": "plan",
    "contract.yaml": "contract",
}


def _kind(path: Path) -> str:
    return "review" if path.parent.name == "reviews" else KIND_OF[path.name]


def _as_json(path: Path) -> Any:
    """What another tool sees: the YAML data with dates as strings."""
    data, _ = parse_text(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


@pytest.fixture(scope="module")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The schemas as `pathway schema -o DIR` writes them."""
    out = tmp_path_factory.mktemp("schemas")
    result = CliRunner().invoke(app, ["schema", "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    loaded = {p.name.removesuffix(".schema.json"): json.loads(p.read_text())
              for p in out.glob("*.schema.json")}
    assert set(loaded) == {"settings", "mentors", "learner", "assessment", "plan", "contract",
                           "review"}
    for schema in loaded.values():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return loaded


def _records(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml")
                  if p.name in KIND_OF or p.parent.name == "reviews")


@pytest.mark.parametrize("root", [SAMPLE, FIXTURES / "base"], ids=["sample", "base"])
def test_schemas_accept_every_valid_record(root: Path, schemas: dict[str, Any]) -> None:
    """Every record that validate accepts is accepted by a standard JSON Schema validator."""
    checked = 0
    for path in _records(root):
        validator = jsonschema.Draft202012Validator(schemas[_kind(path)])
        errors = [e.message for e in validator.iter_errors(_as_json(path))]
        assert not errors, f"{path}: {errors}"
        checked += 1
    assert checked >= 8


SHAPE_FIXTURES = [
    "unknown-field", "unknown-field-nested", "missing-field", "missing-goals", "invalid-choice",
    "invalid-choice-group", "invalid-date", "invalid-date-format", "invalid-rate",
    "invalid-rate-percent", "out-of-range", "out-of-range-progress", "invalid-id",
    "invalid-type", "invalid-type-norway", "invalid-type-boolean",
]


@pytest.mark.parametrize("name", SHAPE_FIXTURES)
def test_schemas_reject_what_validate_rejects_for_shape(
    name: str, schemas: dict[str, Any]
) -> None:
    """Each shape error fixture is also rejected by the JSON Schema of its record kind."""
    overlay = FIXTURES / "invalid" / name
    files = _records(overlay)
    assert files
    for path in files:
        validator = jsonschema.Draft202012Validator(
            schemas[_kind(path)], format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        assert list(validator.iter_errors(_as_json(path))), f"{path} accepted by the schema"


BOOLEANS = [("true", True), ("false", True), ("TRUE", True), ("yes", True), ("on", True),
            ('"y"', False), ('"1"', False), ('"t"', False), ("1", False), ("1.0", False),
            ('"on"', False), ('"Yes"', False), ('"TRUE"', False), ("0", False), ('""', False)]


@pytest.mark.parametrize(("written", "accepted"), BOOLEANS)
@pytest.mark.parametrize("field", ["consent", "done", "independent"])
def test_model_and_schema_agree_on_booleans(
    field: str, written: str, accepted: bool, schemas: dict[str, Any], tmp_path: Path,
    runner: CliRunner,
) -> None:
    """A boolean is a YAML boolean only, for validate and the JSON Schema alike."""
    import shutil

    root = tmp_path / "caseload"
    shutil.copytree(FIXTURES / "base", root)
    case = root / "cases/L-1"
    if field == "consent":
        path = case / "learner.yaml"
        old, new = "{given: true,", f"{{given: {written},"
    elif field == "independent":
        path = case / "learner.yaml"
        old, new = "independent: true", f"independent: {written}"
    else:
        path = case / "reviews/2026-11-02.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "actions:\n  - {action: call, owner: tkeller, done: false}\n",
                        encoding="utf-8")
        old, new = "done: false}", f"done: {written}}}"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(root), "--today", "2026-11-23", "-f", "json"])
    model_accepts = json.loads(result.stdout)["errors"] == 0
    validator = jsonschema.Draft202012Validator(schemas[_kind(path)])
    schema_accepts = not list(validator.iter_errors(_as_json(path)))
    assert (model_accepts, schema_accepts) == (accepted, accepted), result.stderr


def test_schema_marks_sensitive_fields(schemas: dict[str, Any]) -> None:
    """Sensitive fields carry an x-sensitive mark that editors and tools can read."""
    learner = schemas["learner"]
    assert learner["properties"]["date_of_birth"]["x-sensitive"] == "personal"
    review = schemas["review"]
    assert review["properties"]["private_notes"]["x-sensitive"] == "private"


def test_schema_without_output_prints_all(runner: CliRunner) -> None:
    """Without -o, the schemas are printed as one JSON document on stdout."""
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    assert set(json.loads(result.stdout)) >= {"learner", "plan", "review"}

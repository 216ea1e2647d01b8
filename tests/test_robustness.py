"""Any input gives findings or success, never an exception (property tests)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathway_cli.caseload import load_caseload
from pathway_cli.loader import load_source
from pathway_cli.validation import validate_caseload

BASE = Path(__file__).parent / "fixtures" / "validate" / "base"
RECORDS = [
    "pathway.yaml",
    "mentors.yaml",
    "cases/L-1/learner.yaml",
    "cases/L-1/assessment.yaml",
    "cases/L-1/plan.yaml",
    "cases/L-1/contract.yaml",
    "cases/L-1/reviews/2026-10-05.yaml",
]
TODAY = date(2026, 11, 23)

# YAML-ish fragments make the generator reach the parser's and the models' corners,
# which pure random bytes rarely do.
FRAGMENTS = st.sampled_from([
    "a: 1\n", "- x\n", "  ", "\t", ": ", "[", "]", "{", "}", "&a ", "*a ", "<<: ", "!!str ",
    "!!python/object:os.system ", "---\n", "...\n", "? ", "'", '"', "#", "2027-13-15",
    "1e999", "0x1F", "~", "null", "yes", "no", "\ufeff", "\r\n", "é", "\x00", "%YAML 1.1\n",
    "goals:\n", "  - id: G1\n", "date: 2026-10-05\n", "with: [", "attendance: '86%'\n",
    "status: ", "extra:\n  k: v\n", "!foo ", "|\n  text\n", ">-\n", "\\u263a",
])


def _check(path: Path, raw: bytes) -> None:
    path.write_bytes(raw)
    result = validate_caseload(load_caseload([path.parents[2] if "cases" in path.parts
                                              else path.parent]), TODAY)
    for finding in result.findings:
        assert finding.line is not None and finding.line >= 1
        assert finding.rule and finding.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(RECORDS), raw=st.binary(max_size=400))
def test_any_bytes_in_any_record_give_findings_not_exceptions(which: str, raw: bytes) -> None:
    """Random bytes in any record file never raise: they validate or become findings."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "caseload"
        shutil.copytree(BASE, root)
        _check(root / which, raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(RECORDS), parts=st.lists(FRAGMENTS, max_size=30))
def test_yaml_like_text_gives_findings_not_exceptions(which: str, parts: list[str]) -> None:
    """Random YAML-like text in any record file never raises."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "caseload"
        shutil.copytree(BASE, root)
        _check(root / which, "".join(parts).encode("utf-8", "surrogatepass"))


@settings(max_examples=100, deadline=None)
@given(data=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.dates().map(str),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["id", "goals", "date", "status", "with", "extra", "x"]),
                      children, max_size=4),
    max_leaves=20,
))
def test_any_structure_in_a_plan_gives_findings_not_exceptions(data: object) -> None:
    """Well-formed YAML of any structure in plan.yaml never raises."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "caseload"
        shutil.copytree(BASE, root)
        _check(root / "cases/L-1/plan.yaml", yaml.safe_dump(data).encode())


def test_deep_nesting_is_a_finding(tmp_path: Path) -> None:
    """Thousands of nested brackets are refused with a finding, not a RecursionError."""
    path = tmp_path / "plan.yaml"
    path.write_text("goals: " + "[" * 5000 + "]" * 5000 + "\n")
    source = load_source(path)
    assert source.data is None
    assert source.findings and source.findings[0].rule in ("yaml-too-deep", "yaml-syntax")


COMMANDS = [
    ["validate"], ["summarise"], ["summarise", "-f", "csv"], ["alerts"], ["export"],
    ["export", "--rows", "reviews"], ["timeline", "L-1", "--caseload"],
    ["render", "--template", "plan"], ["render", "--template", "review"],
    ["goal", "L-1", "G1", "--progress", "50", "--caseload"],
    ["set", "L-1", "plan", "revised=2026-11-01", "--caseload"],
    ["close", "L-1", "--outcome", "completed", "--caseload"],
    ["sign", "L-1", "--party", "employer", "--name", "A B", "--caseload"],
    ["review", "new", "L-1", "--caseload"], ["match"],
]


def _cli_argv(command: list[str], root: Path) -> list[str]:
    target = root / "cases/L-1" if command[0] == "render" else root
    if command[-1] == "--caseload":
        return [*command, str(root)]
    return [*command[:1], str(target), *command[1:]]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(RECORDS), parts=st.lists(FRAGMENTS, max_size=20),
       command=st.sampled_from(COMMANDS))
def test_any_record_through_any_command_is_never_an_internal_error(
    which: str, parts: list[str], command: list[str]
) -> None:
    """Damaged records through the commands: a message or success, never an internal error."""
    from typer.testing import CliRunner

    from pathway_cli.cli import app

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "caseload"
        shutil.copytree(BASE, root)
        (root / which).write_bytes("".join(parts).encode("utf-8", "surrogatepass"))
        result = CliRunner().invoke(app, [*_cli_argv(command, root), "--today",
                                          TODAY.isoformat()])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            command, repr(result.exception))
        assert "internal error" not in result.output
        assert result.exit_code in (0, 1), (command, result.output)

"""Every validation rule, shown on a fixture: a valid case with one thing changed.

``tests/fixtures/validate/base`` is a complete valid caseload. Each folder under
``tests/fixtures/validate/invalid/<name>/`` holds the files that differ from it; the
expected findings are marked in those files by a trailing ``# expect: <rule>`` comment
on the offending line, or listed in the folder's ``expect.yaml`` (which may also name
files to ``remove`` from the base).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import TODAY, app

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
BASE = FIXTURES / "base"
CASES = sorted(p.name for p in (FIXTURES / "invalid").iterdir())
MARK = re.compile(r"#\s*expect:\s*([a-z-]+)")


def _build(name: str, target: Path) -> list[dict[str, Any]]:
    shutil.copytree(BASE, target)
    overlay = FIXTURES / "invalid" / name
    meta: dict[str, Any] = {}
    expected: list[dict[str, Any]] = []
    if (overlay / "expect.yaml").exists():
        meta = yaml.safe_load((overlay / "expect.yaml").read_text(encoding="utf-8")) or {}
        expected.extend(meta.get("findings", []))
    for rel in meta.get("remove", []):
        (target / rel).unlink()
    for path in sorted(overlay.rglob("*")):
        if path.is_dir() or path.name == "expect.yaml":
            continue
        rel = path.relative_to(overlay).as_posix()
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        raw = path.read_bytes()
        (target / rel).write_bytes(raw)
        for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), start=1):
            match = MARK.search(line)
            if match:
                expected.append({"file": rel, "line": number, "rule": match.group(1)})
    return expected


def _validate(runner: CliRunner, root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(
        app, ["validate", str(root), "--format", "json", "--today", TODAY, *extra]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def test_base_fixture_is_clean(runner: CliRunner) -> None:
    """The base caseload has no findings at all, even with --strict."""
    code, report = _validate(runner, BASE, "--strict")
    assert code == 0
    assert report["findings"] == []
    assert report["files"] == 8


@pytest.mark.parametrize("name", CASES)
def test_fixture_reports_expected_finding(name: str, tmp_path: Path, runner: CliRunner) -> None:
    """Each fixture is reported at its file, line and rule, and nothing else fires."""
    root = tmp_path / "caseload"
    expected = _build(name, root)
    assert expected, f"fixture {name} declares no expected finding"
    code, report = _validate(runner, root)
    found = {
        (Path(f["file"]).resolve().relative_to(root.resolve()).as_posix(), f["line"], f["rule"])
        for f in report["findings"]
    }
    for item in expected:
        assert (item["file"], item["line"], item["rule"]) in found, (
            f"expected {item} among {sorted(found)}"
        )
    expected_rules = {item["rule"] for item in expected}
    assert {rule for _, _, rule in found} == expected_rules
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    wanted_severity = {item.get("severity", "error") for item in expected}
    if "error" in wanted_severity:
        assert code == 1 and errors
    else:
        assert code == 0 and not errors
        strict_code, _ = _validate(runner, root, "--strict")
        assert strict_code == 1


@pytest.mark.parametrize("name", CASES)
def test_fixture_text_output_names_file_line_and_rule(
    name: str, tmp_path: Path, runner: CliRunner
) -> None:
    """Text output gives file:line:col: severity rule: message, then the source line."""
    root = tmp_path / "caseload"
    expected = _build(name, root)
    result = runner.invoke(app, ["validate", str(root), "--today", TODAY])
    assert "Traceback" not in result.stderr
    first = expected[0]
    pattern = re.compile(
        rf"{re.escape(first['file'])}:{first['line']}:\d+: (error|warning) {first['rule']}: \S"
    )
    assert pattern.search(result.stderr.replace("\\", "/")), result.stderr

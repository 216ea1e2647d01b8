"""Long listings of findings: the same text piped, colour codes only on a terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, TODAY

FIXTURE = REPO / "tests/fixtures/validate/invalid/case-closed-incomplete"
SGR = re.compile(r"\x1b\[[0-9;]*m")


def validate(env: dict[str, str]) -> str:
    """`pathway validate` on a fixture with findings, as a separate process; its stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "pathway_cli", "validate", str(FIXTURE), "--today", TODAY],
        capture_output=True, text=True, env={**os.environ, **env}, cwd=REPO,
    )
    assert result.returncode == 1
    return result.stderr


def test_piped_findings_carry_no_colour_codes() -> None:
    """Piped to a file, findings are plain text: location, severity, rule, line, caret."""
    text = validate({"NO_COLOR": "", "FORCE_COLOR": ""})
    assert "\x1b" not in text
    lines = text.splitlines()
    location = f"{Path('tests/fixtures/validate/invalid/case-closed-incomplete')}/cases/L-1/"
    assert lines[0].startswith(f"{location}learner.yaml:7:9: error case-closed-incomplete: ")
    assert lines[1] == "    7 | status: left  # expect: case-closed-incomplete"
    assert lines[2] == " " * 16 + "^"
    assert lines[-1] == "1 file checked: 2 errors, 0 warnings"


def test_terminal_colour_is_the_same_text_with_codes() -> None:
    """Where colour is wanted (FORCE_COLOR), removing the codes gives exactly the piped text."""
    plain = validate({"NO_COLOR": "", "FORCE_COLOR": ""})
    coloured = validate({"FORCE_COLOR": "1", "NO_COLOR": ""})
    assert "\x1b[31merror\x1b[0m" in coloured
    assert SGR.sub("", coloured) == plain

"""Long listings of findings: the same text piped, colour codes only on a terminal."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


NOTES = [
    "3 red, 2 amber alerts for 4 of 9 learners",
    "9 learners: 6 active. At risk: 5 ([bold red]3 red[/], [yellow]2 amber[/]).",
    "[green]a style the caller did not name[/]",
    "a backslash \\[bold red]before a tag",
    "a bracket [ and a word",
    "\u200fright to left\u200f: 3",
    "two\nlines",
    "a tab\there",
]


@pytest.mark.parametrize("text", NOTES)
def test_a_note_written_without_rich_is_what_rich_writes(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A footer written without Rich (piped stderr) has exactly the bytes Rich writes; text
    it cannot be sure of (other markup, escapes, control or format characters) is left to
    Rich."""
    from pathway_cli.cli.app import err_console
    from pathway_cli.cli.output import write_note

    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    tags = ("[bold red]", "[yellow]", "[/]")
    rich_wrote, plain_wrote = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", rich_wrote)
    err_console().print(text, style="red")
    monkeypatch.setattr(sys, "stderr", plain_wrote)
    written = write_note(text, tags)
    assert written == (text in NOTES[:2])
    if written:
        assert plain_wrote.getvalue() == rich_wrote.getvalue()
    else:
        assert plain_wrote.getvalue() == ""


def test_only_a_stream_rich_takes_for_no_terminal_is_certainly_piped(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """A terminal, FORCE_COLOR or TTY_COMPATIBLE leave the decision to Rich."""
    from pathway_cli.cli.output import certainly_piped

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    assert certainly_piped(io.StringIO())
    assert not certainly_piped(Terminal())
    assert not certainly_piped(None)
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.setenv(name, "0")
        assert not certainly_piped(io.StringIO())
        monkeypatch.delenv(name)

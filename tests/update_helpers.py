"""Helpers shared by the update tests: the changed lines of a file, and running a command."""

from __future__ import annotations

import difflib
from pathlib import Path

from typer.testing import CliRunner, Result

from pathway_cli.cli import app

TODAY = "2026-11-23"


def changed_lines(before: bytes, after: bytes) -> list[str]:
    """The '-' and '+' lines of a unified diff between two versions of a file."""
    old = before.decode("utf-8-sig").splitlines()
    new = after.decode("utf-8-sig").splitlines()
    return [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def run(runner: CliRunner, caseload: Path, *args: str) -> Result:
    """Run ``pathway ARGS --caseload CASELOAD --today TODAY``."""
    return runner.invoke(app, [*args, "--caseload", str(caseload), "--today", TODAY])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, to prove that nothing changed.

    The update locks in ``.pathway/locks/`` are left out: they hold no data.
    """
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
        if p.is_file() and ".pathway/locks" not in p.relative_to(folder).as_posix()
    }

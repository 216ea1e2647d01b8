"""What the shell can complete from the caseload: learner ids, goal ids, templates, key workers.

Completion runs on every press of Tab, so nothing here loads the caseload: folder names
and a glance at the first lines of a record are enough. Every function takes the folder
the command runs in (or the caseload named) and the word typed so far, and returns
``(value, description)`` pairs.
"""

from __future__ import annotations

import re
from pathlib import Path

from pathway_cli.locating import (
    CASES_DIR,
    TEMPLATE_SUFFIX,
    builtin_templates,
    case_folder_around,
    find_root,
)

__all__ = ["goal_ids", "key_worker_ids", "learner_ids", "template_names"]

Choice = tuple[str, str]

_HEAD = 4096  # the top of learner.yaml holds name and key worker
_NAME_RE = re.compile(r"^name:[ \t]*['\"]?(.*?)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)
_KEY_WORKER_RE = re.compile(r"^key_worker:[ \t]*([A-Za-z0-9._-]+)", re.MULTILINE)


def _root(start: Path) -> Path | None:
    try:
        return find_root(start)
    except OSError:
        return None


def _cases(start: Path) -> list[Path]:
    root = _root(start)
    if root is None or not (root / CASES_DIR).is_dir():
        return []
    try:
        return sorted(p for p in (root / CASES_DIR).iterdir()
                      if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def _head(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD).decode("utf-8", errors="replace")
    except OSError:
        return ""


def learner_ids(start: Path, incomplete: str = "") -> list[Choice]:
    """Learner ids (case folder names) starting with ``incomplete``, with the learner's name."""
    found = []
    for folder in _cases(start):
        if folder.name.startswith(incomplete):
            match = _NAME_RE.search(_head(folder / "learner.yaml"))
            found.append((folder.name, match.group(1) if match else ""))
    return found


def goal_ids(start: Path, case_id: str | None, incomplete: str = "") -> list[Choice]:
    """Goal ids of the plan of ``case_id`` (or of the case folder ``start`` is in)."""
    if case_id:
        root = _root(start)
        folder = root / CASES_DIR / case_id if root is not None else None
    else:
        folder = case_folder_around(start)
    if folder is None or not (folder / "plan.yaml").is_file():
        return []
    from pathway_cli.loader import load_source  # YAML, only to complete a goal id

    data = load_source(folder / "plan.yaml").data
    goals = data.get("goals") if isinstance(data, dict) else None
    return [(str(goal["id"]), str(goal.get("goal", "")))
            for goal in (goals if isinstance(goals, list) else [])
            if isinstance(goal, dict) and "id" in goal and str(goal["id"]).startswith(incomplete)]


def template_names(start: Path, incomplete: str = "") -> list[Choice]:
    """Report templates: the built-in ones and the caseload's own templates/*.md.j2.

    The same names as ``rendering.templates_at`` (a test compares them), read from the
    folders without loading the renderer and Jinja.
    """
    root = _root(start)
    folders = [builtin_templates()]
    if root is not None and (root / "templates").is_dir():
        folders.append(root / "templates")
    names = {path.name.removesuffix(TEMPLATE_SUFFIX) for folder in folders
             for path in folder.glob(f"*{TEMPLATE_SUFFIX}") if not path.name.startswith("_")}
    return [(name, "") for name in sorted(names) if name.startswith(incomplete)]


def key_worker_ids(start: Path, incomplete: str = "") -> list[Choice]:
    """Key workers named in the caseload's learner files."""
    found: dict[str, int] = {}
    for folder in _cases(start):
        match = _KEY_WORKER_RE.search(_head(folder / "learner.yaml"))
        if match and match.group(1).startswith(incomplete):
            found[match.group(1)] = found.get(match.group(1), 0) + 1
    return [(k, f"{n} learner{'s' if n != 1 else ''}") for k, n in sorted(found.items())]

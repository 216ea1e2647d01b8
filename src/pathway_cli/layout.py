"""Where a caseload's folders and files are: its root, cases/ID/, the fixed file names.

Nothing here reads a record, so shell completion and the commands' option parsing can
find their way around a caseload without loading the records model.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "CASES_DIR",
    "MENTORS_FILE",
    "REVIEWS_DIR",
    "SETTINGS_FILE",
    "case_folder_around",
    "find_root",
    "is_root",
    "resolved_path",
]

SETTINGS_FILE = "pathway.yaml"
MENTORS_FILE = "mentors.yaml"
CASES_DIR = "cases"
REVIEWS_DIR = "reviews"


def find_root(start: Path) -> Path | None:
    """Walk up from ``start`` to the folder that holds pathway.yaml or cases/."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file() or (folder / CASES_DIR).is_dir():
            return folder
    return None


def case_folder_around(start: Path) -> Path | None:
    """The case folder (cases/ID/) that ``start`` is in or below, if any."""
    here = resolved_path(start)
    for folder in (here, *here.parents):
        if folder.parent.name == CASES_DIR and is_root(folder.parent.parent):
            return folder
    return None


def is_root(folder: Path) -> bool:
    """The folder is a caseload's root: it holds pathway.yaml or cases/."""
    return (folder / SETTINGS_FILE).is_file() or (folder / CASES_DIR).is_dir()


def resolved_path(path: Path) -> Path:
    """path.resolve(), or the absolute path where a link loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a looping link: take it as written
        return path.absolute()

"""Finding the case to update, and its update lock (``.pathway/locks/ID.lock``).

The commands open a case with ``updating_case`` so that updates of one case run one
after the other, each on the version the previous one wrote.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator
from pathlib import Path

from pathway_cli.caseload import CASES_DIR, Case, Caseload, find_root, load_caseload
from pathway_cli.errors import UserError
from pathway_cli.models import ID_PATTERN
from pathway_cli.writer import held_lock

__all__ = [
    "open_case",
    "updating_case",
]


def open_case(root: Path | None, case_id: str) -> tuple[Caseload, Case]:
    """Load the caseload settings and the one case ``case_id`` (root found from the cwd)."""
    caseload = load_caseload([_case_folder(root, case_id)])
    return caseload, caseload.cases[0]


@contextlib.contextmanager
def updating_case(root: Path | None, case_id: str, *,
                  lock: bool = True) -> Iterator[tuple[Caseload, Case]]:
    """``open_case`` under the case's update lock, held until the block ends.

    Use it around reading, planning and ``apply_changes``: another pathway process that
    updates the same case waits (up to ``LOCK_TIMEOUT`` seconds, then it is refused), so
    every update lands on the version the previous one wrote. ``lock=False`` (a dry run,
    which writes nothing, not even a lock file) only opens the case.
    """
    folder = _case_folder(root, case_id)
    with held_lock(_lock_file(folder), f"case {folder.name}") if lock \
            else contextlib.nullcontext():
        caseload = load_caseload([folder])
        yield caseload, caseload.cases[0]


def _lock_file(folder: Path) -> Path:
    """Where the update lock of a case folder lives: .pathway/locks/ID.lock at the root."""
    if folder.parent.name == CASES_DIR:
        return folder.parent.parent / ".pathway" / "locks" / f"{folder.name}.lock"
    return folder / ".pathway.lock"


def _case_folder(root: Path | None, case_id: str) -> Path:
    if not re.fullmatch(ID_PATTERN, case_id):
        raise UserError(f"'{case_id}' is not a learner id")
    if root is None:
        root = find_root(Path.cwd())
        if root is None:
            raise UserError(
                "no caseload found here or in any parent folder",
                hint="run the command inside the caseload, or give --caseload PATH",
            )
    if root.name == CASES_DIR and not (root / CASES_DIR).is_dir():
        root = root.parent
    folder = root / CASES_DIR / case_id
    if not folder.is_dir():
        known = sorted(p.name for p in (root / CASES_DIR).glob("*") if p.is_dir())
        close = difflib.get_close_matches(case_id, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else None
        raise UserError(f"there is no case {case_id} in {root / CASES_DIR}", hint=hint)
    return folder

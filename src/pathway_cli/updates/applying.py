"""Applying changes: every touched case validated with them, then the files written
atomically under the case's lock (never over a file changed meanwhile), then maybe
committed.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pathway_cli.caseload import (
    CASE_FILES,
    REVIEW_NAME_RE,
    REVIEWS_DIR,
    Case,
    Caseload,
    Loaded,
    load_record,
    not_started,
    review_sort_key,
)
from pathway_cli.errors import UserError
from pathway_cli.findings import Finding, sort_findings
from pathway_cli.models import Review
from pathway_cli.updates.cases import _lock_file
from pathway_cli.updates.changes import (
    Applied,
    Change,
    ChangedOnDisk,
    Update,
    UpdateRefused,
    _refusal_text,
)
from pathway_cli.updates.documents import _read
from pathway_cli.updates.git import _git_commit, _git_patch, _git_root
from pathway_cli.validation import Context, case_findings
from pathway_cli.writer import atomic_write, ensure_inside, held_lock, remove_stale_temporaries

__all__ = [
    "apply_changes",
    "apply_update",
]


def _case_of(change: Change, caseload: Caseload) -> Case:
    target = change.path.resolve()
    for case in caseload.cases:
        if case.folder.resolve() in target.parents:
            return case
    raise UserError(f"{change.path} is not in a case of this caseload")


def _with_changes(case: Case, changes: Sequence[Change]) -> Case:
    """A copy of ``case`` whose changed files are read from the new bytes."""
    new = dataclasses.replace(case, review_files=list(case.review_files))
    for change in changes:
        rel = change.path.resolve().relative_to(case.folder.resolve())
        if rel.parts[0] == REVIEWS_DIR and len(rel.parts) == 2:
            loaded: Loaded[Any] = load_record(change.path, Review, raw=change.new)
            kept = [r for r in new.review_files if r.path.resolve() != change.path.resolve()]
            if not not_started(loaded):
                kept.append(loaded)
            new.review_files = sorted(kept, key=review_sort_key)
        elif len(rel.parts) == 1 and rel.name in CASE_FILES:
            loaded = load_record(change.path, CASE_FILES[rel.name], raw=change.new)
            attr = rel.name.removesuffix(".yaml") + "_file"
            setattr(new, attr, None if not_started(loaded) else loaded)
        else:
            raise UserError(f"{change.path} is not a record file of case {case.id}")
    return new


def _key(finding: Finding) -> tuple[str, str, Any, str]:
    return (str(finding.file.resolve()), finding.rule, finding.key_path, finding.message)


def _place(findings: list[Finding], case: Case) -> list[Finding]:
    sources = {loaded.path.resolve(): loaded.source for loaded in case.files()}
    placed = []
    for finding in findings:
        source = sources.get(finding.file.resolve())
        placed.append(source.place(finding) if source is not None else finding)
    return sort_findings(placed)


@dataclass
class _Checked:
    warnings: list[Finding]
    resolved: list[Finding]
    remaining: list[Finding]


def _check(case: Case, changes: Sequence[Change], ctx: Context) -> _Checked:
    """Validate the case with the changes; raise UpdateRefused when it must not be written."""
    before = case_findings(case, ctx)
    changed = _with_changes(case, changes)
    after = case_findings(changed, ctx)
    before_keys = Counter(_key(f) for f in before)
    after_keys = Counter(_key(f) for f in after)
    added = [f for f in after if (after_keys - before_keys)[_key(f)] > 0]
    new_errors = [f for f in added if f.is_error]
    errors_before = [f for f in before if f.is_error]
    errors_after = [f for f in after if f.is_error]
    if new_errors:
        placed = _place(new_errors, changed)
        count = len(placed)
        raise UpdateRefused(
            _refusal_text(f"refused, nothing written: the change would add {count} "
                          f"error{'s' if count != 1 else ''} to {case.id}", placed),
            placed,
        )
    if errors_after and len(errors_after) >= len(errors_before):
        placed = _place(errors_after, changed)
        count = len(placed)
        raise UpdateRefused(
            _refusal_text(f"refused, nothing written: {case.id} already has {count} "
                          f"error{'s' if count != 1 else ''}; fix {'them' if count != 1 else 'it'} "
                          "first", placed),
            placed,
            hint="an update that fixes one of them is accepted, e.g. pathway set ID FILE "
            "KEY=VALUE",
        )
    resolved = [f for f in before if (before_keys - after_keys)[_key(f)] > 0]
    return _Checked(
        warnings=_place([f for f in added if not f.is_error], changed),
        resolved=_place(resolved, case),
        remaining=_place(errors_after, changed),
    )


def _label(path: Path, caseload: Caseload) -> str:
    base = caseload.root or path.parent
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


def _still(change: Change) -> Callable[[], None]:
    def check() -> None:
        current = _read(change.path)
        if current != change.old:
            what = ("was created by someone else meanwhile" if change.old is None
                    else "was removed" if current is None else "changed on disk since it was read")
            raise ChangedOnDisk(
                f"{change.path} {what}; it was not overwritten",
                hint="run the command again to update the current version",
            )

    return check


def apply_changes(
    changes: Sequence[Change],
    caseload: Caseload,
    today: date,
    *,
    dry_run: bool = False,
    commit_message: str | None = None,
) -> Applied:
    """Validate every touched case with its changes, then write them and maybe commit.

    Raises ``UpdateRefused`` (nothing written) when a case would have errors, and
    ``ChangedOnDisk`` when a file changed since it was read. ``commit_message``: stage the
    written files and commit them with this message (the caseload must be in a git work
    tree; checked before anything is written).
    """
    real = [c for c in changes if c.old != c.new]
    ctx = Context(caseload.settings, caseload.mentors, today)
    by_case: dict[str, tuple[Case, list[Change]]] = {}
    for change in real:
        case = _case_of(change, caseload)
        ensure_inside(change.path, case.folder)
        by_case.setdefault(case.id, (case, []))[1].append(change)
    applied = Applied(
        changes=real,
        diff="".join(c.diff(_label(c.path, caseload)) for c in real),
        dry_run=dry_run,
    )
    for case, case_changes in by_case.values():
        checked = _check(case, case_changes, ctx)
        applied.warnings += checked.warnings
        applied.resolved += checked.resolved
        applied.remaining += checked.remaining
    if dry_run or not real:
        return applied
    with contextlib.ExitStack() as locks:
        for case, _ in by_case.values():
            locks.enter_context(held_lock(_lock_file(case.folder), f"case {case.id}"))
            _remove_stale(case)
        _write(real, caseload, applied, commit_message)
    return applied


def _remove_stale(case: Case) -> None:
    """Temporary files of record writes killed before their rename (the lock is held)."""
    remove_stale_temporaries(case.folder, lambda name: name in CASE_FILES)
    remove_stale_temporaries(case.folder / REVIEWS_DIR,
                             lambda name: REVIEW_NAME_RE.fullmatch(name) is not None)


def _write(real: list[Change], caseload: Caseload, applied: Applied,
           commit_message: str | None) -> None:
    git_root = _git_root(caseload, real[0].path) if commit_message is not None else None
    for change in real:
        _still(change)()  # fail before writing anything when one file already changed
    patch = _git_patch(git_root, real) if git_root is not None else None
    for change in real:
        try:
            atomic_write(change.path, change.new, precondition=_still(change))
        except OSError as exc:
            written = ", ".join(str(p) for p in applied.written)
            raise UserError(
                f"could not write {change.path}: {exc.strerror or exc}; the file is unchanged"
                + (f" (already written: {written})" if written else "")
            ) from None
        applied.written.append(change.path)
    if git_root is not None and commit_message is not None and patch is not None:
        applied.commit = _git_commit(git_root, patch, commit_message)


def apply_update(
    update: Update, caseload: Caseload, today: date, *, dry_run: bool = False,
    commit: bool = False,
) -> Applied:
    """``apply_changes`` for one planned update, committing with its message if asked."""
    return apply_changes(update.changes, caseload, today, dry_run=dry_run,
                         commit_message=update.message if commit else None)

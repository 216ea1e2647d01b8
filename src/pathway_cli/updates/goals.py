"""Updating a goal of plan.yaml: status, progress, note; ``achieved`` sets
``achieved_on`` (and leaving ``achieved`` removes it).
"""

from __future__ import annotations

import difflib
from datetime import date

from pathway_cli.caseload import Case
from pathway_cli.errors import UserError
from pathway_cli.findings import KeyPath
from pathway_cli.models import Plan
from pathway_cli.updates.changes import Update
from pathway_cli.updates.documents import _change, _document, _order_of

__all__ = [
    "update_goal",
]


def update_goal(
    case: Case,
    goal_id: str,
    *,
    status: str | None = None,
    progress: int | None = None,
    note: str | None = None,
    on: date | None = None,
    today: date,
) -> Update:
    """Update one goal in plan.yaml; ``achieved`` sets ``achieved_on`` (``on`` or today)
    and ``progress`` 100."""
    if status is None and progress is None and note is None and on is None:
        raise UserError("nothing to change: give --status, --progress, --note or --on")
    path = case.folder / "plan.yaml"
    doc, raw = _document(path, "plan.yaml", case)
    goals = doc.get(("goals",))
    if not isinstance(goals, list):
        raise UserError(f"{path} has no list of goals")
    ids = [g.get("id") for g in goals if isinstance(g, dict)]
    index = next((i for i, g in enumerate(goals) if isinstance(g, dict) and g.get("id") == goal_id),
                 None)
    if index is None:
        close = difflib.get_close_matches(goal_id, [str(i) for i in ids], n=1, cutoff=0.5)
        raise UserError(
            f"plan.yaml of {case.id} has no goal '{goal_id}' (its goals: "
            f"{', '.join(str(i) for i in ids) or 'none'})",
            hint=f"did you mean {close[0]}?" if close else None,
        )
    goal = goals[index]
    order = _order_of(Plan)
    where: KeyPath = ("goals", index)
    said = []
    old_status = goal.get("status")
    new_status = status if status is not None else old_status
    if on is not None and new_status != "achieved":
        raise UserError(
            "--on is the date the goal was achieved; use it with --status achieved",
            hint=f"goal {goal_id} is '{new_status}'",
        )
    if status == "achieved":
        # Achieved is all the way: a plan must never read "achieved, 20% of the way".
        if progress is not None and progress != 100:
            raise UserError(
                f"an achieved goal is 100% of the way, so --progress {progress} contradicts "
                "--status achieved",
                hint="leave out --progress (it becomes 100), or keep the goal in progress",
            )
        progress = 100
    if status is not None and doc.set((*where, "status"), status, order):
        said.append(f"{old_status} -> {status}")
    if progress is not None:
        old = goal.get("progress")
        if doc.set((*where, "progress"), progress, order):
            said.append(f"progress {old} -> {progress}" if old is not None
                        else f"progress {progress}")
    if new_status == "achieved":
        achieved_on = on or (goal.get("achieved_on") if old_status == "achieved" else None) or today
        if doc.set((*where, "achieved_on"), achieved_on, order):
            said.append(f"achieved on {achieved_on.isoformat()}")
    elif "achieved_on" in goal and doc.delete((*where, "achieved_on")):
        said.append("achieved_on removed")
    if note is not None:
        if note.strip():
            if doc.set((*where, "note"), note, order):
                said.append("note updated")
        elif doc.delete((*where, "note")):
            said.append("note removed")
    message = f"{case.id}: goal {goal_id} " + (", ".join(said) if said else "unchanged")
    return Update(case.id, (_change(path, raw, doc),), message)

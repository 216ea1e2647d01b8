"""Updates of learner.yaml: closing a case, follow-ups after it closed, reopening it, and
adding a member to the team.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from pathway_cli.caseload import Case
from pathway_cli.errors import UserError
from pathway_cli.models import CLOSED_STATUSES, ID_PATTERN, Learner, TeamMember
from pathway_cli.updates.changes import Change, Update
from pathway_cli.updates.documents import _change, _document, _field_names, _order_of

__all__ = [
    "append_team_member",
    "close_case",
    "record_follow_up",
    "reopen_case",
]


def close_case(case: Case, outcome: str, on: date, status: str | None = None) -> Update:
    """Close the case: status (completed for outcome completed, else left), closed, outcome."""
    path = case.folder / "learner.yaml"
    doc, raw = _document(path, "learner.yaml", case)
    current = doc.get(("status",))
    if current in CLOSED_STATUSES:
        raise UserError(
            f"{case.id} is already closed ({current}, closed {doc.get(('closed',))}, "
            f"outcome {doc.get(('outcome',))})",
            hint="change it with 'pathway set ID learner KEY=VALUE' if it is wrong",
        )
    status = status or ("completed" if outcome == "completed" else "left")
    order = _order_of(Learner)
    doc.set(("status",), status, order)
    doc.set(("closed",), on, order)
    doc.set(("outcome",), outcome, order)
    message = f"{case.id}: case closed on {on.isoformat()} ({status}, outcome {outcome})"
    return Update(case.id, (_change(path, raw, doc),), message)


def record_follow_up(case: Case, destination: str, on: date, note: str | None = None) -> Update:
    """Append a follow-up ``{date, destination, note}`` to ``follow_ups`` in learner.yaml.

    Follow-ups are for closed cases (where is the learner now?); validation refuses one
    dated before the case closed.
    """
    path = case.folder / "learner.yaml"
    doc, raw = _document(path, "learner.yaml", case)
    status = doc.get(("status",))
    if status not in CLOSED_STATUSES:
        raise UserError(
            f"{case.id} is {status}, not closed: a follow-up records where a learner is "
            "after the case closed",
            hint=f"close it first with 'pathway close {case.id} --outcome ...'",
        )
    follow_ups = doc.get(("follow_ups",)) or []
    for item in follow_ups if isinstance(follow_ups, list) else []:
        if isinstance(item, dict) and str(item.get("date")) == on.isoformat() and (
            item.get("destination") == destination
        ):
            raise UserError(f"{case.id} already has a follow-up on {on.isoformat()} "
                            f"({destination})")
    entry: dict[str, Any] = {"date": on, "destination": destination}
    if note is not None and note.strip():
        entry["note"] = note
    doc.append(("follow_ups",), entry, _order_of(Learner))
    message = f"{case.id}: follow-up on {on.isoformat()}: {destination}"
    return Update(case.id, (_change(path, raw, doc),), message)


def reopen_case(case: Case, on: date) -> Update:
    """A learner who left comes back: the case stays one case with its history.

    The current ``closed`` and ``outcome`` move into ``history`` (with ``reopened``), and
    the status becomes active again; ``opened``, the follow-ups and every record stay.
    """
    path = case.folder / "learner.yaml"
    doc, raw = _document(path, "learner.yaml", case)
    status, closed, outcome = (doc.get((key,)) for key in ("status", "closed", "outcome"))
    if status not in CLOSED_STATUSES or closed is None or outcome is None:
        raise UserError(f"{case.id} is {status}, not closed (with a closed date and an "
                        "outcome), so there is nothing to reopen")
    order = _order_of(Learner)
    doc.append(("history",), {"closed": closed, "outcome": outcome, "reopened": on}, order)
    doc.set(("status",), "active", order)
    doc.delete(("closed",))
    doc.delete(("outcome",))
    message = f"{case.id}: case reopened on {on.isoformat()} (closed {closed}, {outcome})"
    return Update(case.id, (_change(path, raw, doc),), message)


def append_team_member(case: Case, member: Mapping[str, Any]) -> Change:
    """Append ``member`` (the fields of a TeamMember) to the team in learner.yaml.

    Keys are written in the model's order; None values are left out. Refuses an id that
    is already in the team. The change still has to go through ``apply_changes``.
    """
    member_id = member.get("id")
    if not isinstance(member_id, str) or not re.fullmatch(ID_PATTERN, member_id):
        raise UserError(f"'{member_id}' is not a valid team id")
    path = case.folder / "learner.yaml"
    doc, raw = _document(path, "learner.yaml", case)
    team = doc.get(("team",)) or []
    if any(isinstance(m, dict) and m.get("id") == member_id for m in team):
        raise UserError(f"{member_id} is already in the team of {case.id}")
    names = _field_names(TeamMember)
    known = [k for k in names if member.get(k) is not None]
    extra = [k for k in member if k not in names and member[k] is not None]
    entry = {k: member[k] for k in [*known, *extra]}
    doc.append(("team",), entry, _order_of(Learner))
    return _change(path, raw, doc)

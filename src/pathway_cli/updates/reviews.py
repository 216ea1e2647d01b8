"""A new review: ``reviews/DATE.yaml`` prefilled where the last review left off (open
goals, actions not done), and ``create_review``, the whole flow including an editor
session on a draft that is kept whenever the review is refused.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pathway_cli.actions import agreed_actions
from pathway_cli.caseload import REVIEWS_DIR, Case, Caseload
from pathway_cli.editing import inline_yaml
from pathway_cli.errors import UserError
from pathway_cli.loader import parse_text
from pathway_cli.models import OPEN_GOAL_STATUSES, Plan
from pathway_cli.updates.applying import apply_update
from pathway_cli.updates.changes import (
    Applied,
    Change,
    EditorUnavailable,
    Update,
    UpdateRefused,
    _refusal_text,
    _shown,
)
from pathway_cli.writer import atomic_write, ensure_inside

__all__ = [
    "create_review",
    "new_review",
]

Editor = Callable[[Path], None]


def _review_path(case: Case, on: date) -> Path:
    folder = case.folder / REVIEWS_DIR
    base = on.isoformat()
    candidate = folder / f"{base}.yaml"
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = folder / f"{base}-{suffix}.yaml"
    return candidate


_REVIEW_KINDS = "mentoring | coaching | progress-review | case-conference | check-in"


def _review_text(case: Case, on: date, kind: str, every: int, schema: str | None) -> str:
    learner = case.learner
    key_worker = learner.key_worker if learner else None
    present = [key_worker] if key_worker else []
    lines = []
    if schema:
        lines.append(f"# yaml-language-server: $schema={schema}")
    def line(text: str, comment: str = "") -> None:
        lines.append(f"{text:<33} # {comment}".rstrip() if comment else text)

    line(f"date: {on.isoformat()}")
    line(f"kind: {inline_yaml(kind)}", _REVIEW_KINDS)
    line(f"with: {inline_yaml(present)}", "team ids present (the learner is implied)")
    line("attendance:", 'rate since the last review: 0.0-1.0 or "87%"')
    line("wellbeing:", "1-5, the learner's own rating")
    line("engagement:", "1-5")
    line("incidents:", "behaviour since the last review: {count: 2, kinds: [lateness]}")
    line("results:", "assessments since the last review: {passed: 1, failed: 0, "
         "trend: steady}")
    plan = case.plan
    if plan is not None:
        reported, since = _reported_goals(case, plan, on)
        open_goals = []
        for goal in plan.goals:
            entry: dict[str, Any] = {"status": goal.status}
            if goal.progress is not None:
                entry["progress"] = goal.progress
            if goal.is_open:  # a goal the plan has closed (achieved, dropped) stays closed
                entry.update(reported.get(goal.id, {}))
            if entry["status"] in OPEN_GOAL_STATUSES:
                open_goals.append((goal.id, entry))
        if open_goals:
            line("goals:", f"open goals as the review on {since} left them; add a note: to each"
                 if since else "progress on the open goals of plan.yaml; add a note: to each")
            for goal_id, entry in open_goals:
                lines.append(f"  {inline_yaml(goal_id, flow=True)}: {inline_yaml(entry)}")
        else:
            line("goals: {}", "no open goals in plan.yaml")
    line("summary:", "shared with the learner; write 'summary: |' and the text below it")
    line("reflection:", "the learner's own words: for the learner and the team only")
    line("private_notes:", "team only: never in learner, guardian or employer reports")
    line("concerns: []")
    carried = [agreed for agreed in agreed_actions(case, until=on) if agreed.open]
    if carried:
        line("actions:", "not done yet, carried over: mark done: true or add new ones")
        for agreed in carried:
            action: dict[str, Any] = {"action": agreed.action.action,
                                      "owner": agreed.action.owner}
            if agreed.action.due is not None:
                action["due"] = agreed.action.due
            action["done"] = False
            lines.append(f"  - {inline_yaml(action)}")
    else:
        line("actions: []", "- {action: ..., owner: TEAM-ID, due: YYYY-MM-DD, done: false}")
    line(f"next_review: {(on + timedelta(days=every)).isoformat()}")
    return "\n".join(lines) + "\n"


def _reported_goals(case: Case, plan: Plan, on: date
                    ) -> tuple[dict[str, dict[str, Any]], date | None]:
    """Goal status and progress as the reviews newer than the plan's last change (and not
    after ``on``) left them, and the date of the latest such review (None: there is none)."""
    changed = plan.revised or plan.agreed
    reported: dict[str, dict[str, Any]] = {}
    since = None
    for review in case.reviews:
        if review.date <= changed or review.date > on:
            continue
        since = review.date
        for goal_id, progress in review.goals.items():
            entry = reported.setdefault(goal_id, {})
            if progress.status is not None:
                entry["status"] = progress.status
            if progress.progress is not None:
                entry["progress"] = progress.progress
    return reported, since


def new_review(caseload: Caseload, case: Case, on: date, kind: str = "progress-review") -> Update:
    """Plan ``reviews/ON.yaml`` (``-2``, ``-3``... when taken) prefilled where the last one
    left off: the open goals with their latest status and progress (from the reviews newer
    than the plan, else the plan) and every action not done, with its owner and due date."""
    if case.learner is None:
        raise UserError(f"{case.id} has no readable learner.yaml; fix it first",
                        hint=f"pathway validate cases/{case.id}")
    path = _review_path(case, on)
    schema = None
    if caseload.root is not None and (caseload.root / "schemas" / "review.schema.json").is_file():
        schema = os.path.relpath(caseload.root / "schemas" / "review.schema.json", path.parent)
    text = _review_text(case, on, kind, caseload.settings.review_every_days, schema)
    message = f"{case.id}: new {kind} on {on.isoformat()} ({REVIEWS_DIR}/{path.name})"
    return Update(case.id, (Change(path, None, text.encode("utf-8")),), message)


def _same_data(edited: bytes, prefilled: bytes) -> bool:
    """True when the edited review holds the same data as the prefilled one (comments and
    layout aside)."""
    try:
        ours, _ = parse_text(prefilled.decode("utf-8"))
        theirs, problems = parse_text(edited.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return False
    return not problems and bool(theirs == ours)


def draft_path(target: Path) -> Path:
    """Where the text of a review being edited is kept (a dot file the loader skips)."""
    return target.with_name(f".{target.stem}.draft.yaml")


def create_review(
    caseload: Caseload,
    case: Case,
    on: date,
    kind: str,
    today: date,
    *,
    edit: Editor | None = None,
    dry_run: bool = False,
    commit: bool = False,
) -> Applied:
    """Write a new review; with ``edit``, let the user edit it first and check what comes back.

    The text being edited lives in a draft next to the review (``.DATE.draft.yaml``).
    If the edited review is refused, the draft stays, the error names it, and running the
    command again reopens it, so the user's text is never lost.
    """
    update = new_review(caseload, case, on, kind)
    if edit is None:
        return apply_update(update, caseload, today, dry_run=dry_run, commit=commit)
    if dry_run:
        raise UserError("--edit and --dry-run do not go together: a dry run writes nothing")
    change = update.changes[0]
    draft = draft_path(change.path)
    ensure_inside(draft, case.folder)
    made = not draft.exists()
    if made:
        atomic_write(draft, change.new)
    try:
        edit(draft)
    except EditorUnavailable:
        if made:  # the user never saw it: nothing of theirs to keep
            draft.unlink(missing_ok=True)
        raise
    except UserError as exc:
        raise UserError(f"{exc.message}; your text is kept in {draft}",
                        hint="run the same command again to continue editing it") from None
    text = draft.read_bytes()
    if not text.strip():
        draft.unlink()
        raise UserError("the review is empty, so nothing was written")
    if _same_data(text, change.new):
        # Saved as it was prefilled: nothing happened at this review that the file says,
        # so it must not count as a review held.
        raise UserError(
            "nothing recorded: the review is still as it was prefilled, so it was not saved "
            f"and does not count as a review held; your draft is kept in {_shown(draft)}",
            hint="fill in what happened (attendance, well-being, a summary, the goals) and run "
            "the same command again; delete the draft to drop the review",
        )
    edited = dataclasses.replace(update, changes=(dataclasses.replace(change, new=text),))
    try:
        applied = apply_update(edited, caseload, today, commit=commit)
    except UpdateRefused as exc:
        findings = [dataclasses.replace(f, file=draft) if f.file == change.path else f
                    for f in exc.findings]
        raise UpdateRefused(
            _refusal_text("the review was not saved", findings, exc.message.split("\n")[0])
            + f"\nyour text is kept in {_shown(draft)}",
            findings,
            hint="run the same command again to reopen and fix it",
        ) from None
    draft.unlink(missing_ok=True)
    return applied

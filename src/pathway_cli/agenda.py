"""What is due for each person: reviews, agreed actions, goal deadlines, contract and
programme ends, follow-ups, in the next N days, and what is overdue.

Each item names the team member it falls to: an action or a goal its owner (the key
worker when the learner owns it), everything else the key worker. The calendar export
(``to_ics``) is for the calendars people already use, which are not a safe place for
case notes: an event says the learner's preferred name and the kind of appointment,
nothing else, and its UID is a hash of learner, kind and a stable key, so importing the
file again updates the entries instead of duplicating them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from pathway_cli.actions import action_key, agreed_actions
from pathway_cli.alerts import first_review_due
from pathway_cli.caseload import Case, Caseload
from pathway_cli.followups import follow_up_schedule
from pathway_cli.models import Learner, Settings

__all__ = ["KIND_LABELS", "Agenda", "AgendaItem", "build_agenda", "to_ics"]

OPEN_STATUSES = ("referred", "active", "paused")
UNASSIGNED = "unassigned"
# The only words an event may say besides the learner's preferred name.
KIND_LABELS = {
    "review": "review due",
    "action": "agreed action due",
    "goal": "goal deadline",
    "contract-end": "contract ends",
    "programme-end": "programme ends",
    "follow-up": "follow-up due",
}
_ORDER = {kind: index for index, kind in enumerate(KIND_LABELS)}


@dataclass(frozen=True)
class AgendaItem:
    """One thing due on one day, for one person, about one learner.

    ``text`` is for the team (terminal and JSON); ``key`` identifies the item within its
    learner and kind across runs (the UID of its calendar event is made from it).
    """

    date: date
    who: str
    learner: str
    name: str
    kind: str
    text: str
    overdue: bool
    file: Path
    key: str

    @property
    def uid(self) -> str:
        """A stable UID: the same item gets the same one on every run."""
        digest = hashlib.sha256(f"{self.learner}\x1f{self.kind}\x1f{self.key}".encode())
        return f"{digest.hexdigest()[:32]}@pathway"


@dataclass(frozen=True)
class Agenda:
    """The items due up to ``until`` (and every overdue one), by person and date."""

    as_of: date
    until: date
    items: tuple[AgendaItem, ...]


def _owner(owner: str, learner: Learner) -> str:
    if owner == "learner":
        return learner.key_worker or UNASSIGNED
    return owner


def _case_items(case: Case, settings: Settings, today: date) -> Iterator[AgendaItem]:
    learner = case.learner
    if learner is None or case.learner_file is None:
        return
    # The preferred name, or the first given name: never the full name in a calendar.
    name = learner.preferred_name or (learner.name.split() or [case.id])[0]
    key_worker = learner.key_worker or UNASSIGNED

    def item(day: date, who: str, kind: str, text: str, file: Path, key: str) -> AgendaItem:
        return AgendaItem(day, who, case.id, name, kind, text, day < today, file, key)

    if learner.status not in OPEN_STATUSES:
        for milestone in follow_up_schedule(learner, settings.risk.follow_up_months):
            # A missed follow-up stands until the next falls due, as in the alerts.
            if milestone.done is None and today < milestone.until:
                yield item(milestone.due, key_worker, "follow-up",
                           f"{milestone.label} (closed {learner.closed})",
                           case.learner_file.path, str(milestone.months))
        return
    reviews = case.reviews_with_files
    if reviews:
        last, loaded = reviews[-1]
        yield item(last.next_review, key_worker, "review",
                   f"next review (set on {last.date})", loaded.path, "next")
    else:
        due = first_review_due(case.plan, settings.review_every_days)
        if due is not None and case.plan_file is not None:
            yield item(due, key_worker, "review", "first review", case.plan_file.path, "next")
    # Each action once, as its latest mention has it (the rule of every reader of actions).
    for agreed in agreed_actions(case):
        action = agreed.action
        if action.done or action.due is None:
            continue
        whose = " (the learner's)" if action.owner == "learner" else ""
        yield item(action.due, _owner(action.owner, learner), "action",
                   f"{action.action}{whose}", agreed.path, action_key(action.action))
    plan = case.plan
    if plan is not None and case.plan_file is not None:
        for goal in plan.goals:
            if goal.is_open:
                # A well-being goal belongs to the well-being plan: its id only.
                what = goal.goal if goal.area != "wellbeing" else "(well-being goal)"
                yield item(goal.due, _owner(goal.owner, learner), "goal",
                           f"goal {goal.id}: {what}", case.plan_file.path, goal.id)
    contract = case.contract
    if contract is not None and case.contract_file is not None:
        yield item(contract.end, key_worker, "contract-end", f"contract v{contract.version} ends",
                   case.contract_file.path, "contract")
    programme = learner.programme
    if programme is not None and programme.expected_end is not None:
        yield item(programme.expected_end, key_worker, "programme-end",
                   f"{programme.title} ends", case.learner_file.path, "programme")


def build_agenda(caseload: Caseload, today: date, days: int = 14,
                 who: str | None = None) -> Agenda:
    """What falls due in the next ``days`` days (today included) and what is overdue."""
    until = today + timedelta(days=days)
    items = [
        item
        for case in caseload.cases
        for item in _case_items(case, caseload.settings, today)
        if item.date <= until and (who is None or item.who == who)
    ]
    items.sort(key=lambda i: (i.who, i.date, i.learner, _ORDER[i.kind], i.key))
    return Agenda(today, until, tuple(items))


def to_ics(agenda: Agenda) -> bytes:
    """The agenda as an iCalendar file: one all-day event an item, the same bytes each run.

    An event says only the learner's preferred name and the kind of appointment.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//pathway//agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "pathway agenda")
    stamp = datetime(agenda.as_of.year, agenda.as_of.month, agenda.as_of.day, tzinfo=UTC)
    for item in sorted(agenda.items, key=lambda i: (i.date, i.uid)):
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.date)
        event.add("dtend", item.date + timedelta(days=1))
        event.add("summary", f"{item.name}: {KIND_LABELS[item.kind]}"
                  + (" (overdue)" if item.overdue else ""))
        event.add("categories", [item.kind])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    data: bytes = calendar.to_ical()
    return data

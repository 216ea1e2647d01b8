"""Life after leaving: when a closed case is due a follow-up, and which ones were made.

Early-leaving work counts where young people are months after they leave (education,
training, employment, NEET), and a return to learning is a success. A closed case is
due a follow-up ``follow_up_months`` after its ``closed`` date (3, 6 and 12 by default,
in ``pathway.yaml``'s ``risk:``). A follow-up up to ``EARLY_DAYS`` before a date counts
for it (a call a week early is the call); one missed is not chased for ever: each stands
until the next falls due, and the last for ``LAST_WINDOW_DAYS``.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

__all__ = ["EARLY_DAYS", "LAST_WINDOW_DAYS", "Milestone", "add_months", "follow_up_schedule",
           "open_milestone"]

EARLY_DAYS = 30
LAST_WINDOW_DAYS = 90


class Dated(Protocol):
    """A follow-up, loaded or as cached facts: only its date counts here."""

    @property
    def date(self) -> date: ...


class Leaver(Protocol):
    """A learner, loaded or as cached facts: closed or not, when, and the follow-ups made."""

    @property
    def is_closed(self) -> bool: ...

    @property
    def closed(self) -> date | None: ...

    @property
    def follow_ups(self) -> Sequence[Dated]: ...


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st becomes the month's last day (Aug 31 -> Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Milestone:
    """One follow-up date of a closed case, and the follow-up that covers it, if any."""

    months: int
    due: date
    until: date
    done: Dated | None

    @property
    def label(self) -> str:
        """'3-month follow-up'."""
        return f"{self.months}-month follow-up"


def follow_up_schedule(learner: Leaver, months: Sequence[int]) -> list[Milestone]:
    """The follow-up dates of a closed case in order (none for an open case)."""
    if not learner.is_closed or learner.closed is None:
        return []
    closed = learner.closed
    steps = sorted(set(months))
    dues = [add_months(closed, m) for m in steps]
    since = [f for f in learner.follow_ups if f.date >= closed]
    found = []
    for index, (step, due) in enumerate(zip(steps, dues, strict=True)):
        until = dues[index + 1] if index + 1 < len(dues) else due + timedelta(LAST_WINDOW_DAYS)
        done = next((f for f in since if f.date >= due - timedelta(EARLY_DAYS)), None)
        found.append(Milestone(step, due, until, done))
    return found


def open_milestone(learner: Leaver, months: Sequence[int], today: date) -> Milestone | None:
    """The follow-up that is due and not made, while it stands (see the module's note)."""
    for milestone in follow_up_schedule(learner, months):
        if milestone.due <= today < milestone.until and milestone.done is None:
            return milestone
    return None

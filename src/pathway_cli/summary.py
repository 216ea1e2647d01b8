"""The caseload overview: one row a learner, built on the alerts, sorted by risk.

A learner's risk is the loudest of their alerts (``green`` when there is none), so the
overview and ``pathway alerts`` never disagree. Rows come red first, then amber, then
green, and closed cases last, so the first row is the learner to call first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pathway_cli.alerts import (
    Alert,
    Asked,
    CaseFilter,
    facts_alerts,
    first_review_due,
    packed_alerts,
    sort_alerts,
    unpacked_alerts,
)
from pathway_cli.facts import (
    CLOSED_STATUSES,
    CaseFacts,
    Judge,
    Judging,
    Positions,
    SettingsLike,
    case_facts,
    decide_folders,
)

if TYPE_CHECKING:
    from pathway_cli.caseload import Case, Caseload
    from pathway_cli.facts import CaseloadView
    from pathway_cli.validation import Context

__all__ = [
    "DUE_SOON_DAYS",
    "CaseFilter",
    "LearnerSummary",
    "Risk",
    "SummaryTotals",
    "facts_summary",
    "kept_case_summary",
    "kept_facts_summary",
    "sort_summaries",
    "summarise_caseload",
    "summarise_folders",
    "summary_totals",
]

Risk = Literal["green", "amber", "red"]
T = TypeVar("T")
# "Reviews due this week": today and the six days after it.
DUE_SOON_DAYS = 7
_RISK_RANK = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class LearnerSummary:
    """One learner at a glance: status, goals, reviews, latest ratings and risk.

    ``attendance`` and ``wellbeing`` are the latest recorded at a review; ``next_review``
    is the latest review's ``next_review`` (before the first review, the plan's agreement
    plus review_every_days; None for closed cases). ``goals_total`` leaves out dropped
    goals. ``alerts`` are unplaced (no line numbers) and sorted red first.
    """

    id: str
    name: str
    status: str
    key_worker: str | None
    goals_total: int
    goals_achieved: int
    last_review: date | None
    next_review: date | None
    attendance: float | None
    wellbeing: int | None
    risk: Risk
    preferred_name: str | None = None
    groups: tuple[str, ...] = ()
    programme: str | None = None
    opened: date | None = None
    closed: date | None = None
    goals_at_risk: int = 0
    reviews: int = 0
    alerts: tuple[Alert, ...] = ()

    @property
    def is_closed(self) -> bool:
        """True for completed and left cases."""
        return self.status in CLOSED_STATUSES

    @property
    def alert_rules(self) -> tuple[str, ...]:
        """Rule ids of the alerts, loudest first, each once."""
        return tuple(dict.fromkeys(a.rule for a in self.alerts))

    @property
    def red(self) -> int:
        """Number of red alerts."""
        return sum(1 for a in self.alerts if a.level == "red")

    @property
    def amber(self) -> int:
        """Number of amber alerts."""
        return sum(1 for a in self.alerts if a.level == "amber")


@dataclass(frozen=True)
class SummaryTotals:
    """The counts under the overview."""

    learners: int
    by_status: dict[str, int] = field(default_factory=dict)
    at_risk: int = 0
    red: int = 0
    amber: int = 0
    reviews_due_soon: int = 0
    reviews_overdue: int = 0

    @property
    def active(self) -> int:
        """Number of active cases."""
        return self.by_status.get("active", 0)


def summarise_caseload(
    caseload: Caseload, today: date, only: CaseFilter | None = None
) -> list[LearnerSummary]:
    """One summary a learner (of those ``only`` keeps): red first, then amber, then green;
    closed cases last."""
    from pathway_cli.validation import Context

    ctx = Context(caseload.settings, caseload.mentors, today)
    rows = [kept_case_summary(case, ctx, only) for case in caseload.cases]
    return sort_summaries(row for row in rows if row is not None)


def summarise_folders(view: CaseloadView, today: date, only: CaseFilter | None = None,
                      jobs: int | None = None, *,
                      sentences: bool = True) -> list[LearnerSummary]:
    """``summarise_caseload`` for a caseload's folders (``facts.open_view``), decided on the
    facts of each case (cached where its folder has not changed; see ``facts.py``), on every
    core when it is big. Without ``sentences`` the rows' alerts may come without ``why``
    (those of a half decided in a forked child do: it is not sent)."""
    rows = decide_folders(view, Judge(view.settings, today), _summary_of_facts,
                          Asked(only, sentences), jobs=jobs,
                          send=partial(_packed, sentences=sentences), receive=_unpacked)
    return sort_summaries(row for row in rows if row is not None)


_FIELDS = tuple(f.name for f in fields(LearnerSummary))
_values = attrgetter(*_FIELDS)


def _packed(rows: list[LearnerSummary | None], *,
            sentences: bool = True) -> list[tuple[Any, ...] | None]:
    """Rows as plain tuples, their alerts too, for sending from a worker (``map_halves``)."""
    packed: list[tuple[Any, ...] | None] = []
    for row in rows:
        if row is None:
            packed.append(None)
            continue
        values = _values(row)
        packed.append((*values[:-1], packed_alerts(row.alerts, sentences=sentences)))
    return packed


def _unpacked(packed: list[tuple[Any, ...] | None]) -> list[LearnerSummary | None]:
    rows: list[LearnerSummary | None] = []
    for values in packed:
        if values is None:
            rows.append(None)
            continue
        row = object.__new__(LearnerSummary)  # no per-field ``__init__``: thousands of rows
        row.__dict__.update(zip(_FIELDS, values, strict=True))
        row.__dict__["alerts"] = unpacked_alerts(values[-1])
        rows.append(row)
    return rows


def _summary_of_facts(facts: CaseFacts, ctx: Judging, asked: Asked,
                      _: Positions) -> LearnerSummary | None:
    if asked.only is not None and not asked.only.keeps(facts):
        return None
    return facts_summary(facts, facts_alerts(facts, ctx), ctx.settings)


def kept_case_summary(case: Case, ctx: Context,
                      only: CaseFilter | None = None) -> LearnerSummary | None:
    """The summary of one case with its alerts; None when ``only`` leaves it out."""
    return kept_facts_summary(case_facts(case, ctx), ctx, only)


def kept_facts_summary(facts: CaseFacts, ctx: Judging,
                       only: CaseFilter | None = None) -> LearnerSummary | None:
    """The summary of one case from its facts; None when ``only`` leaves it out."""
    if only is not None and not only.keeps(facts):
        return None
    return facts_summary(facts, sort_alerts(facts_alerts(facts, ctx)), ctx.settings)


def sort_summaries(rows: Iterable[LearnerSummary]) -> list[LearnerSummary]:
    """Red first, then amber, then green; closed cases last."""
    return sorted(rows, key=_risk_order)


def facts_summary(facts: CaseFacts, alerts: Sequence[Alert],
                  settings: SettingsLike) -> LearnerSummary:
    """The summary of one case from its facts, given its alerts."""
    learner = facts.learner
    plan = facts.plan
    reviews = facts.reviews
    goals = [g for g in plan.goals if g.status != "dropped"] if plan else []
    risk: Risk = "red" if any(a.level == "red" for a in alerts) else (
        "amber" if alerts else "green")
    closed = learner is not None and learner.is_closed
    if closed:
        next_review = None
    elif reviews:
        next_review = reviews[-1].next_review
    else:
        next_review = first_review_due(plan, settings.review_every_days)
    programme = learner.programme_title if learner else None
    return LearnerSummary(
        id=facts.id,
        name=learner.name if learner else facts.id,
        status=learner.status if learner else "unknown",
        # The overview leaves the team (CSV, JSON): a health professional is not named.
        key_worker=learner.key_worker_shown if learner else None,
        goals_total=len(goals),
        goals_achieved=sum(1 for g in goals if g.status == "achieved"),
        last_review=reviews[-1].date if reviews else None,
        next_review=next_review,
        attendance=_latest(r.attendance for r in reviews),
        wellbeing=_latest(r.wellbeing for r in reviews),
        risk=risk,
        preferred_name=learner.preferred_name if learner else None,
        groups=tuple(learner.groups) if learner else (),
        programme=programme,
        opened=learner.opened if learner else None,
        closed=learner.closed if learner else None,
        goals_at_risk=sum(1 for g in goals if g.status == "at-risk"),
        reviews=len(reviews),
        alerts=tuple(sort_alerts(alerts)),
    )


def _latest(values: Iterable[T | None]) -> T | None:
    latest = None
    for value in values:
        if value is not None:
            latest = value
    return latest


def _risk_order(row: LearnerSummary) -> tuple[bool, int, int, int, date, str]:
    return (row.is_closed, _RISK_RANK[row.risk], -row.red, -row.amber,
            row.next_review or date.max, row.id)


def summary_totals(rows: Sequence[LearnerSummary], today: date) -> SummaryTotals:
    """Counts for the footer: statuses, learners at risk, reviews due in the next 7 days."""
    soon = today + timedelta(days=DUE_SOON_DAYS - 1)
    open_rows = [r for r in rows if not r.is_closed]
    return SummaryTotals(
        learners=len(rows),
        by_status=dict(Counter(r.status for r in rows)),
        at_risk=sum(1 for r in open_rows if r.risk != "green"),
        red=sum(1 for r in open_rows if r.risk == "red"),
        amber=sum(1 for r in open_rows if r.risk == "amber"),
        reviews_due_soon=sum(1 for r in open_rows
                             if r.next_review is not None and today <= r.next_review <= soon),
        reviews_overdue=sum(1 for r in open_rows
                            if r.next_review is not None and r.next_review < today),
    )

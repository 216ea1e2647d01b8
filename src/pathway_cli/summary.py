"""The caseload overview: one row a learner, built on the alerts, sorted by risk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pathway_cli.alerts import Alert, find_alerts
from pathway_cli.caseload import Case, Caseload

__all__ = ["LearnerSummary", "Risk", "summarise_caseload"]

Risk = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class LearnerSummary:
    """One learner at a glance: status, goals, reviews, latest ratings and risk."""

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
    goals_at_risk: int = 0
    reviews: int = 0
    alerts: tuple[Alert, ...] = ()


def summarise_caseload(caseload: Caseload, today: date) -> list[LearnerSummary]:
    """One summary a learner, red first, then amber, then green; closed cases last."""
    alerts = find_alerts(caseload, today, locate=False)
    by_learner: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_learner.setdefault(alert.learner, []).append(alert)
    rows = [_summarise(case, by_learner.get(case.id, [])) for case in caseload.cases]
    return sorted(rows, key=_risk_order)


def _summarise(case: Case, alerts: Sequence[Alert]) -> LearnerSummary:
    learner = case.learner
    plan = case.plan
    reviews = case.reviews
    goals = [g for g in plan.goals if g.status != "dropped"] if plan else []
    risk: Risk = "red" if any(a.level == "red" for a in alerts) else (
        "amber" if alerts else "green")
    return LearnerSummary(
        id=case.id,
        name=learner.name if learner else case.id,
        status=learner.status if learner else "unknown",
        key_worker=learner.key_worker if learner else None,
        goals_total=len(goals),
        goals_achieved=sum(1 for g in goals if g.status == "achieved"),
        last_review=reviews[-1].date if reviews else None,
        next_review=reviews[-1].next_review if reviews else None,
        attendance=next((r.attendance for r in reversed(reviews) if r.attendance is not None),
                        None),
        wellbeing=next((r.wellbeing for r in reversed(reviews) if r.wellbeing is not None), None),
        risk=risk,
        alerts=tuple(alerts),
    )


_RISK_RANK = {"red": 0, "amber": 1, "green": 2}


def _risk_order(row: LearnerSummary) -> tuple[int, int, str]:
    return (_RISK_RANK[row.risk], -len(row.alerts), row.id)

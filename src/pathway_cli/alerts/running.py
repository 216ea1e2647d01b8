"""Running the rules: the list (``ALERT_RULES``, in order of urgency), which cases to look
at (``CaseFilter``), the alerts of a case, of a caseload and of its folders, sorted and
placed at their lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pathway_cli.alerts.recorded import (
    alert_attendance_drop,
    alert_attendance_low,
    alert_behaviour_incidents,
    alert_course_failure,
    alert_engagement_drop,
    alert_wellbeing_drop,
)
from pathway_cli.alerts.schedule import (
    alert_action_overdue,
    alert_contract_unsigned,
    alert_follow_up_due,
    alert_goal_at_risk,
    alert_goal_overdue,
    alert_no_plan,
    alert_records_invalid,
    alert_review_overdue,
)
from pathway_cli.alerts.values import Alert, packed_alerts, unpacked_alerts
from pathway_cli.facts import (
    CaseFacts,
    Judge,
    Judging,
    Positions,
    case_facts,
    decide_folders,
)

if TYPE_CHECKING:
    from pathway_cli.caseload import Case, Caseload
    from pathway_cli.facts import CaseloadView
    from pathway_cli.validation import Context

__all__ = [
    "ALERT_RULES",
    "AlertRule",
    "Asked",
    "CaseFilter",
    "alerts_of_folders",
    "case_alerts",
    "facts_alerts",
    "find_alerts",
    "kept_case_alerts",
    "placed_alerts",
    "sort_alerts",
]

# --- the list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRule:
    """A rule id, the case statuses it watches, and the function that checks it."""

    id: str
    statuses: tuple[str, ...]
    check: Callable[[CaseFacts, Judging], list[Alert]]
    levels: str


ACTIVE = ("active",)
OPEN = ("referred", "active", "paused")
CLOSED = ("completed", "left")

# In order of urgency: the first alert of a learner is the one a table shows first.
ALERT_RULES: list[AlertRule] = [
    AlertRule("attendance-low", ACTIVE, alert_attendance_low,
              "amber below attendance_amber; red below attendance_red"),
    AlertRule("wellbeing-drop", OPEN, alert_wellbeing_drop,
              "amber on a fall of wellbeing_drop or more; red when it ends at 2 or 1"),
    AlertRule("attendance-drop", ACTIVE, alert_attendance_drop,
              "amber on a fall of attendance_drop or more; red on twice that"),
    AlertRule("behaviour-incidents", ACTIVE, alert_behaviour_incidents,
              "amber at incidents_amber or more since the last review; red at incidents_red"),
    AlertRule("course-failure", ACTIVE, alert_course_failure,
              "amber at failed_amber or more failed, or grades falling; red at failed_red"),
    AlertRule("engagement-drop", ACTIVE, alert_engagement_drop,
              "amber on a fall of engagement_drop or more; red when it ends at engagement_red "
              "or lower"),
    AlertRule("no-plan", ACTIVE, alert_no_plan,
              "amber more than no_plan_days after opening; red after twice that"),
    AlertRule("review-overdue", OPEN, alert_review_overdue,
              "amber more than review_grace_days late; red more than twice that (min 14 days)"),
    AlertRule("action-overdue", OPEN, alert_action_overdue,
              "amber once past due; red more than 14 days past due"),
    AlertRule("goal-overdue", ACTIVE, alert_goal_overdue,
              "amber once past due; red more than review_every_days past due"),
    AlertRule("goal-at-risk", ACTIVE, alert_goal_at_risk,
              "amber while at risk; red within 14 days of the due date"),
    AlertRule("contract-unsigned", ACTIVE, alert_contract_unsigned,
              "amber more than unsigned_contract_days after the plan was agreed"),
    AlertRule("follow-up-due", CLOSED, alert_follow_up_due,
              "amber from follow_up_months after closing until the next is due"),
    AlertRule("records-invalid", OPEN, alert_records_invalid,
              "amber whenever the case has validation errors"),
]
_URGENCY = {rule.id: index for index, rule in enumerate(ALERT_RULES)}


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to look at; an empty field lets every case through.

    A case whose learner.yaml cannot be read passes only when no field is set.
    """

    key_workers: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    def keeps(self, facts: CaseFacts) -> bool:
        """True when the case passes every filter that is set."""
        learner = facts.learner
        if learner is None:
            return not (self.key_workers or self.statuses or self.groups)
        return (
            (not self.key_workers or learner.key_worker in self.key_workers)
            and (not self.statuses or learner.status in self.statuses)
            and (not self.groups or not self.groups.isdisjoint(learner.groups))
        )


def find_alerts(caseload: Caseload, today: date, *, locate: bool = True,
                only: CaseFilter | None = None) -> list[Alert]:
    """Every alert of every case (or of the cases ``only`` keeps), red first.

    With ``locate``, each alert is placed at its line; lines are looked up only for
    files that have an alert. A case without a readable learner.yaml has no known status
    and raises only records-invalid.
    """
    from pathway_cli.validation import Context

    ctx = Context(caseload.settings, caseload.mentors, today)
    found: list[Alert] = []
    for case in caseload.cases:
        found.extend(kept_case_alerts(case, ctx, only, locate=locate) or [])
    return sort_alerts(found)


def alerts_of_folders(view: CaseloadView, today: date, only: CaseFilter | None = None,
                      jobs: int | None = None, *,
                      sentences: bool = True) -> tuple[list[Alert], int]:
    """``find_alerts`` for a caseload's folders (``facts.open_view``), decided on the facts
    of each case (cached where its folder has not changed; see ``facts.py``), on every core
    when it is big; also the number of learners ``only`` keeps. Without ``sentences`` the
    alerts may come without ``why`` (output in English only needs ``message``; a half
    decided in a forked child does not send it)."""
    per_case = decide_folders(view, Judge(view.settings, today), _kept_placed_alerts,
                              Asked(only, sentences), _facts_with_lines, jobs,
                              send=partial(_packed, sentences=sentences), receive=_unpacked)
    kept = [alerts for alerts in per_case if alerts is not None]
    return sort_alerts([a for alerts in kept for a in alerts]), len(kept)


class Asked(NamedTuple):
    """Which cases a whole-caseload command looks at, and whether it needs the alerts'
    sentences in other languages (``Alert.why``)."""

    only: CaseFilter | None
    sentences: bool = True


def _kept_placed_alerts(facts: CaseFacts, ctx: Judging, asked: Asked,
                        positions: Positions) -> list[Alert] | None:
    if asked.only is not None and not asked.only.keeps(facts):
        return None
    return placed_alerts(facts, facts_alerts(facts, ctx), positions)


def _packed(per_case: list[list[Alert] | None], *,
            sentences: bool = True) -> list[tuple[tuple[Any, ...], ...] | None]:
    return [None if alerts is None else packed_alerts(alerts, sentences=sentences)
            for alerts in per_case]


def _unpacked(packed: list[tuple[tuple[Any, ...], ...] | None]) -> list[list[Alert] | None]:
    return [None if alerts is None else list(unpacked_alerts(alerts)) for alerts in packed]


def _facts_with_lines(case: Case, ctx: Context) -> CaseFacts:
    """A case's facts with the lines of the alerts it raises today, found while its files
    are at hand (a worker's task: only the facts travel back)."""
    facts = case_facts(case, ctx)
    placed_alerts(facts, facts_alerts(facts, ctx), _case_positions(case))
    return facts


def kept_case_alerts(case: Case, ctx: Context, only: CaseFilter | None = None, *,
                     locate: bool = True) -> list[Alert] | None:
    """The alerts of one case, placed when ``locate``; None when ``only`` leaves it out."""
    facts = case_facts(case, ctx)
    if only is not None and not only.keeps(facts):
        return None
    found = facts_alerts(facts, ctx)
    return placed_alerts(facts, found, _case_positions(case)) if locate else found


def case_alerts(case: Case, ctx: Context) -> list[Alert]:
    """The alerts of one case (unplaced)."""
    return facts_alerts(case_facts(case, ctx), ctx)


def facts_alerts(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """The alerts of one case, decided on its facts (unplaced)."""
    learner = facts.learner
    if learner is None:
        return alert_records_invalid(facts, ctx)
    found: list[Alert] = []
    for rule in ALERT_RULES:
        if learner.status in rule.statuses:
            found.extend(rule.check(facts, ctx))
    return found


def sort_alerts(alerts: Sequence[Alert]) -> list[Alert]:
    """Red before amber, then by learner, then the most urgent rule first."""
    return sorted(alerts, key=lambda a: (a.level != "red", a.learner,
                                         _URGENCY.get(a.rule, len(_URGENCY)), str(a.file),
                                         a.line or 0, a.message))


def _case_positions(case: Case) -> Positions:
    sources = {loaded.source.path: loaded.source for loaded in case.files()}
    return Positions(sources.get)


def placed_alerts(facts: CaseFacts, alerts: list[Alert], positions: Positions) -> list[Alert]:
    """The alerts, each at the line of its key path: one file at a time, its position tree
    dropped after use (see loader.place_findings), lines kept in the facts."""
    by_file: dict[Path, list[int]] = {}
    for index, alert in enumerate(alerts):
        if alert.line is None and alert.key_path is not None:
            by_file.setdefault(alert.file, []).append(index)
    placed = list(alerts)
    for file, indexes in by_file.items():
        for index in indexes:
            key_path = alerts[index].key_path
            assert key_path is not None  # noqa: S101 - selected above
            line = positions.line(facts, file, key_path)
            if line is not None:
                placed[index] = alerts[index].but(line=line)
    positions.done()
    return placed

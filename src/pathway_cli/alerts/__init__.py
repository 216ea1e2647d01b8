"""Early-warning alerts: who needs attention, why, and which record says so.

Each rule is a small function ``alert_x(facts, ctx) -> list[Alert]`` and is listed in
``ALERT_RULES`` with the case statuses it watches, so a team can read in one place what
raises an alert and how loud it is. Thresholds come from ``pathway.yaml`` (``risk:``);
every date rule counts from ``ctx.today``. The rules read a case's facts (``facts.py``):
what they need of its records, taken from a loaded case or from the cache, so that one
code path serves ``pathway alerts`` on cached cases and every report built on loaded ones.

Levels: *amber* means "look at this at the next review"; *red* means "act this week":
the learner may be slipping away (attendance under the red line, well-being down to 2
or 1, a review or an agreed action long overdue) or a plan is failing close to a deadline.

Closed cases (completed, left) raise only ``follow-up-due``: where is the learner 3, 6
and 12 months after leaving? Paused and referred cases raise only what the team still
owes the learner while the programme is on hold or not yet started (reviews, agreed
actions, well-being); attendance, behaviour, results, engagement, goal deadlines, the
contract and the plan are watched for active cases only.

The risky windows: in the first ``first_year_days`` of the programme and for learners in
the ``transition`` group, the attendance lines sit ``tighter_attendance`` higher and the
review grace is ``tighter_review_grace_days``; such an alert says that its line is
tighter and why.

Alerts are computed from the records that could be read; a case whose records have
validation errors also raises ``records-invalid``, so a broken file never silently hides
an alert.

The stages, one module each (imports run one way, top to bottom):

- ``values``: the alert (``Alert``), its sentence as catalogue text and values (``Why``)
  and the helpers every rule says it with;
- ``recorded``: the rules on what reviews record (attendance, well-being, behaviour,
  course results, engagement) and the risky windows (``risky_window``);
- ``schedule``: the rules on the schedule (reviews, agreed actions and goals overdue, goals
  at risk, no plan, the contract unsigned, the follow-up due, ``first_review_due``) and
  ``records-invalid``;
- ``running``: the list (``ALERT_RULES``), ``CaseFilter`` and running them:
  ``find_alerts``, ``alerts_of_folders``, ``kept_case_alerts``, ``case_alerts``,
  ``facts_alerts``, ``sort_alerts``, ``placed_alerts``.

This package re-exports the public API listed in ``__all__``. Like every module of it, it
imports no records model, caseload or validation at run time (only for type checkers, or
inside a function), so a warm ``pathway alerts`` loads no model.
"""

from pathway_cli.alerts.recorded import risky_window
from pathway_cli.alerts.running import (
    ALERT_RULES,
    AlertRule,
    Asked,
    CaseFilter,
    alerts_of_folders,
    case_alerts,
    facts_alerts,
    find_alerts,
    kept_case_alerts,
    placed_alerts,
    sort_alerts,
)
from pathway_cli.alerts.schedule import (
    ACTION_RED_DAYS,
    GOAL_AT_RISK_RED_DAYS,
    REVIEW_RED_DAYS,
    first_review_due,
)
from pathway_cli.alerts.values import (
    Alert,
    Level,
    Percent,
    Why,
    packed_alerts,
    unpacked_alerts,
)
from pathway_cli.facts import key_workers

__all__ = [
    "ACTION_RED_DAYS",
    "ALERT_RULES",
    "GOAL_AT_RISK_RED_DAYS",
    "REVIEW_RED_DAYS",
    "Alert",
    "AlertRule",
    "Asked",
    "CaseFilter",
    "Level",
    "Percent",
    "Why",
    "alerts_of_folders",
    "case_alerts",
    "facts_alerts",
    "find_alerts",
    "first_review_due",
    "kept_case_alerts",
    "key_workers",
    "packed_alerts",
    "placed_alerts",
    "risky_window",
    "sort_alerts",
    "unpacked_alerts",
]

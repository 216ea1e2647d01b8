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
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pathway_cli.facts import (
    CaseFacts,
    GoalFacts,
    Judge,
    Judging,
    PlanFacts,
    Positions,
    ReviewFacts,
    agreed_action_facts,
    case_facts,
    decide_folders,
    key_workers,
)
from pathway_cli.findings import KeyPath
from pathway_cli.followups import open_milestone
from pathway_cli.i18n import ENGLISH_WORDS, N_, NP_, Language, Words
from pathway_cli.privacy import Kind, allows

if TYPE_CHECKING:
    from pathway_cli.caseload import Case, Caseload
    from pathway_cli.facts import CaseloadView
    from pathway_cli.validation import Context

__all__ = [
    "ACTION_RED_DAYS",
    "ALERT_RULES",
    "GOAL_AT_RISK_RED_DAYS",
    "REVIEW_RED_DAYS",
    "Alert",
    "AlertRule",
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
    "placed_alerts",
    "risky_window",
    "sort_alerts",
]

Level = Literal["amber", "red"]

# Fixed lines not (yet) in pathway.yaml; each is explained where it is used.
ACTION_RED_DAYS = 14
GOAL_AT_RISK_RED_DAYS = 14
REVIEW_RED_DAYS = 14
# Well-being at or below this after a drop is red: the learner says they are not doing well.
WELLBEING_RED_AT = 2
# Rates are floats: 0.85 - 0.70 is 0.15000000000000002, 0.95 - 0.80 is 0.1499999999999999.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Alert:
    """One early-warning flag about one learner.

    ``message`` is the full sentence with the value and the threshold in words;
    ``headline`` is the few words a table has room for. ``file``/``line`` name the record
    behind the alert (``line`` is None until placed from ``key_path``).
    """

    learner: str
    level: Level
    rule: str
    message: str
    file: Path
    line: int | None = None
    headline: str = ""
    value: str | None = None
    threshold: str | None = None
    key_path: KeyPath | None = None
    why: Why | None = None  # the message as catalogue text and values, for translation

    @property
    def is_red(self) -> bool:
        """True for a red alert."""
        return self.level == "red"


class Days(int):
    """A number of days in an alert's sentence: "1 day", "3 days", "3 Tage"."""


class Percent(str):
    """A percentage in an alert's sentence ("72%"), shown the locale's way ("72 %")."""

    __slots__ = ()

    @property
    def fraction(self) -> float:
        """The percentage as a fraction: 0.72."""
        return float(self.removesuffix("%")) / 100


class Term(str):
    """A word of an alert's sentence that is translated with it (red, learner...)."""

    __slots__ = ()


@dataclass(frozen=True)
class Why:
    """An alert's sentence as its catalogue text and its values, so a report in another
    language can translate it; ``str(why)`` is the English message."""

    text: str
    values: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None  # the text for a count other than one (``count``)
    count: int = 1

    def say(self, words: Words = ENGLISH_WORDS) -> str:
        """The sentence in the language of ``words``."""
        shown: dict[str, object] = {"count": self.count}
        for key, value in self.values.items():
            if isinstance(value, Days):
                shown[key] = words.ngettext("%(num)d day", "%(num)d days", value) % {
                    "num": value}
            elif isinstance(value, Term):
                shown[key] = words.gettext(value)
            elif isinstance(value, Why):
                shown[key] = value.say(words)
            elif isinstance(words, Language) and isinstance(value, Percent):
                shown[key] = words.percent_text(value.fraction, value)
            elif isinstance(words, Language) and isinstance(value, date):
                shown[key] = words.day(value)
            else:
                shown[key] = str(value)
        if self.plural is not None:
            return words.ngettext(self.text, self.plural, self.count) % shown
        return words.gettext(self.text) % shown

    def __str__(self) -> str:
        return self.say()


def _why(text: str, red: str | None = None, level: str = "amber",
         **values: object) -> dict[str, Any]:
    """An Alert's ``message`` (English) and ``why``: ``text``, or ``red`` for a red alert."""
    why = Why(red if red is not None and level == "red" else text, values)
    return {"message": str(why), "why": why}


def _tighter(message: dict[str, Any], tighter: tuple[object, Why] | None) -> dict[str, Any]:
    """The message, with why its line is tighter than the usual one (the risky windows)."""
    if tighter is None:
        return message
    usual, reason = tighter
    why = Why(N_("%(base)s (tighter than the usual %(usual)s: %(reason)s)"),
              {"base": message["why"], "usual": usual, "reason": reason})
    return {"message": str(why), "why": why}


@functools.lru_cache(maxsize=4096)
def _at(path: str) -> Path:
    """The path of an alert's record (the facts keep paths as text: they load faster)."""
    return Path(path)


def _pct(rate: float, line: float | None = None) -> Percent:
    text = f"{rate * 100:.0f}%"
    # 84.9% must not read as "85%, below the line of 85%".
    if line is not None and rate != line and text == f"{line * 100:.0f}%":
        text = f"{rate * 100:.1f}%"
    return Percent(text)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


# --- the risky windows -------------------------------------------------------------------


def risky_window(facts: CaseFacts, ctx: Judging, on: date) -> Why | None:
    """Why the lines are tighter for this learner on ``on`` (None: they are not).

    The first ``first_year_days`` of the programme (day 1 is its start) and the
    ``transition`` group are the riskiest time for early leaving.
    """
    learner = facts.learner
    if learner is None:
        return None
    reasons = []
    days = ctx.settings.risk.first_year_days
    start = learner.programme_start
    if days and start is not None:
        day = (on - start).days + 1
        if 1 <= day <= days:
            reasons.append(Why(N_("day %(day)s of the first %(days)s of the programme, which "
                                  "started on %(start)s"),
                               {"day": day, "days": days, "start": start}))
    if "transition" in learner.groups:
        reasons.append(Why(N_("the learner is in the transition group")))
    if len(reasons) == 2:
        return Why(N_("%(one)s; %(other)s"), {"one": reasons[0], "other": reasons[1]})
    return reasons[0] if reasons else None


# --- attendance --------------------------------------------------------------------------


def _with_attendance(facts: CaseFacts) -> list[tuple[ReviewFacts, str]]:
    return [(r, r.path) for r in facts.reviews if r.attendance is not None]


def alert_attendance_low(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """The latest recorded attendance is below the amber line (red below the red line)."""
    recorded = _with_attendance(facts)
    if not recorded:
        return []
    review, path = recorded[-1]
    rate = review.attendance
    assert rate is not None  # noqa: S101 - filtered above
    risk = ctx.settings.risk
    # The window the rate was measured in decides the line, not the day it is read.
    why = risky_window(facts, ctx, review.date)
    lift = risk.tighter_attendance if why else 0.0
    red, amber = min(risk.attendance_red + lift, 1.0), min(risk.attendance_amber + lift, 1.0)
    if rate < red - _EPSILON:
        level: Level = "red"
        line_name, line, usual = "red", red, risk.attendance_red
    elif rate < amber - _EPSILON:
        level, line_name, line, usual = "amber", "amber", amber, risk.attendance_amber
    else:
        return []
    shown = _pct(rate, line)
    tighter = (_pct(usual), why) if why and abs(line - usual) > _EPSILON else None
    return [Alert(
        facts.id, level, "attendance-low",
        **_tighter(_why(N_("attendance %(rate)s at the review on %(date)s, below the "
                           "%(line_name)s line of %(line)s"),
                        rate=shown, date=review.date, line_name=Term(line_name),
                        line=_pct(line)), tighter),
        file=_at(path), headline=f"attendance {shown}", value=shown, threshold=_pct(line),
        key_path=("attendance",),
    )]


def alert_attendance_drop(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """Attendance fell by attendance_drop or more between the last two reviews recording it.

    Red when the fall is twice the threshold or more: a sudden change of trajectory.
    """
    recorded = _with_attendance(facts)
    if len(recorded) < 2:
        return []
    (before, _), (after, path) = recorded[-2], recorded[-1]
    assert before.attendance is not None and after.attendance is not None  # noqa: S101
    fall = before.attendance - after.attendance
    limit = ctx.settings.risk.attendance_drop
    if limit <= 0 or fall < limit - _EPSILON:
        return []
    level: Level = "red" if fall >= 2 * limit - _EPSILON else "amber"
    points = f"{fall * 100:.0f} points"
    return [Alert(
        facts.id, level, "attendance-drop",
        **_why(N_("attendance fell %(fall)s points, from %(before)s (%(before_date)s) to "
                  "%(after)s (%(after_date)s); the alert line is a fall of %(limit)s points"),
               N_("attendance fell %(fall)s points, from %(before)s (%(before_date)s) to "
                  "%(after)s (%(after_date)s); the alert line is a fall of %(limit)s points "
                  "(red at twice that)"), level,
               fall=f"{fall * 100:.0f}", before=_pct(before.attendance),
               before_date=before.date, after=_pct(after.attendance), after_date=after.date,
               limit=f"{limit * 100:.0f}"),
        file=_at(path), headline=f"attendance -{points}", value=points,
        threshold=f"{limit * 100:.0f} points", key_path=("attendance",),
    )]


# --- well-being --------------------------------------------------------------------------


def alert_wellbeing_drop(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """Well-being fell by wellbeing_drop or more between the last two reviews rating it.

    Red when it fell to 2 or 1 of 5: the learner says they are not doing well.
    """
    rated = [(r, r.path) for r in facts.reviews if r.wellbeing is not None]
    if len(rated) < 2:
        return []
    (before, _), (after, path) = rated[-2], rated[-1]
    assert before.wellbeing is not None and after.wellbeing is not None  # noqa: S101
    fall = before.wellbeing - after.wellbeing
    limit = ctx.settings.risk.wellbeing_drop
    if fall < limit:
        return []
    level: Level = "red" if after.wellbeing <= WELLBEING_RED_AT else "amber"
    return [Alert(
        facts.id, level, "wellbeing-drop",
        **_why(N_("well-being fell %(fall)s points, from %(before)s (%(before_date)s) to "
                  "%(after)s of 5 (%(after_date)s); the alert line is a fall of %(limit)s"),
               N_("well-being fell %(fall)s points, from %(before)s (%(before_date)s) to "
                  "%(after)s of 5 (%(after_date)s); the alert line is a fall of %(limit)s, "
                  "and %(after)s of 5 is red"), level,
               fall=fall, before=before.wellbeing, before_date=before.date,
               after=after.wellbeing, after_date=after.date, limit=limit),
        file=_at(path), headline=f"well-being {before.wellbeing}->{after.wellbeing}",
        value=f"-{fall}", threshold=f"-{limit}", key_path=("wellbeing",),
    )]


# --- behaviour, course performance, engagement (the B and C of "ABC") --------------------


def alert_behaviour_incidents(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """The latest review recording incidents counts incidents_amber or more since the one
    before (red at incidents_red or more)."""
    recorded = [(r, r.path) for r in facts.reviews if r.incidents is not None]
    if not recorded:
        return []
    review, path = recorded[-1]
    assert review.incidents is not None  # noqa: S101 - filtered above
    count = review.incidents
    risk = ctx.settings.risk
    if count >= risk.incidents_red:
        level: Level = "red"
        line = risk.incidents_red
    elif count >= risk.incidents_amber:
        level, line = "amber", risk.incidents_amber
    else:
        return []
    kinds = f" ({', '.join(review.incident_kinds)})" if review.incident_kinds else ""
    text = (N_("%(count)s incident%(kinds)s since the last review, recorded on %(date)s; the "
               "%(line_name)s line is %(line)s") if count == 1 else
            N_("%(count)s incidents%(kinds)s since the last review, recorded on %(date)s; the "
               "%(line_name)s line is %(line)s"))
    return [Alert(
        facts.id, level, "behaviour-incidents",
        **_why(text, count=count, kinds=kinds, date=review.date, line_name=Term(level), line=line),
        file=_at(path), headline=f"{count} incidents", value=str(count), threshold=str(line),
        key_path=("incidents", "count"),
    )]


def alert_course_failure(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """The latest review recording results has failed_amber or more assessments failed, or
    grades falling (red at failed_red or more failed)."""
    recorded = [(r, r.path) for r in facts.reviews if r.failed is not None]
    if not recorded:
        return []
    review, path = recorded[-1]
    failed = review.failed
    assert failed is not None  # noqa: S101 - filtered above
    risk = ctx.settings.risk
    falling = review.trend == "falling"
    if failed >= risk.failed_red:
        level: Level = "red"
        line = risk.failed_red
    elif failed >= risk.failed_amber or falling:
        level, line = "amber", risk.failed_amber
    else:
        return []
    if level == "red":
        text = N_("%(failed)s assessments failed (and %(passed)s passed) since the last "
                  "review, recorded on %(date)s; the red line is %(line)s failed")
    elif falling:
        text = N_("grades falling, %(failed)s failed and %(passed)s passed since the last "
                  "review, recorded on %(date)s; the amber line is %(line)s failed or grades "
                  "falling")
    else:
        text = N_("%(failed)s failed (and %(passed)s passed) since the last review, recorded "
                  "on %(date)s; the amber line is %(line)s failed or grades falling")
    key: KeyPath = ("results", "failed") if failed else ("results", "trend")
    return [Alert(
        facts.id, level, "course-failure",
        **_why(text, failed=failed, passed=review.passed, date=review.date,
               line=line),
        file=_at(path), headline=f"{failed} failed" if failed else "grades falling",
        value=str(failed), threshold=str(line), key_path=key,
    )]


def alert_engagement_drop(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """Engagement fell by engagement_drop or more between the last two reviews rating it.

    Red when it fell to engagement_red or lower.
    """
    rated = [(r, r.path) for r in facts.reviews if r.engagement is not None]
    if len(rated) < 2:
        return []
    (before, _), (after, path) = rated[-2], rated[-1]
    assert before.engagement is not None and after.engagement is not None  # noqa: S101
    fall = before.engagement - after.engagement
    risk = ctx.settings.risk
    if fall < risk.engagement_drop:
        return []
    level: Level = "red" if after.engagement <= risk.engagement_red else "amber"
    return [Alert(
        facts.id, level, "engagement-drop",
        **_why(N_("engagement fell %(fall)s points, from %(before)s (%(before_date)s) to "
                  "%(after)s of 5 (%(after_date)s); the alert line is a fall of %(limit)s"),
               N_("engagement fell %(fall)s points, from %(before)s (%(before_date)s) to "
                  "%(after)s of 5 (%(after_date)s); the alert line is a fall of %(limit)s, "
                  "and %(red_at)s of 5 or lower is red"), level,
               fall=fall, before=before.engagement, before_date=before.date,
               after=after.engagement, after_date=after.date, limit=risk.engagement_drop,
               red_at=risk.engagement_red),
        file=_at(path), headline=f"engagement {before.engagement}->{after.engagement}",
        value=f"-{fall}", threshold=f"-{risk.engagement_drop}", key_path=("engagement",),
    )]


# --- reviews -----------------------------------------------------------------------------


class Agreed(Protocol):
    """A plan, loaded or as facts: the day it was agreed."""

    @property
    def agreed(self) -> date: ...


def first_review_due(plan: Agreed | None, review_every_days: int) -> date | None:
    """When the first review falls due in a case with a plan and no review yet."""
    return plan.agreed + timedelta(days=review_every_days) if plan else None


def alert_review_overdue(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """The next review is more than review_grace_days past its date.

    The date is the latest review's ``next_review``; before the first review, the plan's
    agreement plus review_every_days. Red when more than twice the grace period, and at
    least two weeks, late: nobody has sat down with the learner for too long.
    """
    reviews = facts.reviews
    due: date | None
    key: KeyPath
    if reviews:
        review = reviews[-1]
        due, path, key = review.next_review, review.path, ("next_review",)
        what = Why(N_("the next review was due on %(due)s (set at the review on %(date)s)"),
                   {"due": due, "date": review.date})
    else:
        due = first_review_due(facts.plan, ctx.settings.review_every_days)
        if due is None or facts.plan_path is None:
            return []
        path, key = facts.plan_path, ("agreed",)
        what = Why(N_("the first review was due on %(due)s (%(every)s after the plan was "
                      "agreed) and none is recorded"),
                   {"due": due, "every": Days(ctx.settings.review_every_days)})
    late = (ctx.today - due).days
    usual = ctx.settings.risk.review_grace_days
    why = risky_window(facts, ctx, ctx.today)
    grace = min(usual, ctx.settings.risk.tighter_review_grace_days) if why else usual
    if late <= grace:
        return []
    red_after = max(2 * usual, REVIEW_RED_DAYS)
    level: Level = "red" if late > red_after else "amber"
    tighter = (Days(usual), why) if why and grace != usual else None
    return [Alert(
        facts.id, level, "review-overdue",
        **_tighter(_why(N_("%(what)s: %(late)s late, past the grace of %(grace)s"),
                        N_("%(what)s: %(late)s late, past the grace of %(grace)s (red after "
                           "%(red_after)s)"), level,
                        what=what, late=Days(late), grace=Days(grace),
                        red_after=Days(red_after)), tighter),
        file=_at(path), headline=f"review {_days(late)} late", value=_days(late),
        threshold=_days(grace), key_path=key,
    )]


def alert_action_overdue(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """An action agreed at a review is not done and past its due date.

    Each action counts once, as its latest mention has it (``actions.agreed_actions``: a
    later review may carry it over).
    Red when more than two weeks overdue: a promise to the learner not kept.
    """
    found = []
    for agreed in agreed_action_facts(facts):
        action, index = agreed.action, agreed.at
        if action.done or action.due is None or action.due >= ctx.today:
            continue
        late = (ctx.today - action.due).days
        level: Level = "red" if late > ACTION_RED_DAYS else "amber"
        # Alerts run in scheduled jobs and their logs: a health professional is not named.
        owner = action.owner_shown or Term(N_("a health professional of the team"))
        found.append(Alert(
            facts.id, level, "action-overdue",
            **_why(N_("'%(action)s' (%(owner)s, agreed on %(agreed)s) was due on %(due)s and "
                      "is not done: %(late)s overdue"),
                   N_("'%(action)s' (%(owner)s, agreed on %(agreed)s) was due on %(due)s and "
                      "is not done: %(late)s overdue (red after %(red_after)s)"), level,
                   action=action.action, owner=owner, agreed=agreed.agreed, due=action.due,
                   late=Days(late), red_after=Days(ACTION_RED_DAYS)),
            file=_at(agreed.review.path), headline=f"action {_days(late)} overdue ({owner})",
            value=_days(late), threshold=_days(0 if level == "amber" else ACTION_RED_DAYS),
            key_path=("actions", index, "done"),
        ))
    return found


# --- goals -------------------------------------------------------------------------------


def alert_goal_overdue(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """An open goal (planned, in progress, at risk) is past its due date.

    Red when overdue by more than review_every_days: a whole review cycle passed without
    the plan being revised.
    """
    plan, plan_path = facts.plan, facts.plan_path
    if plan is None or plan_path is None:
        return []
    cycle = ctx.settings.review_every_days
    found = []
    for index, goal in enumerate(plan.goals):
        if not goal.is_open or goal.due >= ctx.today:
            continue
        late = (ctx.today - goal.due).days
        level: Level = "red" if late > cycle else "amber"
        progress: object = Why(N_(", progress %(progress)s%%"), {"progress": goal.progress}) \
            if goal.progress is not None else ""
        found.append(Alert(
            facts.id, level, "goal-overdue",
            **_why(N_("goal %(goal)s %(words)s was due on %(due)s and is still "
                      "%(status)s%(progress)s: %(late)s overdue"),
                   N_("goal %(goal)s %(words)s was due on %(due)s and is still "
                      "%(status)s%(progress)s: %(late)s overdue (red after %(cycle)s, one "
                      "review cycle)"), level,
                   goal=goal.id, words=_goal_words(goal), due=goal.due,
                   status=Term(goal.status), progress=progress, late=Days(late),
                   cycle=Days(cycle)),
            file=_at(plan_path), headline=f"goal {goal.id} {_days(late)} overdue",
            value=_days(late), threshold=_days(0 if level == "amber" else cycle),
            key_path=("goals", index, "due"),
        ))
    return found


def _goal_words(goal: GoalFacts) -> str:
    """How an alert names a goal: its words in brackets, or only its kind for a well-being
    goal whose words the privacy policy keeps out of alerts."""
    if goal.area == "wellbeing" and not allows(Kind.WELLBEING_GOAL, "alerts"):
        return Term(N_("(well-being)"))
    return f"('{goal.goal}')"


def _reported_at_risk(facts: CaseFacts,
                      plan: PlanFacts) -> dict[str, tuple[ReviewFacts, str]]:
    """Goals the latest review reporting on them marks at risk, after the plan's last change."""
    changed = plan.revised or plan.agreed
    latest: dict[str, tuple[ReviewFacts, str]] = {}
    for review in facts.reviews:
        for goal_id, status in review.goal_statuses:
            latest[goal_id] = (review, status)
    return {
        goal_id: (review, review.path) for goal_id, (review, status) in latest.items()
        if review.date > changed and status == "at-risk"
    }


def alert_goal_at_risk(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """A goal not yet due is marked at risk, in the plan or in a review newer than the plan.

    Red when its due date is within two weeks: little time is left to turn it round.
    Overdue goals are goal-overdue instead.
    """
    plan, plan_path = facts.plan, facts.plan_path
    if plan is None or plan_path is None:
        return []
    reported = _reported_at_risk(facts, plan)
    found = []
    key: KeyPath
    for index, goal in enumerate(plan.goals):
        if goal.due < ctx.today:
            continue
        if goal.status == "at-risk":
            path, key = plan_path, ("goals", index, "status")
            where: object = Term(N_("the plan"))
        elif goal.id in reported and goal.is_open:
            review, path = reported[goal.id]
            key = ("goals", goal.id, "status")
            where = Why(N_("the review on %(date)s"), {"date": review.date})
        else:
            continue
        left = (goal.due - ctx.today).days
        level: Level = "red" if left <= GOAL_AT_RISK_RED_DAYS else "amber"
        found.append(Alert(
            facts.id, level, "goal-at-risk",
            **_why(N_("goal %(goal)s %(words)s is at risk in %(where)s, due on %(due)s "
                      "(%(left)s left)"),
                   N_("goal %(goal)s %(words)s is at risk in %(where)s, due on %(due)s "
                      "(%(left)s left); red within %(red_within)s of the due date"), level,
                   goal=goal.id, words=_goal_words(goal), where=where, due=goal.due,
                   left=Days(left), red_within=Days(GOAL_AT_RISK_RED_DAYS)),
            file=_at(path), headline=f"goal {goal.id} at risk", value=_days(left),
            threshold=_days(GOAL_AT_RISK_RED_DAYS), key_path=key,
        ))
    return found


# --- plan and contract -------------------------------------------------------------------


def alert_no_plan(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """An active case has no agreed plan more than no_plan_days after opening.

    Red after twice that: the learner is in the programme with no support agreed.
    """
    learner = facts.learner
    if learner is None or facts.learner_path is None or facts.plan_path is not None:
        return []
    waited = (ctx.today - learner.opened).days
    limit = ctx.settings.risk.no_plan_days
    if waited <= limit:
        return []
    level: Level = "red" if waited > 2 * limit else "amber"
    return [Alert(
        facts.id, level, "no-plan",
        **_why(N_("no agreed plan %(waited)s after the case was opened on %(opened)s; the "
                  "line is %(limit)s"),
               N_("no agreed plan %(waited)s after the case was opened on %(opened)s; the "
                  "line is %(limit)s (red after %(red_after)s)"), level,
               waited=Days(waited), opened=learner.opened, limit=Days(limit),
               red_after=Days(2 * limit)),
        file=_at(facts.learner_path), headline=f"no plan after {_days(waited)}",
        value=_days(waited), threshold=_days(limit), key_path=("opened",),
    )]


def alert_contract_unsigned(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """The contract is not in force (learner and provider signed) unsigned_contract_days
    after the plan was agreed; a missing contract.yaml counts as unsigned. Always amber.
    """
    plan = facts.plan
    if plan is None or facts.plan_path is None:
        return []
    contract = facts.contract
    if contract is not None and contract.in_force:
        return []
    if contract is None and facts.contract_path is not None:
        return []  # contract.yaml is there but unreadable: records-invalid says so
    waited = (ctx.today - plan.agreed).days
    limit = ctx.settings.risk.unsigned_contract_days
    if waited <= limit:
        return []
    if contract is not None and facts.contract_path is not None:
        missing = contract.unsigned
        parties = {"learner": N_("learner"), "provider": N_("provider")}
        who = (N_("learner and the provider") if len(missing) == 2
               else parties[missing[0]])
        what: object = Why(N_("the contract is not signed by the %(who)s"),
                           {"who": Term(who)})
        path, key = facts.contract_path, ("signatures",)
    else:
        what = Term(N_("there is no learning contract (contract.yaml)"))
        path, key = facts.plan_path, ("agreed",)
    return [Alert(
        facts.id, "amber", "contract-unsigned",
        **_why(N_("%(what)s %(waited)s after the plan was agreed on %(agreed)s; the line is "
                  "%(limit)s"),
               what=what, waited=Days(waited), agreed=plan.agreed, limit=Days(limit)),
        file=_at(path), headline="contract unsigned" if contract else "no contract",
        value=_days(waited), threshold=_days(limit), key_path=key,
    )]


# --- after leaving -----------------------------------------------------------------------


def alert_follow_up_due(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """A closed case is due its follow-up (3, 6, 12 months after closing by default) and
    none is recorded. Always amber: nobody is slipping away, but a return may be missed."""
    learner = facts.learner
    if learner is None or facts.learner_path is None:
        return []
    milestone = open_milestone(learner, ctx.settings.risk.follow_up_months, ctx.today)
    if milestone is None:
        return []
    late = (ctx.today - milestone.due).days
    return [Alert(
        facts.id, "amber", "follow-up-due",
        **_why(N_("the %(months)s-month follow-up was due on %(due)s (%(months)s months after "
                  "the case closed on %(closed)s) and none is recorded: record where the "
                  "learner is with 'pathway follow-up %(learner)s --destination ...'"),
               months=milestone.months, due=milestone.due, closed=learner.closed,
               learner=facts.id),
        file=_at(facts.learner_path), headline=f"{milestone.label} due",
        value=_days(late), threshold=f"{milestone.months} months",
        key_path=("closed",),
    )]


# --- the records themselves --------------------------------------------------------------


def alert_records_invalid(facts: CaseFacts, ctx: Judging) -> list[Alert]:
    """The case has validation errors; alerts from files that could not be read are missing.

    Always amber: nothing is known to be wrong with the learner, only with the records.
    """
    invalid = facts.invalid
    if invalid is None:
        return []
    unread = invalid.unread
    one, more = NP_("; %(files)s could not be read, so alerts from it are missing",
                    "; %(files)s could not be read, so alerts from them are missing")
    skipped: object = Why(one, {"files": ", ".join(unread)}, plural=more,
                          count=len(unread)) if unread else ""
    text, plural = NP_("%(count)s validation error in this case%(unread)s; run "
                       "'pathway validate' on it",
                       "%(count)s validation errors in this case%(unread)s; run "
                       "'pathway validate' on it")
    why = Why(text, {"unread": skipped}, plural=plural, count=invalid.errors)
    return [Alert(
        facts.id, "amber", "records-invalid", str(why), why=why,
        file=_at(invalid.file), line=invalid.line, headline=f"{invalid.errors} record errors",
        value=str(invalid.errors), threshold="0", key_path=invalid.key_path,
    )]


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
                      jobs: int | None = None) -> tuple[list[Alert], int]:
    """``find_alerts`` for a caseload's folders (``facts.open_view``), decided on the facts
    of each case (cached where its folder has not changed; see ``facts.py``), on every core
    when it is big; also the number of learners ``only`` keeps."""
    per_case = decide_folders(view, Judge(view.settings, today), _kept_placed_alerts, only,
                              _facts_with_lines, jobs)
    kept = [alerts for alerts in per_case if alerts is not None]
    return sort_alerts([a for alerts in kept for a in alerts]), len(kept)


def _kept_placed_alerts(facts: CaseFacts, ctx: Judging, only: CaseFilter | None,
                        positions: Positions) -> list[Alert] | None:
    if only is not None and not only.keeps(facts):
        return None
    return placed_alerts(facts, facts_alerts(facts, ctx), positions)


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


def _on_line(alert: Alert, line: int) -> Alert:
    # dataclasses.replace() looks up every field by name: thrice the time, thousands of times
    return Alert(**{**alert.__dict__, "line": line})


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
                placed[index] = _on_line(alerts[index], line)
    positions.done()
    return placed

"""The rules on what reviews record: attendance, well-being, behaviour, course results and
engagement; and the risky windows (``risky_window``), in which the lines are tighter."""

from __future__ import annotations

from datetime import date

from pathway_cli.alerts.values import Alert, Level, Term, Why, _at, _pct, _tighter, _why
from pathway_cli.facts import CaseFacts, Judging, ReviewFacts
from pathway_cli.findings import KeyPath
from pathway_cli.i18n import N_

__all__ = [
    "WELLBEING_RED_AT",
    "alert_attendance_drop",
    "alert_attendance_low",
    "alert_behaviour_incidents",
    "alert_course_failure",
    "alert_engagement_drop",
    "alert_wellbeing_drop",
    "risky_window",
]

# Well-being at or below this after a drop is red: the learner says they are not doing well.
WELLBEING_RED_AT = 2
# Rates are floats: 0.85 - 0.70 is 0.15000000000000002, 0.95 - 0.80 is 0.1499999999999999.
_EPSILON = 1e-9


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
    review = next((r for r in reversed(facts.reviews) if r.attendance is not None), None)
    if review is None:
        return []
    path, rate = review.path, review.attendance
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

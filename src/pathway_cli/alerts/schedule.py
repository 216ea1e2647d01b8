"""The rules on the schedule: reviews, agreed actions and goals overdue, goals at risk, no
plan, the contract unsigned, the follow-up after leaving due (``first_review_due`` says
when a case's first review falls due); and ``records-invalid``, on the records themselves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from pathway_cli.alerts.recorded import risky_window
from pathway_cli.alerts.values import Alert, Days, Level, Term, Why, _at, _days, _tighter, _why
from pathway_cli.facts import (
    CaseFacts,
    GoalFacts,
    Judging,
    PlanFacts,
    ReviewFacts,
    agreed_action_facts,
)
from pathway_cli.findings import KeyPath
from pathway_cli.followups import open_milestone
from pathway_cli.i18n import N_, NP_
from pathway_cli.privacy import Kind, allows

__all__ = [
    "ACTION_RED_DAYS",
    "GOAL_AT_RISK_RED_DAYS",
    "REVIEW_RED_DAYS",
    "Agreed",
    "alert_action_overdue",
    "alert_contract_unsigned",
    "alert_follow_up_due",
    "alert_goal_at_risk",
    "alert_goal_overdue",
    "alert_no_plan",
    "alert_records_invalid",
    "alert_review_overdue",
    "first_review_due",
]

# Fixed lines not (yet) in pathway.yaml; each is explained where it is used.
ACTION_RED_DAYS = 14
GOAL_AT_RISK_RED_DAYS = 14
REVIEW_RED_DAYS = 14


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

"""Warnings on the quality of a plan: goals without a baseline, a plan without an
assessment, support needs and weak skills no goal addresses, low attendance left without
a response."""

from __future__ import annotations

import itertools
import re

from pathway_cli.caseload import Case
from pathway_cli.findings import Finding
from pathway_cli.validation.context import WARNING, Context, _f

__all__ = [
    "check_attendance_response",
    "check_goal_baselines",
    "check_needs_addressed",
    "check_plan_assessment",
    "check_weak_skills",
]


def check_goal_baselines(case: Case, ctx: Context) -> list[Finding]:
    """Warn on a goal without a baseline: progress cannot be measured from nothing."""
    plan = case.plan
    if plan is None or case.plan_file is None:
        return []
    return [
        _f(case.plan_file.path, "goal-no-baseline",
           f"goal {goal.id} has no baseline, so progress towards '{goal.target}' cannot be "
           "measured from a starting point", ("goals", gi), WARNING)
        for gi, goal in enumerate(plan.goals)
        if not goal.baseline
    ]


# Skills of the assessment that a goal of these areas works on; any other skill is
# addressed by a goal that names it.
_SKILL_AREAS = {"social": ("social",), "teamwork": ("social",), "communication": ("social",),
                "career": ("career",)}
_BASIC_AREAS = ("basic-skills", "learning")
_WEAK_SKILL = 2
# Words that make an action or a goal "about attendance".
_ATTENDANCE_WORDS = re.compile(r"attend|absen|truan|punctual|late\b|lateness|on time|"
                               r"school days|mornings", re.IGNORECASE)


def check_plan_assessment(case: Case, ctx: Context) -> list[Finding]:
    """Warn on a plan made without an initial assessment to base it on."""
    if case.plan is None or case.plan_file is None or case.assessment_file is not None:
        return []
    return [_f(case.plan_file.path, "plan-no-assessment",
               "this plan has no initial assessment (assessment.yaml) behind it, so its goals "
               "are not based on the learner's skills and needs", ("agreed",), WARNING)]


def check_needs_addressed(case: Case, ctx: Context) -> list[Finding]:
    """Warn on a support need of the assessment that no goal's support or well-being action
    addresses (by its id in ``needs:``)."""
    plan, assessment = case.plan, case.assessment
    if plan is None or assessment is None or case.assessment_file is None:
        return []
    used = {n for goal in plan.goals for action in goal.support for n in action.needs}
    if plan.wellbeing:
        used.update(n for action in plan.wellbeing.actions for n in action.needs)
    return [
        _f(case.assessment_file.path, "need-not-addressed",
           f"support need {need.id} is in no support line of the plan (no 'needs: "
           f"[{need.id}]' under a goal's support or a well-being action), so nobody is "
           "asked to act on it", ("support_needs", index), WARNING)
        for index, need in enumerate(assessment.support_needs)
        if need.id not in used
    ]


def check_weak_skills(case: Case, ctx: Context) -> list[Finding]:
    """Warn on a skill rated 1 or 2 in the assessment with no open or achieved goal in its
    area (basic skills or learning; social and career for those skills) or naming it."""
    plan, assessment = case.plan, case.assessment
    if plan is None or assessment is None or case.assessment_file is None:
        return []
    goals = [g for g in plan.goals if g.status != "dropped"]
    found = []
    for name, skill in assessment.skills.items():
        if skill.level > _WEAK_SKILL:
            continue
        areas = _SKILL_AREAS.get(name.casefold(), _BASIC_AREAS)
        word = name.casefold()
        if any(g.area in areas or word in f"{g.goal} {g.measure}".casefold() for g in goals):
            continue
        found.append(_f(case.assessment_file.path, "skill-no-goal",
                        f"{name} is rated {skill.level} of 5, but no goal of the plan is in "
                        f"{' or '.join(areas)} or names it", ("skills", name, "level"), WARNING))
    return found


def check_attendance_response(case: Case, ctx: Context) -> list[Finding]:
    """Warn when attendance was below the red line at a review and the next review has no
    action and no goal about attendance."""
    red = ctx.settings.risk.attendance_red
    reviews = case.reviews_with_files
    plan = case.plan
    attendance_goals = {g.id for g in plan.goals if g.area == "attendance"} if plan else set()
    found = []
    for (low, _), (after, loaded) in itertools.pairwise(reviews):
        if low.attendance is None or low.attendance >= red:
            continue
        if attendance_goals.intersection(after.goals) or any(
            _ATTENDANCE_WORDS.search(a.action) for a in after.actions
        ):
            continue
        found.append(_f(loaded.path, "attendance-no-response",
                        f"attendance was {low.attendance:.0%} at the review on {low.date}, below "
                        f"the red line of {red:.0%}, and this next review has no action or goal "
                        "about attendance", ("actions",) if after.actions else ("date",),
                        WARNING))
    return found

"""Rules on a record's state: achieved goals, a closed case, the learner's signature on
the contract, a mentor's training."""

from __future__ import annotations

from pathway_cli.caseload import Case
from pathway_cli.findings import Finding
from pathway_cli.models import MENTOR_ROLES
from pathway_cli.validation.context import WARNING, Context, _f

__all__ = [
    "check_achieved_goals",
    "check_closed_case",
    "check_learner_signature",
    "check_mentor_training",
]


def check_achieved_goals(case: Case, ctx: Context) -> list[Finding]:
    """A goal with status achieved has achieved_on."""
    plan = case.plan
    if plan is None or case.plan_file is None:
        return []
    found = []
    for gi, goal in enumerate(plan.goals):
        if goal.status == "achieved" and goal.achieved_on is None:
            found.append(_f(case.plan_file.path, "goal-achieved-no-date",
                            f"goal {goal.id} is achieved but has no 'achieved_on' date; add the "
                            "date it was achieved", ("goals", gi, "status")))
        elif goal.achieved_on is not None and goal.status != "achieved":
            found.append(_f(case.plan_file.path, "goal-achieved-date-unexpected",
                            f"goal {goal.id} has an 'achieved_on' date but its status is "
                            f"'{goal.status}'", ("goals", gi, "achieved_on"), WARNING))
    return found


def check_closed_case(case: Case, ctx: Context) -> list[Finding]:
    """completed/left cases have closed and outcome; open cases have neither."""
    learner = case.learner
    if learner is None or case.learner_file is None:
        return []
    path = case.learner_file.path
    found = []
    if learner.status == "left" and learner.outcome == "completed":
        found.append(_f(path, "case-outcome-status",
                        "the outcome is 'completed' but the status is 'left'; a learner who "
                        "completed has status completed (or choose another outcome)",
                        ("outcome",), WARNING))
    if learner.is_closed:
        for key in ("closed", "outcome"):
            if getattr(learner, key) is None:
                found.append(_f(path, "case-closed-incomplete",
                                f"the case has status '{learner.status}', so '{key}' is required",
                                ("status",)))
    elif learner.closed is not None:
        found.append(_f(path, "case-closed-incomplete",
                        f"the case has a 'closed' date but status '{learner.status}'; "
                        "set status to completed or left, or remove the date", ("closed",),
                        WARNING))
    return found


def check_learner_signature(case: Case, ctx: Context) -> list[Finding]:
    """Warn on a contract the learner has not signed."""
    contract = case.contract
    if contract is None or case.contract_file is None or contract.signed_by("learner"):
        return []
    return [_f(case.contract_file.path, "contract-no-learner-signature",
               "the learner has not signed this contract yet; it is in force only once learner "
               "and provider have signed (pathway sign ... --party learner)", ("signatures",),
               WARNING)]


def check_mentor_training(case: Case, ctx: Context) -> list[Finding]:
    """Warn on a mentor in the team with no training date (here or in mentors.yaml)."""
    learner = case.learner
    if learner is None or case.learner_file is None:
        return []
    pool = {m.id: m for m in ctx.mentors.mentors} if ctx.mentors else {}
    found = []
    for index, member in enumerate(learner.team):
        if member.role not in MENTOR_ROLES or member.trained:
            continue
        pooled = pool.get(member.id)
        if pooled and pooled.trained:
            continue
        found.append(_f(case.learner_file.path, "mentor-untrained",
                        f"{member.name} ({member.role}) has no training date; mentors are trained "
                        "before they start (add 'trained: YYYY-MM-DD')", ("team", index),
                        WARNING))
    return found

"""One learner's story in date order: opened, assessed, plan, signatures, reviews, goals,
mentors leaving, closing, follow-ups after leaving and coming back.

The timeline is for the team (it names the people who signed and quotes review
summaries) and never includes private notes, incident or follow-up notes, or the
well-being plan.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pathway_cli.alerts import first_review_due
from pathway_cli.caseload import CASES_DIR, Case, Caseload, find_root, load_caseload
from pathway_cli.errors import UserError
from pathway_cli.models import ID_PATTERN, MENTOR_ROLES, Credential, Settings
from pathway_cli.privacy import Kind, allows, shown_member

__all__ = [
    "EVENT_KINDS",
    "Timeline",
    "TimelineEvent",
    "case_timeline",
    "load_case_by_id",
]

# Also the order of events that fall on the same day.
EVENT_KINDS = (
    "programme-start", "opened", "assessed", "plan-agreed", "plan-revised", "signed",
    "contract-in-force", "review", "goal-achieved", "badge", "mentor-ended", "closed",
    "reopened", "follow-up", "next-review",
)
_ORDER = {kind: index for index, kind in enumerate(EVENT_KINDS)}
Detail = str | int | float | bool | dict[str, str] | None


@dataclass(frozen=True)
class TimelineEvent:
    """Something that happened (or, for ``next-review``, is due) on one day."""

    date: date
    kind: str
    text: str
    file: Path
    details: dict[str, Detail] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Timeline:
    """A learner's events, oldest first."""

    learner: str
    name: str
    status: str
    events: tuple[TimelineEvent, ...]


def _credential_text(credential: Credential) -> str:
    return f"{credential.type} '{credential.name}' issued by {credential.issuer}"


def case_timeline(case: Case, settings: Settings, today: date) -> Timeline:
    """The events of one case, in date order (same-day events in the order of EVENT_KINDS)."""
    events: list[TimelineEvent] = []
    add = events.append
    learner = case.learner
    if learner is not None and case.learner_file is not None:
        path = case.learner_file.path
        programme = learner.programme
        if programme is not None and programme.start is not None:
            add(TimelineEvent(programme.start, "programme-start",
                              f"programme started: {programme.title}", path))
        groups = f" ({', '.join(learner.groups)})" if learner.groups else ""
        add(TimelineEvent(learner.opened, "opened", f"case opened{groups}", path,
                          {"status": learner.status}))
        if learner.closed is not None:
            outcome = f": {learner.outcome}" if learner.outcome else ""
            add(TimelineEvent(learner.closed, "closed", f"case closed{outcome}", path,
                              {"outcome": learner.outcome}))
        for past in learner.history:
            add(TimelineEvent(past.closed, "closed", f"case closed: {past.outcome}", path,
                              {"outcome": past.outcome}))
            add(TimelineEvent(past.reopened, "reopened",
                              "case reopened: the learner came back", path))
        for follow_up in learner.follow_ups:
            add(TimelineEvent(follow_up.date, "follow-up",
                              f"follow-up after leaving: {follow_up.destination}", path,
                              {"destination": follow_up.destination}))
        for member in learner.team:
            if member.until is not None and member.role in MENTOR_ROLES:
                reason = f" ({member.end_reason})" if member.end_reason else ""
                add(TimelineEvent(member.until, "mentor-ended",
                                  f"{member.role} {member.name} ended{reason}", path,
                                  {"member": member.id, "end_reason": member.end_reason}))
    assessment = case.assessment
    if assessment is not None and case.assessment_file is not None:
        path = case.assessment_file.path
        needs, skills = len(assessment.support_needs), len(assessment.hidden_skills)
        add(TimelineEvent(
            assessment.date, "assessed",
            f"initial assessment by {assessment.assessor}: {needs} support "
            f"need{'s' if needs != 1 else ''}, {skills} hidden skill{'s' if skills != 1 else ''}",
            path, {"assessor": assessment.assessor, "motivation": assessment.motivation}))
        for skill in assessment.hidden_skills:
            if skill.credential is not None:
                add(TimelineEvent(skill.credential.date, "badge",
                                  f"{_credential_text(skill.credential)} for "
                                  f"'{skill.skill}'", path))
    plan = case.plan
    if plan is not None and case.plan_file is not None:
        path = case.plan_file.path
        add(TimelineEvent(plan.agreed, "plan-agreed",
                          f"plan agreed with {len(plan.goals)} goal"
                          f"{'s' if len(plan.goals) != 1 else ''}", path))
        if plan.revised is not None:
            add(TimelineEvent(plan.revised, "plan-revised", "plan revised", path))
        for goal in plan.goals:
            if goal.status == "achieved" and goal.achieved_on is not None:
                # A well-being goal belongs to the well-being plan: its id only, unless
                # the privacy policy lets the timeline show its words.
                what = (f": {goal.goal}" if goal.area != "wellbeing"
                        or allows(Kind.WELLBEING_GOAL, "timeline") else " (well-being)")
                add(TimelineEvent(goal.achieved_on, "goal-achieved",
                                  f"goal {goal.id} achieved{what}", path,
                                  {"goal": goal.id, "area": goal.area}))
            earned = goal.earned_credential(today)
            if earned is not None:
                add(TimelineEvent(earned.date, "badge",
                                  f"{_credential_text(earned)} for goal {goal.id}",
                                  path, {"goal": goal.id}))
    contract = case.contract
    if contract is not None and case.contract_file is not None:
        path = case.contract_file.path
        for signature in contract.signatures:
            add(TimelineEvent(signature.date, "signed",
                              f"contract signed by the {signature.party} ({signature.name})",
                              path, {"party": signature.party}))
        learner_sig, provider_sig = contract.signed_by("learner"), contract.signed_by("provider")
        if learner_sig is not None and provider_sig is not None:
            add(TimelineEvent(max(learner_sig.date, provider_sig.date), "contract-in-force",
                              f"contract in force ({contract.start} to {contract.end})", path))
    for review, loaded in case.reviews_with_files:
        flagged = [f"{goal_id} {progress.status.replace('-', ' ')}"
                   for goal_id, progress in review.goals.items()
                   if progress.status in ("at-risk", "achieved", "dropped")]
        team = learner.team if learner else []
        present = [m for m in review.with_ if shown_member(team, m, "timeline") is not None]
        text = _review_text(review.kind, present, review.attendance, review.wellbeing,
                            review.engagement)
        if review.incidents is not None and review.incidents.count:
            count = review.incidents.count
            text += f", {count} incident{'s' if count != 1 else ''}"
        if review.results is not None and (review.results.failed or review.results.trend):
            text += f", {review.results.failed} failed" + (
                f" (grades {review.results.trend})" if review.results.trend else "")
        add(TimelineEvent(review.date, "review",
                          text + (f"; {', '.join(flagged)}" if flagged else ""),
                          loaded.path,
                          {"review_kind": review.kind, "with": ", ".join(review.with_),
                           "attendance": review.attendance, "wellbeing": review.wellbeing,
                           "engagement": review.engagement, "summary": review.summary,
                           "incidents": review.incidents.count if review.incidents else None,
                           "failed": review.results.failed if review.results else None,
                           "goals": {g: p.status for g, p in review.goals.items() if p.status}}))
    if learner is not None and not learner.is_closed:
        reviews = case.reviews_with_files
        if reviews:
            last, loaded = reviews[-1]
            due: date | None = last.next_review
            path_due: Path | None = loaded.path
        else:
            due = first_review_due(plan, settings.review_every_days)
            path_due = case.plan_file.path if case.plan_file else None
        if due is not None and path_due is not None:
            late = (today - due).days
            when = f"overdue by {late} day{'s' if late != 1 else ''}" if late > 0 else "due"
            add(TimelineEvent(due, "next-review", f"next review {when}", path_due,
                              {"overdue": late > 0}))
    events.sort(key=lambda e: (e.date, _ORDER[e.kind]))
    return Timeline(
        learner=case.id,
        name=learner.name if learner else case.id,
        status=learner.status if learner else "unknown",
        events=tuple(events),
    )


def _review_text(kind: str, with_: list[str], attendance: float | None,
                 wellbeing: int | None, engagement: int | None) -> str:
    parts = []
    if attendance is not None:
        parts.append(f"attendance {attendance * 100:.0f}%")
    if wellbeing is not None:
        parts.append(f"well-being {wellbeing}/5")
    if engagement is not None:
        parts.append(f"engagement {engagement}/5")
    people = f" with {', '.join(with_)}" if with_ else ""
    return f"{kind}{people}" + (f": {', '.join(parts)}" if parts else "")


def load_case_by_id(caseload_path: Path | None, case_id: str) -> tuple[Caseload, Case]:
    """Load only the case ``case_id`` of the caseload at (or around) ``caseload_path``."""
    if not re.fullmatch(ID_PATTERN, case_id):
        raise UserError(f"'{case_id}' is not a learner id (letters, digits, '.', '_', '-')")
    start = caseload_path if caseload_path is not None else Path.cwd()
    if not start.exists():
        raise UserError(f"{start}: no such folder")
    root = find_root(start)
    if root is None:
        raise UserError(
            f"no caseload found at {start} or above it (a caseload has a pathway.yaml or a "
            "cases/ folder); give it with --caseload"
        )
    folder = root / CASES_DIR / case_id
    if not folder.is_dir():
        cases_dir = root / CASES_DIR
        known = sorted(p.name for p in cases_dir.iterdir() if p.is_dir()) if (
            cases_dir.is_dir()) else []
        close = difflib.get_close_matches(case_id, known, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else None
        raise UserError(f"there is no case '{case_id}' in {cases_dir}", hint=hint)
    caseload = load_caseload([folder])
    case = caseload.case(case_id)
    assert case is not None  # noqa: S101 - the folder was just loaded
    return caseload, case

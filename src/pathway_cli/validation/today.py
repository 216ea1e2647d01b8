"""The rules that read today's date, and the extracts of a case they are decided on.

Each is split in two: an extraction here (a case's models -> the few facts the rule needs)
and a decision in ``pathway_cli.dated`` (facts + today -> findings), so that the cache of
checked cases can keep the facts (``dated_facts``) and decide them again on another day.
"""

from __future__ import annotations

from datetime import date, timedelta

from pathway_cli.caseload import REVIEW_NAME_RE, Case
from pathway_cli.dated import (
    MENTOR_CLOSING_DAYS,
    ConsentFacts,
    DatedFacts,
    MentorEnding,
    PlanDates,
    decide_consent,
    decide_future_dates,
    decide_mentor_endings,
    decide_plan_reviewed,
)
from pathway_cli.findings import Finding
from pathway_cli.models import MENTOR_ROLES
from pathway_cli.validation.context import Context

__all__ = [
    "check_consent",
    "check_dates_plausible",
    "check_mentor_endings",
    "check_plan_reviewed",
    "dated_facts",
]


def _closed_date(case: Case) -> tuple[str, date] | None:
    learner = case.learner
    if learner and case.learner_file and learner.closed:
        return str(case.learner_file.path), learner.closed
    return None


def _review_dates(case: Case) -> tuple[tuple[str, date], ...]:
    return tuple((str(loaded.path), review.date) for review, loaded in case.reviews_with_files)


def check_dates_plausible(case: Case, ctx: Context) -> list[Finding]:
    """Warn on a closing or a review dated after today."""
    return decide_future_dates(_closed_date(case), _review_dates(case), ctx.today)


def _plan_dates(case: Case) -> PlanDates | None:
    learner, plan = case.learner, case.plan
    if learner is None or plan is None or learner.status != "active" or case.plan_file is None:
        return None
    # A review file that fails its shape still says by its name that a review took place.
    reviews = [r.date for r in case.reviews] + _review_dates_from_names(case)
    return PlanDates(str(case.plan_file.path), plan.agreed, max([*reviews, plan.agreed]),
                     bool(reviews))


def check_plan_reviewed(case: Case, ctx: Context) -> list[Finding]:
    """Warn when an active case's plan has not been reviewed within review_every_days."""
    return decide_plan_reviewed(_plan_dates(case), ctx.today, ctx.settings.review_every_days)


def _review_dates_from_names(case: Case) -> list[date]:
    dates = []
    for loaded in case.review_files:
        match = REVIEW_NAME_RE.fullmatch(loaded.path.name)
        if match:
            try:
                dates.append(date.fromisoformat(match.group(1)))
            except ValueError:
                continue
    return dates


def _mentor_endings(case: Case) -> tuple[MentorEnding, ...]:
    learner = case.learner
    if learner is None or case.learner_file is None:
        return ()
    window = timedelta(days=MENTOR_CLOSING_DAYS)
    return tuple(
        MentorEnding(str(case.learner_file.path), index, member.name, member.role, member.until)
        for index, member in enumerate(learner.team)
        if member.role in MENTOR_ROLES and member.until is not None
        and not any(member.id in r.with_ and abs(r.date - member.until) <= window
                    for r in case.reviews)
    )


def check_mentor_endings(case: Case, ctx: Context) -> list[Finding]:
    """Warn when a mentoring relationship ended with no closing review: no review with the
    mentor present within MENTOR_CLOSING_DAYS of its ``until`` date."""
    return decide_mentor_endings(_mentor_endings(case), ctx.today)


def _consent_facts(case: Case) -> ConsentFacts | None:
    learner = case.learner
    if learner is None or case.learner_file is None or learner.is_closed:
        return None
    consent = learner.consent
    processing = consent.data_processing if consent else None
    given = processing is not None and processing.given
    return ConsentFacts(str(case.learner_file.path), given,
                        processing.date if processing is not None else None,
                        consent is not None)


def check_consent(case: Case, ctx: Context) -> list[Finding]:
    """Warn on an open case with no recorded consent to data processing, or one dated later."""
    return decide_consent(_consent_facts(case), ctx.today)


def dated_facts(case: Case) -> DatedFacts:
    """What the rules that depend on today (``DATED_RULES``) need of a case, so that they
    can be decided again on another day without the case (``dated.decide_dated``)."""
    return DatedFacts(_closed_date(case), _review_dates(case), _plan_dates(case),
                      _mentor_endings(case), _consent_facts(case))

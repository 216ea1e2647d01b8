"""The rules that depend on today's date, decided from a small extract of a case.

Each such rule is split in two: an extraction (in ``validation``: a case's models -> the few
dates, ids and places it needs, a ``DatedFacts``) and a decision (here: those facts and today
-> findings). The rule on a loaded case calls both, and the cache of checked cases
(``checked``) keeps the facts and decides again on every run, so a finding that appears or
disappears as the days pass is never taken from yesterday's answer. Nothing here imports the
record models: a warm run decides without them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pathway_cli.findings import Finding, Severity

__all__ = [
    "MENTOR_CLOSING_DAYS",
    "ConsentFacts",
    "DatedFacts",
    "MentorEnding",
    "PlanDates",
    "decide_consent",
    "decide_dated",
    "decide_future_dates",
    "decide_mentor_endings",
    "decide_plan_reviewed",
    "file_path",
]

WARNING = Severity.WARNING
# A mentor's last review counts as the closing review up to this many days either side.
MENTOR_CLOSING_DAYS = 14


@functools.lru_cache(maxsize=65536)
def file_path(text: str) -> Path:
    """The path of a file named in the facts. Facts name files as text (``str(path)``):
    a cached case's facts are read on every run, and most of them never name a finding, so
    a Path is made only for a file a finding is about, and once."""
    return Path(text)


@dataclass(frozen=True)
class PlanDates:
    """An active case's plan: when it was agreed and last reviewed (by a review's date, or by
    the date in a review file's name when the file fails its shape)."""

    path: str
    agreed: date
    last: date
    reviewed: bool


@dataclass(frozen=True)
class MentorEnding:
    """A mentor of the team with an end date and no closing review around it."""

    path: str
    index: int
    name: str
    role: str
    until: date


@dataclass(frozen=True)
class ConsentFacts:
    """An open case's consent to data processing: given or not, and its date."""

    path: str
    given: bool
    dated: date | None
    recorded: bool


@dataclass(frozen=True)
class DatedFacts:
    """What the rules that depend on today need of one case."""

    closed: tuple[str, date] | None = None
    reviews: tuple[tuple[str, date], ...] = ()
    plan: PlanDates | None = None
    mentors: tuple[MentorEnding, ...] = ()
    consent: ConsentFacts | None = None


def decide_future_dates(closed: tuple[str, date] | None,
                        reviews: tuple[tuple[str, date], ...], today: date) -> list[Finding]:
    """A closing or a review dated after today (``date-implausible``)."""
    found = []
    if closed is not None and closed[1] > today:
        found.append(Finding(file_path(closed[0]), "date-implausible",
                             f"the case is closed on {closed[1]}, which is after today "
                             f"({today}); record a closing once it has happened", WARNING,
                             key_path=("closed",)))
    for path, held in reviews:
        if held > today:
            found.append(Finding(file_path(path), "date-implausible",
                                 f"this review is dated {held}, after today ({today}); a review "
                                 "is recorded once it has been held (plan the next one with "
                                 "next_review)", WARNING, key_path=("date",)))
    return found


def decide_plan_reviewed(plan: PlanDates | None, today: date,
                         review_every_days: int) -> list[Finding]:
    """An active case's plan not reviewed within ``review_every_days`` (``plan-not-reviewed``)."""
    if plan is None:
        return []
    days = (today - plan.last).days
    if days <= review_every_days:
        return []
    since = f"the last review on {plan.last}" if plan.reviewed else \
        f"it was agreed on {plan.agreed}"
    return [Finding(file_path(plan.path), "plan-not-reviewed",
                    f"the plan has not been reviewed for {days} days (since {since}); the "
                    f"caseload asks for a review every {review_every_days} days", WARNING,
                    key_path=("agreed",))]


def decide_mentor_endings(endings: tuple[MentorEnding, ...], today: date) -> list[Finding]:
    """A mentoring relationship that has ended with no closing review
    (``mentor-ended-no-review``); one ending later than today has not ended yet."""
    return [
        Finding(file_path(ending.path), "mentor-ended-no-review",
                f"{ending.name} ({ending.role}) ended on {ending.until} with no closing review: "
                f"no review with them within {MENTOR_CLOSING_DAYS} days of that date (a goodbye "
                "matters; record one, and 'pathway match' proposes a new mentor)", WARNING,
                key_path=("team", ending.index, "until"))
        for ending in endings
        if ending.until <= today
    ]


def decide_consent(consent: ConsentFacts | None, today: date) -> list[Finding]:
    """No consent to data processing (``consent-missing``), or one dated after today
    (``consent-future``)."""
    if consent is None:
        return []
    if consent.given:
        if consent.dated is not None and consent.dated > today:
            return [Finding(file_path(consent.path), "consent-future",
                            f"the consent to data processing is dated {consent.dated.isoformat()}"
                            ", after today: reports for this learner are refused until that day "
                            "(check the year)", WARNING,
                            key_path=("consent", "data_processing", "date"))]
        return []
    return [Finding(file_path(consent.path), "consent-missing",
                    "no consent to data processing is recorded (consent.data_processing.given: "
                    "true); reports for this learner will be refused", WARNING,
                    key_path=("consent",) if consent.recorded else ())]


def decide_dated(facts: DatedFacts, today: date, review_every_days: int) -> list[Finding]:
    """Every finding of the rules that depend on today, for one case (unplaced)."""
    return [*decide_future_dates(facts.closed, facts.reviews, today),
            *decide_plan_reviewed(facts.plan, today, review_every_days),
            *decide_mentor_endings(facts.mentors, today),
            *decide_consent(facts.consent, today)]

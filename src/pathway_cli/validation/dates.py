"""Rules on the order of dates, in one file or across the files of a case, and on review
file names (a review's file name is its date)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pathway_cli.caseload import REVIEW_NAME_RE, Case, Loaded
from pathway_cli.findings import Finding
from pathway_cli.validation.context import WARNING, Context, _f, _raw

__all__ = [
    "check_date_order",
    "check_next_review",
    "check_review_names",
    "check_signature_dates",
    "check_team_dates",
]


def _day(loaded: Loaded[Any] | None, *keys: str) -> date | None:
    """A date in a file's parsed data, even when the file's shape has errors elsewhere."""
    value: Any = _raw(loaded)
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, datetime):
        return None  # a date with a time: its own finding says so
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def check_date_order(case: Case, ctx: Context) -> list[Finding]:
    """opened <= plan.agreed <= contract.start <= contract.end; closed on or after opened.

    Dates are read from each file's parsed data, so that an error elsewhere in a file (a
    misspelt status) does not hide a date out of order.
    """
    opened = _day(case.learner_file, "opened")
    agreed = _day(case.plan_file, "agreed")
    found = []
    if case.learner_file and opened:
        path = case.learner_file.path
        closed = _day(case.learner_file, "closed")
        if closed and closed < opened:
            found.append(_f(path, "date-order",
                            f"the case is closed ({closed}) before it was opened "
                            f"({opened})", ("closed",)))
    if case.learner_file:
        start = _day(case.learner_file, "programme", "start")
        expected_end = _day(case.learner_file, "programme", "expected_end")
        if start and expected_end and expected_end < start:
            found.append(_f(case.learner_file.path, "date-order",
                            f"the programme ends ({expected_end}) before it starts "
                            f"({start})", ("programme", "expected_end")))
    if case.plan_file and agreed:
        path = case.plan_file.path
        revised = _day(case.plan_file, "revised")
        if opened and agreed < opened:
            found.append(_f(path, "date-order",
                            f"the plan is agreed ({agreed}) before the case was opened "
                            f"({opened})", ("agreed",)))
        if revised and revised < agreed:
            found.append(_f(path, "date-order",
                            f"the plan is revised ({revised}) before it was agreed "
                            f"({agreed})", ("revised",)))
    contract_start = _day(case.contract_file, "start")
    if case.contract_file and contract_start:
        path = case.contract_file.path
        contract_end = _day(case.contract_file, "end")
        if agreed and contract_start < agreed:
            found.append(_f(path, "date-order",
                            f"the contract starts ({contract_start}) before the plan was agreed "
                            f"({agreed})", ("start",)))
        elif not agreed and opened and contract_start < opened:
            found.append(_f(path, "date-order",
                            f"the contract starts ({contract_start}) before the case was opened "
                            f"({opened})", ("start",)))
        if contract_end and contract_end < contract_start:
            found.append(_f(path, "date-order",
                            f"the contract ends ({contract_end}) before it starts "
                            f"({contract_start})", ("end",)))
    if opened:
        for loaded in case.review_files:
            held = _day(loaded, "date")
            if held and held < opened:
                found.append(_f(loaded.path, "date-order",
                                f"this review ({held}) is before the case was opened "
                                f"({opened})", ("date",)))
    return found


def check_signature_dates(case: Case, ctx: Context) -> list[Finding]:
    """Warn on signatures that cannot be right: before the case was opened or the contract
    began."""
    learner, contract = case.learner, case.contract
    found = []
    if contract and case.contract_file:
        for si, signature in enumerate(contract.signatures):
            if learner and signature.date < learner.opened:
                found.append(_f(case.contract_file.path, "date-implausible",
                                f"the {signature.party} signed on {signature.date}, before the "
                                f"case was opened ({learner.opened}); check the date",
                                ("signatures", si, "date"), WARNING))
            elif signature.date < contract.start:
                found.append(_f(case.contract_file.path, "date-implausible",
                                f"the {signature.party} signed on {signature.date}, before the "
                                f"contract starts ({contract.start}); check both dates",
                                ("signatures", si, "date"), WARNING))
    return found


def check_review_names(case: Case, ctx: Context) -> list[Finding]:
    """A review's file name is its date (with -2, -3... for a second one that day)."""
    found = []
    for loaded in case.review_files:
        match = REVIEW_NAME_RE.fullmatch(loaded.path.name)
        if match is None:
            found.append(Finding(loaded.path, "review-filename",
                                 f"'{loaded.path.name}' is not a review file name; name it after "
                                 "the review's date, e.g. 2026-10-05.yaml (or 2026-10-05-2.yaml "
                                 "for a second review that day)", line=1, column=1))
            continue
        review = loaded.model
        if review is not None and review.date.isoformat() != match.group(1):
            found.append(_f(loaded.path, "review-date-mismatch",
                            f"the review's date {review.date} differs from its file name "
                            f"{loaded.path.name}; they must be the same", ("date",)))
    return found


def check_next_review(case: Case, ctx: Context) -> list[Finding]:
    """next_review comes after the review's date."""
    return [
        _f(loaded.path, "next-review-order",
           f"the next review ({review.next_review}) must come after this review "
           f"({review.date})", ("next_review",))
        for review, loaded in case.reviews_with_files
        if review.next_review <= review.date
    ]


def check_team_dates(case: Case, ctx: Context) -> list[Finding]:
    """A team member's ``until`` is not before ``since``; an earlier closing is reopened
    after it closed; follow-ups come after a closing of the case."""
    learner = case.learner
    if learner is None or case.learner_file is None:
        return []
    path = case.learner_file.path
    found = []
    for index, member in enumerate(learner.team):
        if member.since and member.until and member.until < member.since:
            found.append(_f(path, "date-order",
                            f"{member.name} is in the team until {member.until}, before they "
                            f"joined on {member.since}", ("team", index, "until")))
    for index, past in enumerate(learner.history):
        if past.reopened < past.closed:
            found.append(_f(path, "date-order",
                            f"the case was reopened ({past.reopened}) before it was closed "
                            f"({past.closed})", ("history", index, "reopened")))
    closings = [p.closed for p in learner.history]
    if learner.closed is not None:
        closings.append(learner.closed)
    first = min(closings, default=None)
    for index, follow_up in enumerate(learner.follow_ups):
        if first is None:
            found.append(_f(path, "follow-up-date",
                            f"a follow-up on {follow_up.date}, but the case was never closed; "
                            "follow-ups record where a learner is after leaving",
                            ("follow_ups", index, "date")))
        elif follow_up.date < first:
            found.append(_f(path, "follow-up-date",
                            f"the follow-up on {follow_up.date} is before the case closed "
                            f"({first})", ("follow_ups", index, "date")))
    return found

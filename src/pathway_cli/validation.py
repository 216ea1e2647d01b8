"""Validation rules beyond the shape: references, dates, consistency (FORMAT.md).

Each rule is a small function ``check_x(case, context) -> list[Finding]`` with a stable
rule id, collected in ``CASE_RULES``; ``validate_caseload`` runs them all over every
case, adds what the loader found, and places every finding at its line.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pathway_cli.caseload import (
    CASE_FILES,
    REVIEW_NAME_RE,
    Case,
    Caseload,
    Loaded,
    resolved_path,
)
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
from pathway_cli.findings import (
    Finding,
    KeyPath,
    LineSource,
    Severity,
    ValidationResult,
    sort_findings,
)
from pathway_cli.loader import Source, place_findings
from pathway_cli.locating import stray_findings
from pathway_cli.models import (
    MENTOR_ROLES,
    Assessment,
    Contract,
    Learner,
    MentorPool,
    Plan,
    Review,
    Settings,
    item_mark,
    item_text,
)
from pathway_cli.parallel import map_cases
from pathway_cli.plaintext import control_characters
from pathway_cli.privacy import (
    HealthWords,
    allowed_sections,
    goal_section,
    is_health_professional,
)

__all__ = [
    "CASELOAD_RULES",
    "CASE_RULES",
    "DATED_RULES",
    "CheckedCase",
    "Context",
    "ValidationResult",
    "caseload_findings",
    "check_case",
    "dated_facts",
    "validate_caseload",
    "validate_folders",
    "validation_context",
    "validation_result",
]

WARNING = Severity.WARNING


@dataclass(frozen=True)
class Context:
    """What rules need besides the case: settings, the mentor pool and today's date."""

    settings: Settings
    mentors: MentorPool | None
    today: date


def _f(path: Path, rule: str, message: str, key_path: KeyPath = (),
       severity: Severity = Severity.ERROR) -> Finding:
    return Finding(path, rule, message, severity, key_path=key_path)


# --- structure ---------------------------------------------------------------------------


def check_learner_present(case: Case, ctx: Context) -> list[Finding]:
    """Every case folder needs learner.yaml."""
    if case.learner_file is None:
        return [Finding(case.folder / "learner.yaml", "case-no-learner",
                        f"the case folder '{case.id}' has no learner.yaml; every case needs one "
                        "(run 'pathway new' to make it)", line=1, column=1)]
    return []


def check_stray_files(case: Case, ctx: Context) -> list[Finding]:
    """Files pathway does not know are probably misnamed records."""
    known = [*CASE_FILES, "reviews"]
    found = []
    for path in case.stray_files:
        if path.parent.name == "reviews":
            if path.suffix in (".yaml", ".yml"):
                continue  # reported by check_review_names
            message = (f"'{path.name}' in reviews/ is not a review file; reviews are named "
                       "YYYY-MM-DD.yaml")
        else:
            close = difflib.get_close_matches(path.name, known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            message = f"'{path.name}' is not a record file pathway reads, so it is ignored{hint}"
        found.append(Finding(path, "file-unknown", message, WARNING, line=1, column=1))
    return found


def check_learner_id(case: Case, ctx: Context) -> list[Finding]:
    """learner.id equals the folder name."""
    learner = case.learner
    if learner is not None:
        written: object = learner.id
    else:  # a learner.yaml with other mistakes: its id is still checked (one round)
        data = case.learner_file.source.data if case.learner_file is not None else None
        written = data.get("id") if isinstance(data, dict) else None
        if not isinstance(written, str):
            return []  # missing or not text: the shape check says so
    if written == case.id or case.learner_file is None:
        return []
    return [_f(case.learner_file.path, "id-mismatch",
               f"the id '{written}' differs from the folder name '{case.id}'; they must be "
               "the same (rename one of them)", ("id",))]


# The fields the cross-file rules read (dumping only these keeps a cached caseload fast).
_READ_BY_RULES: dict[type[Any], set[str]] = {
    Learner: {"key_worker", "team", "opened", "closed", "programme"},
    Assessment: {"assessor", "support_needs"},
    Plan: {"agreed", "revised", "goals", "wellbeing"},
    Contract: {"start", "end"},
    Review: {"date", "with_", "goals", "actions"},
}


def _raw(loaded: Loaded[Any] | None) -> dict[str, Any] | None:
    """A record file as plain data, even when its shape has errors (None: unreadable).

    A well-formed file gives its model's values under the keys it was written with (the
    cache of loaded cases keeps models, not parsed text); a file whose shape has errors
    gives what it parsed to, so that its references and dates are still checked.
    """
    if loaded is None:
        return None
    if loaded.model is not None:
        plain = loaded.__dict__.get("_plain")
        if plain is None:
            plain = loaded.model.model_dump(by_alias=True, exclude_unset=True,
                                            include=_READ_BY_RULES.get(type(loaded.model)))
            loaded.__dict__["_plain"] = plain
        return plain  # type: ignore[no-any-return]
    data = loaded.source.data
    if data is None:
        data = loaded.source.recovered  # indented with tabs, but otherwise readable
    return data if isinstance(data, dict) else None


def _items(data: dict[str, Any] | None, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of a list field, with their positions, skipping anything malformed."""
    value = data.get(key) if data else None
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _owners(item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Who does an action: under 'owner', 'by' or both (once when both name one person,
    as a model read from 'by:' has it)."""
    words = [word for word in ("owner", "by") if isinstance(item.get(word), str)]
    if len(words) == 2 and item["owner"] == item["by"]:
        words = ["by"]
    for word in words:
        yield word, item[word]


def _team_refs(case: Case) -> Iterator[tuple[Path, KeyPath, str, str]]:
    """Every team id referenced in the case: (file, key path, id, what refers to it).

    Read from each file's parsed data rather than its model, so that a shape error
    elsewhere in a file (an impossible date, a misspelt status) does not hide a wrong
    reference in it: one run reports both.
    """
    learner = _raw(case.learner_file)
    if learner and case.learner_file and isinstance(learner.get("key_worker"), str):
        yield case.learner_file.path, ("key_worker",), learner["key_worker"], "key worker"
    assessment = _raw(case.assessment_file)
    if assessment and case.assessment_file and isinstance(assessment.get("assessor"), str):
        yield case.assessment_file.path, ("assessor",), assessment["assessor"], "assessor"
    plan = _raw(case.plan_file)
    if plan and case.plan_file:
        path = case.plan_file.path
        for gi, goal in _items(plan, "goals"):
            owner = goal.get("owner")
            if isinstance(owner, str) and owner != "learner":
                yield path, ("goals", gi, "owner"), owner, f"owner of goal {goal.get('id', gi + 1)}"
            for si, action in _items(goal, "support"):
                for word, who in _owners(action):
                    yield path, ("goals", gi, "support", si, word), who, "support action"
        wellbeing = plan.get("wellbeing")
        for ai, action in _items(wellbeing if isinstance(wellbeing, dict) else None, "actions"):
            for word, who in _owners(action):
                yield path, ("wellbeing", "actions", ai, word), who, "well-being action"
    for loaded in case.review_files:
        review = _raw(loaded)
        if review is None:
            continue
        members = review.get("with")
        for wi, member in enumerate(members if isinstance(members, list) else []):
            if isinstance(member, str):
                yield loaded.path, ("with", wi), member, "review participant"
        for ai, action in _items(review, "actions"):
            for word, who in _owners(action):
                if who != "learner":
                    yield loaded.path, ("actions", ai, word), who, "action owner"


def _team(case: Case) -> list[tuple[str, str]] | None:
    """(id, name) of the learner's team, from the model or, failing that, the parsed data."""
    if case.learner is not None:
        return [(m.id, m.name) for m in case.learner.team]
    return [(str(m["id"]), str(m.get("name", ""))) for _, m in _items(_raw(case.learner_file),
                                                                     "team") if "id" in m]


def team_hint(word: str, team: list[tuple[str, str]]) -> str:
    """' (did you mean ...?)' for a team id that matches nothing: by id, or by a person's name."""
    ids = [member_id for member_id, _ in team]
    close = difflib.get_close_matches(word, ids, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    lowered = word.casefold()
    for member_id, name in team:
        parts = [p.casefold() for p in name.split()]
        if lowered == name.casefold() or lowered in parts or difflib.get_close_matches(
            lowered, [name.casefold(), *parts], n=1, cutoff=0.8
        ):
            return f" (did you mean '{member_id}' ({name})?)"
    return ""


def check_team_references(case: Case, ctx: Context) -> list[Finding]:
    """Every team id referenced anywhere exists in the learner's team."""
    team = _team(case)
    if team is None or not case.learner_file:
        return []
    if _raw(case.learner_file) is None:
        return _unchecked("learner.yaml", "the team ids named here",
                          ((path, key_path) for path, key_path, _, _ in _team_refs(case)))
    ids = [member_id for member_id, _ in team]
    found = []
    for path, key_path, member, what in _team_refs(case):
        if member not in ids:
            known = ", ".join(ids) if ids else "nobody yet"
            found.append(_f(path, "team-unknown",
                            f"'{member}' ({what}) is not in the learner's team in "
                            f"learner.yaml{team_hint(member, team)}; the team has: {known}",
                            key_path))
    return found


def _unchecked(unreadable: str, what: str,
               places: Iterable[tuple[Path, KeyPath]]) -> list[Finding]:
    """Say where a cross-file rule could not look, because the file it needs is unreadable.

    One warning a file, at its first reference.
    """
    first: dict[Path, KeyPath] = {}
    for path, key_path in places:
        first.setdefault(path, key_path)
    return [_f(path, "reference-unchecked",
               f"{what} could not be checked, because {unreadable} could not be read (fix its "
               "errors first)", key_path, WARNING)
            for path, key_path in first.items()]


def _action_owner_words(case: Case) -> Iterator[tuple[Path, KeyPath]]:
    """Where an action says who does it with 'by:' (plan support, well-being, reviews)."""
    plan = _raw(case.plan_file)
    if plan and case.plan_file:
        for gi, goal in _items(plan, "goals"):
            for si, action in _items(goal, "support"):
                if "by" in action:
                    yield case.plan_file.path, ("goals", gi, "support", si, "by")
        wellbeing = plan.get("wellbeing")
        for ai, action in _items(wellbeing if isinstance(wellbeing, dict) else None, "actions"):
            if "by" in action:
                yield case.plan_file.path, ("wellbeing", "actions", ai, "by")
    for loaded in case.review_files:
        for ai, action in _items(_raw(loaded), "actions"):
            if "by" in action:
                yield loaded.path, ("actions", ai, "by")


def check_owner_word(case: Case, ctx: Context) -> list[Finding]:
    """Warn on 'by:' for who does an action: 'owner:' is the one word for goals and actions."""
    return [
        replace(_f(path, "owner-word",
                   "write 'owner:' here, the word goals and review actions use for who does "
                   "it ('by:' is the older word and still read)", key_path, WARNING),
                on_key=True)
        for path, key_path in _action_owner_words(case)
    ]


def _duplicates(values: Iterable[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield index, value
        seen.add(value)


def check_unique_ids(case: Case, ctx: Context) -> list[Finding]:
    """Team ids, goal ids and support-need ids are unique in the case."""
    found = []
    if case.learner and case.learner_file:
        for index, value in _duplicates(m.id for m in case.learner.team):
            found.append(_f(case.learner_file.path, "team-duplicate",
                            f"the team id '{value}' is used twice; give each person their own id",
                            ("team", index, "id")))
    if case.plan and case.plan_file:
        for index, value in _duplicates(g.id for g in case.plan.goals):
            found.append(_f(case.plan_file.path, "goal-duplicate",
                            f"the goal id '{value}' is used twice; each goal needs its own id",
                            ("goals", index, "id")))
    if case.assessment and case.assessment_file:
        for index, value in _duplicates(n.id for n in case.assessment.support_needs):
            found.append(_f(case.assessment_file.path, "need-duplicate",
                            f"the support-need id '{value}' is used twice",
                            ("support_needs", index, "id")))
    return found


def check_goal_references(case: Case, ctx: Context) -> list[Finding]:
    """Every goal id in a review exists in the plan."""
    if not case.review_files:
        return []
    plan = case.plan
    goal_ids: list[str] | None = []
    if plan is not None:
        goal_ids = [g.id for g in plan.goals]
    elif case.plan_file is not None:
        goal_ids = _raw_goal_ids(_raw(case.plan_file))
    reviews = [(loaded, data) for loaded in case.review_files
               if isinstance(data := _raw(loaded), dict) and isinstance(data.get("goals"), dict)]
    if goal_ids is None:
        return _unchecked("plan.yaml", "the goals named here",
                          [(loaded.path, ("goals",)) for loaded, _ in reviews])
    found = []
    for loaded, data in reviews:
        for goal_id in data["goals"]:
            if str(goal_id) not in goal_ids:
                close = difflib.get_close_matches(str(goal_id), goal_ids, n=1, cutoff=0.5)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                where = "plan.yaml" if case.plan_file else "a plan (there is no plan.yaml yet)"
                found.append(Finding(loaded.path, "goal-unknown",
                                     f"the goal '{goal_id}' is not in {where}{hint}",
                                     key_path=("goals", str(goal_id)), on_key=True))
    return found


def _raw_goal_ids(data: object) -> list[str] | None:
    """Goal ids of a plan whose shape is wrong elsewhere, so references can still be checked."""
    if not isinstance(data, dict) or not isinstance(data.get("goals"), list):
        return None
    return [str(g["id"]) for g in data["goals"] if isinstance(g, dict) and "id" in g]


def check_need_references(case: Case, ctx: Context) -> list[Finding]:
    """Every ``needs:`` id in the plan exists among the assessment's support needs."""
    plan = _raw(case.plan_file)
    if plan is None or case.plan_file is None:
        return []
    path = case.plan_file.path
    refs: list[tuple[KeyPath, str]] = []
    for gi, goal in _items(plan, "goals"):
        for si, action in _items(goal, "support"):
            refs.extend((("goals", gi, "support", si, "needs", ni), str(n))
                        for ni, n in enumerate(_list(action.get("needs"))))
    wellbeing = plan.get("wellbeing")
    for ai, action in _items(wellbeing if isinstance(wellbeing, dict) else None, "actions"):
        refs.extend((("wellbeing", "actions", ai, "needs", ni), str(n))
                    for ni, n in enumerate(_list(action.get("needs"))))
    if not refs:
        return []
    if case.assessment is not None:
        need_ids = [n.id for n in case.assessment.support_needs]
    elif case.assessment_file is None:
        need_ids = []
    else:
        raw_needs = _items(_raw(case.assessment_file), "support_needs")
        if _raw(case.assessment_file) is None:
            return _unchecked("assessment.yaml", "the support needs named here",
                              [(path, key_path) for key_path, _ in refs])
        need_ids = [str(n["id"]) for _, n in raw_needs if "id" in n]
    found = []
    for key_path, need in refs:
        if need not in need_ids:
            known = ", ".join(need_ids) or "none"
            found.append(_f(path, "need-unknown",
                            f"the support need '{need}' is not in assessment.yaml "
                            f"(its support needs: {known})", key_path))
    return found


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


# --- dates -------------------------------------------------------------------------------


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


# --- status consistency ------------------------------------------------------------------


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


# --- warnings ----------------------------------------------------------------------------


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


# --- plan quality ------------------------------------------------------------------------

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


def _control_findings(source: Source) -> list[Finding]:
    """Text values holding control characters (only a double-quoted escape can make one)."""
    text = source.text
    if "\\" not in text and "\x85" not in text:
        return []  # the fast path: YAML refuses raw control characters in a file
    if source.data is None:  # (a cached source parses its text again only here)
        return []
    found: list[Finding] = []

    def walk(value: Any, path: KeyPath) -> None:
        if isinstance(value, str):
            codes = control_characters(value)
            if codes:
                shown = ", ".join(f"0x{ord(c):02x}" for c in codes)
                found.append(_f(source.path, "text-control-characters",
                                f"this text holds control characters ({shown}) that can change "
                                "what a terminal shows; remove them (pathway leaves them out "
                                "when it prints or exports the text)", path, WARNING))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and control_characters(key):
                    walk(key, path)
                walk(item, (*path, key) if isinstance(key, str | int) else path)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(source.data, ())
    return found


def check_control_characters(case: Case, ctx: Context) -> list[Finding]:
    """Warn about escape sequences and other control characters in record text."""
    return [f for loaded in case.files() for f in _control_findings(loaded.source)]


def _outside_readers(case: Case, ctx: Context) -> list[tuple[str, frozenset[str]]]:
    """Guardian and employer, when the learner's consent shares reports with them, each
    with the report sections the settings give them."""
    learner = case.learner
    shared = learner.consent.share_with if learner and learner.consent else []
    return [(audience, allowed_sections(ctx.settings, audience))
            for audience in ("guardian", "employer") if audience in shared]


def check_health_details(case: Case, ctx: Context) -> list[Finding]:
    """Warn when a commitment, entitlement, support item or review summary that reaches the
    guardian or the employer mentions a health need's words or a health professional of the
    team."""
    readers = _outside_readers(case, ctx)
    learner = case.learner
    if not readers or learner is None:
        return []
    words = HealthWords.of(case.assessment.support_needs if case.assessment else (),
                           learner.team)
    health_needs = {n.id for n in case.assessment.support_needs
                    if n.is_sensitive} if case.assessment else set()
    found = []

    def warn(path: Path, key: KeyPath, text: str, what: str, sections: set[str]) -> None:
        reached = [audience for audience, given in readers if given & sections]
        mention = words.mention(text)
        if reached and mention:
            how = ("write it as {text: ..., sensitive: personal}" if what != "support item"
                   else "add 'sensitive: personal' to it")
            found.append(_f(
                path, "health-detail-shared",
                f"this {what} reaches the {' and the '.join(reached)} in reports, and "
                f"{mention}; to keep it to the team and the learner, {how}, or leave the "
                "health detail out", key, WARNING))

    contract = case.contract
    if contract is not None and case.contract_file is not None:
        for key in ("learner_commits", "provider_commits", "entitlements"):
            for index, item in enumerate(getattr(contract, key)):
                if item_mark(item) is None:
                    what = "entitlement" if key == "entitlements" else "commitment"
                    warn(case.contract_file.path, (key, index), item_text(item), what,
                         {"contract"})
    plan = case.plan
    if plan is not None and case.plan_file is not None:
        for g_index, goal in enumerate(plan.goals):
            for s_index, support in enumerate(goal.support):
                hidden = (item_mark(support) is not None or health_needs & set(support.needs)
                          or is_health_professional(learner.member(support.owner or "")))
                if not hidden:
                    warn(case.plan_file.path, ("goals", g_index, "support", s_index, "action"),
                         support.action, "support item",
                         {"plan", goal_section(goal.area)})
    for review, loaded in case.reviews_with_files:
        summary = review.summary
        if summary is None:
            continue
        reached = [audience for audience, given in readers if "reviews" in given]
        mention = words.mention(summary)
        if reached and mention:
            found.append(_f(
                loaded.path, "health-detail-shared",
                f"this review's summary reaches the {' and the '.join(reached)} in reports, "
                f"and {mention}; move the health detail to private_notes (kept to the team), "
                "or leave it out", ("summary",), WARNING))
    return found


def check_report_language(case: Case, ctx: Context) -> list[Finding]:
    """The learner's report_language is a language pathway has reports in."""
    learner = case.learner
    if learner is None or case.learner_file is None or learner.report_language is None:
        return []
    from pathway_cli.i18n import language_problem  # Babel: only for a learner who has one

    problem = language_problem(learner.report_language, pair=True)
    if problem is None:
        return []
    return [_f(case.learner_file.path, "report-language-unknown", problem,
               ("report_language",))]


CaseRule = Callable[[Case, Context], list[Finding]]

CASE_RULES: list[CaseRule] = [
    check_learner_present,
    check_stray_files,
    check_learner_id,
    check_team_references,
    check_owner_word,
    check_unique_ids,
    check_goal_references,
    check_need_references,
    check_date_order,
    check_signature_dates,
    check_dates_plausible,
    check_review_names,
    check_next_review,
    check_achieved_goals,
    check_closed_case,
    check_goal_baselines,
    check_plan_reviewed,
    check_learner_signature,
    check_mentor_training,
    check_consent,
    check_control_characters,
    check_health_details,
    check_report_language,
    check_plan_assessment,
    check_needs_addressed,
    check_weak_skills,
    check_attendance_response,
    check_mentor_endings,
    check_team_dates,
]


# The rules that read today's date: the cache of checked cases never keeps their findings,
# it keeps ``dated_facts`` and decides them again on every run (``dated.decide_dated``).
DATED_RULES: frozenset[CaseRule] = frozenset({
    check_dates_plausible, check_plan_reviewed, check_mentor_endings, check_consent,
})


# --- caseload-wide -----------------------------------------------------------------------


def check_thresholds(caseload: Caseload, ctx: Context) -> list[Finding]:
    """The red attendance line lies below the amber one; red counts are not below amber."""
    risk = ctx.settings.risk
    if caseload.settings_file is None:
        return []
    path = caseload.settings_file.path
    found = []
    if risk.attendance_red > risk.attendance_amber:
        found.append(_f(path, "settings-thresholds",
                        f"attendance_red ({risk.attendance_red:.0%}) is above attendance_amber "
                        f"({risk.attendance_amber:.0%}); red must be the lower line",
                        ("risk", "attendance_red")))
    for red, amber in (("incidents_red", "incidents_amber"), ("failed_red", "failed_amber")):
        if getattr(risk, red) < getattr(risk, amber):
            found.append(_f(path, "settings-thresholds",
                            f"{red} ({getattr(risk, red)}) is below {amber} "
                            f"({getattr(risk, amber)}); red needs at least as many",
                            ("risk", red)))
    return found


def check_mentor_pool(caseload: Caseload, ctx: Context) -> list[Finding]:
    """Mentor ids are unique in mentors.yaml."""
    pool = caseload.mentors
    if pool is None or caseload.mentors_file is None:
        return []
    return [
        _f(caseload.mentors_file.path, "mentor-duplicate",
           f"the mentor id '{value}' is used twice", ("mentors", index, "id"))
        for index, value in _duplicates(m.id for m in pool.mentors)
    ]


def check_locale(caseload: Caseload, ctx: Context) -> list[Finding]:
    """The team's locale is a language pathway has reports in."""
    from pathway_cli.i18n import language_problem

    problem = language_problem(ctx.settings.locale)
    if caseload.settings_file is None or problem is None:
        return []
    return [_f(caseload.settings_file.path, "locale-unknown", problem, ("locale",))]


CaseloadRule = Callable[[Caseload, Context], list[Finding]]


def check_settings_text(caseload: Caseload, ctx: Context) -> list[Finding]:
    """Control characters in pathway.yaml and mentors.yaml, as in the records."""
    return [f for loaded in (caseload.settings_file, caseload.mentors_file) if loaded is not None
            for f in _control_findings(loaded.source)]


# Caseload rules see the settings and the mentor pool only: on a big caseload the cases are
# checked in worker processes (validate_folders) and caseload.cases stays empty.
CASELOAD_RULES: list[CaseloadRule] = [check_thresholds, check_mentor_pool, check_settings_text,
                                      check_locale]


# --- running -----------------------------------------------------------------------------


# Rules that only ever warn: skipped where only errors count (the records-invalid alert
# runs the rules on every open case, and these are a third of their cost).
WARNING_RULES: frozenset[CaseRule] = frozenset({
    check_stray_files, check_goal_baselines, check_plan_reviewed, check_learner_signature,
    check_mentor_training, check_consent, check_health_details, check_plan_assessment,
    check_needs_addressed, check_weak_skills, check_attendance_response, check_mentor_endings,
})


def case_findings(case: Case, ctx: Context, *, errors_only: bool = False) -> list[Finding]:
    """Reading problems and rule findings of one case (unplaced); with ``errors_only``, the
    rules that only ever warn are skipped (their findings would be left out anyway)."""
    found = case.findings
    for rule in CASE_RULES:
        if errors_only and rule in WARNING_RULES:
            continue
        found.extend(rule(case, ctx))
    return found


@dataclass
class CheckedCase:
    """One case checked: its findings, placed, and the files they are about."""

    findings: list[Finding]
    sources: dict[Path, Source]
    files: int


def check_case(case: Case, ctx: Context, only_files: frozenset[Path] | None = None,
               *, keep_sources: bool = True) -> CheckedCase:
    """Every finding of one case, placed at its line (only of ``only_files``, when named).

    Without ``keep_sources`` only the sources that have findings are kept, which is what a
    worker process sends back.
    """
    found = case_findings(case, ctx)
    sources = {loaded.source.path: loaded.source for loaded in case.files()}
    if only_files is not None:
        found = [f for f in found if resolved_path(f.file) in only_files]
    placed = place_findings(sources, found)
    files = len(sources)
    if not keep_sources:
        about = {f.file for f in placed}
        sources = {path: source for path, source in sources.items() if path in about}
    return CheckedCase(placed, sources, files)


def validation_context(caseload: Caseload, today: date) -> Context:
    """What every rule needs besides the case."""
    return Context(caseload.settings, caseload.mentors, today)


def validate_caseload(caseload: Caseload, today: date) -> ValidationResult:
    """Run every rule over every case; one run reports every problem in every file."""
    ctx = validation_context(caseload, today)
    checked = [check_case(case, ctx, caseload.only_files) for case in caseload.cases]
    return validation_result(caseload, ctx, checked)


def validate_folders(caseload: Caseload, today: date,
                     jobs: int | None = None) -> ValidationResult:
    """``validate_caseload`` for an opened caseload (``open_caseload``), on every core when
    it is big: workers load and check the case folders and send back their findings."""
    ctx = validation_context(caseload, today)
    checked = map_cases(caseload, _check_sent_back, (ctx, caseload.only_files), jobs)
    return validation_result(caseload, ctx, checked)


def _check_sent_back(case: Case, argument: tuple[Context, frozenset[Path] | None]) -> CheckedCase:
    ctx, only_files = argument
    return check_case(case, ctx, only_files, keep_sources=False)


def caseload_findings(caseload: Caseload,
                      ctx: Context) -> tuple[list[Finding], dict[Path, Source]]:
    """Findings about pathway.yaml and mentors.yaml (reading problems and the caseload rules),
    placed, with those two files' sources; all of them, whatever files were named."""
    findings = list(caseload.findings)
    sources: dict[Path, Source] = {}
    for loaded in (caseload.settings_file, caseload.mentors_file):
        if loaded is not None:
            findings.extend(loaded.source.findings)
            sources[loaded.source.path] = loaded.source
    for rule in CASELOAD_RULES:
        findings.extend(rule(caseload, ctx))
    return place_findings(sources, findings), sources


def validation_result(caseload: Caseload, ctx: Context,
                      checked: Iterable[CheckedCase]) -> ValidationResult:
    """The result of a run: the caseload-wide findings and those of each checked case."""
    found, sources = caseload_findings(caseload, ctx)
    findings: list[Finding] = [*found, *stray_findings(caseload.strays)]
    if caseload.only_files is not None:
        findings = [f for f in findings if resolved_path(f.file) in caseload.only_files]
    all_sources: dict[Path, LineSource] = dict(sources)
    files = len(sources)
    for case in checked:
        findings.extend(case.findings)
        all_sources.update(case.sources)
        files += case.files
    if caseload.only_files is not None:
        files = len(caseload.only_files)
    return ValidationResult(sort_findings(findings), files, all_sources)

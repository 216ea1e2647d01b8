"""Programme evaluation: is the support working, and was it delivered as promised?

Figures over the cases open at any time in a period (opened on or before its end, not
closed before its start), each with its numerator and denominator so that a reader can
check it and a region can add up the figures of many teams:

- outcomes of the cases closed in the period, and retention 90, 180 and 365 days after
  opening (only cases opened long enough before the period's end count);
- timeliness: days from opening to the assessment, the agreed plan and the contract in
  force (median and quartiles), plans agreed within ``no_plan_days``, reviews held within
  the grace of their due date;
- goals achieved, dropped and overdue, by area;
- change of attendance and well-being from the first to the latest review;
- mentor coverage and the length of mentoring;
- each key worker's workload today: open cases, alerts, reviews due in the next 14 days.

Every definition is in the README's table, and ``docs/evaluate.sql`` computes each
figure again with DuckDB from the pseudonymised export (the tests require equal numbers).
Events dated after the period's end are ignored, so a past period gives the figures it
would have given then (goal statuses and the workload are as recorded now).

For an audience outside the team (``leadership``, ``funder``), ``for_audience`` suppresses
every cell built on fewer than five learners and replaces key-worker ids by numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal, NamedTuple

from pathway_cli.caseload import Case, Caseload
from pathway_cli.errors import UserError
from pathway_cli.models import MENTOR_ROLES, OPEN_GOAL_STATUSES, Learner, Outcome, Settings
from pathway_cli.parallel import map_cases
from pathway_cli.privacy import shown_member
from pathway_cli.summary import LearnerSummary, kept_case_summary
from pathway_cli.validation import Context

__all__ = [
    "BY_CHOICES",
    "EVALUATION_AUDIENCES",
    "GOAL_AREAS",
    "MIN_CELL",
    "OUTCOMES",
    "RETENTION_DAYS",
    "SECTIONS",
    "WORKLOAD_DAYS",
    "By",
    "Evaluation",
    "EvaluationAudience",
    "Figure",
    "cases_text",
    "cohort_of",
    "denominator_text",
    "evaluate_caseload",
    "for_audience",
    "numerator_text",
    "quantile",
    "value_text",
]

By = Literal["group", "key-worker", "mode", "sector", "cohort"]
BY_CHOICES: tuple[By, ...] = ("group", "key-worker", "mode", "sector", "cohort")
EvaluationAudience = Literal["team", "leadership", "funder"]
EVALUATION_AUDIENCES: tuple[EvaluationAudience, ...] = ("team", "leadership", "funder")
OUTCOMES: tuple[Outcome, ...] = Outcome.__args__  # type: ignore[attr-defined]
RETENTION_DAYS = (90, 180, 365)
# "Reviews due in the next 14 days": today and the 13 days after it.
WORKLOAD_DAYS = 14
# Cells built on fewer learners than this are suppressed for audiences outside the team.
MIN_CELL = 5
ALL = "all"
NONE = "(none)"
SECTIONS = {
    "outcomes": "Outcomes and retention",
    "timeliness": "Support delivered as promised",
    "goals": "Goals",
    "change": "Attendance and well-being",
    "mentoring": "Mentoring",
    "workload": "Key-worker workload today",
}


@dataclass(frozen=True)
class Figure:
    """One figure for one group of learners.

    ``numerator`` of ``denominator`` is the figure itself (a share) or, for a figure with
    a ``median``, how many of the denominator could be measured. ``learners`` and
    ``base_learners`` count the distinct learners behind the numerator and the
    denominator (a goal or a review figure counts goals or reviews): suppression for
    audiences outside the team goes by them.
    """

    id: str
    section: str
    label: str
    group: str
    numerator: int
    denominator: int
    learners: int
    base_learners: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    unit: str = ""
    suppressed: bool = False

    @property
    def share(self) -> float | None:
        """numerator / denominator (None when the denominator is 0 or suppressed)."""
        if self.suppressed or self.denominator == 0:
            return None
        return self.numerator / self.denominator

    @property
    def is_distribution(self) -> bool:
        """True for a figure reported as a median and quartiles."""
        return bool(self.unit)


@dataclass(frozen=True)
class Evaluation:
    """The figures of one period, for one audience."""

    start: date
    end: date
    today: date
    by: By | None
    audience: EvaluationAudience
    cases: int
    figures: tuple[Figure, ...]
    groups: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    review_grace_days: int = 7
    no_plan_days: int = 28
    review_every_days: int = 28

    def figure(self, figure_id: str, group: str = ALL) -> Figure | None:
        """The figure with this id for this group, if there is one."""
        return next((f for f in self.figures if f.id == figure_id and f.group == group), None)

    def section(self, name: str) -> list[Figure]:
        """The figures of one section, in order."""
        return [f for f in self.figures if f.section == name]


# --- one case, reduced to what the figures need ------------------------------------------


# Named tuples, not dataclasses: worker processes send these back, and a tuple pickles in a
# third of the time of a dataclass with its __dict__ (measured on 2,000 learners).
class _Review(NamedTuple):
    held: date
    kind: str
    attendance: float | None
    wellbeing: int | None
    next_review: date


class _Goal(NamedTuple):
    area: str
    status: str
    due: date


class _Facts(NamedTuple):
    """One learner as of the period's end: what happened by then."""

    id: str
    opened: date
    closed: date | None
    status: str
    outcome: str | None
    groups: tuple[str, ...]
    key_worker: str
    mode: str
    sector: str
    cohort: str
    assessed: date | None
    plan_agreed: date | None
    contract_in_force: date | None
    first_review_due: date | None
    reviews: tuple[_Review, ...]
    goals: tuple[_Goal, ...]
    mentored: bool

    def in_period(self, start: date, end: date) -> bool:
        return self.opened <= end and (self.closed is None or self.closed >= start)

    def closed_in(self, start: date, end: date) -> bool:
        return self.closed is not None and start <= self.closed <= end

    def group_values(self, by: By) -> tuple[str, ...]:
        if by == "group":
            return self.groups or (NONE,)
        return ({"key-worker": self.key_worker, "mode": self.mode, "sector": self.sector,
                 "cohort": self.cohort}[by],)


def cohort_of(opened: date) -> str:
    """The school year a case was opened in (1 August to 31 July), e.g. ``2026/27``."""
    year = opened.year if opened.month >= 8 else opened.year - 1
    return f"{year}/{(year + 1) % 100:02d}"


def _before(day: date | None, end: date) -> date | None:
    return day if day is not None and day <= end else None


def _facts(case: Case, learner: Learner, settings: Settings, end: date) -> _Facts:
    programme = learner.programme
    plan = case.plan
    agreed = _before(plan.agreed if plan else None, end)
    closed = _before(learner.closed, end) if learner.is_closed else None
    reviews = tuple(
        _Review(r.date, r.kind, r.attendance, r.wellbeing, r.next_review)
        for r in case.reviews if r.date <= end
    )
    goals = tuple(_Goal(g.area, g.status, g.due) for g in plan.goals) if plan and agreed else ()
    return _Facts(
        id=case.id,
        opened=learner.opened,
        closed=closed,
        status=learner.status if closed is not None or not learner.is_closed else "active",
        outcome=learner.outcome if closed is not None else None,
        groups=tuple(learner.groups),
        # The figures leave the team like an export: a health professional is not named.
        key_worker=shown_member(learner.team, learner.key_worker, "export") or NONE,
        mode=(programme.mode if programme else None) or NONE,
        sector=(programme.sector if programme else None) or NONE,
        cohort=cohort_of(learner.opened),
        assessed=_before(case.assessment.date if case.assessment else None, end),
        plan_agreed=agreed,
        contract_in_force=_before(case.contract.in_force_on if case.contract else None, end),
        first_review_due=(agreed + timedelta(days=settings.review_every_days)
                          if agreed else None),
        reviews=reviews,
        goals=goals,
        mentored=any(m.role in MENTOR_ROLES for m in learner.team),
    )


def _consented(learner: Learner) -> bool:
    consent = learner.consent
    return bool(consent and consent.data_processing and consent.data_processing.given)


# --- statistics --------------------------------------------------------------------------


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile with linear interpolation between the closest ranks.

    The same as DuckDB's ``quantile_cont`` and numpy's default, so the SQL check agrees.
    """
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


@dataclass
class _Builder:
    """Collects the figures of one group of learners."""

    group: str
    figures: list[Figure] = field(default_factory=list)

    def share(self, figure_id: str, section: str, label: str,
              hits: Iterable[str], base: Iterable[str],
              counted: tuple[int, int] | None = None) -> None:
        """A share: learner ids in the numerator and the denominator (repeats are events:
        reviews or goals, and ``counted`` gives their numbers when they are not learners)."""
        hit_list, base_list = list(hits), list(base)
        numerator, denominator = counted or (len(hit_list), len(base_list))
        self.figures.append(Figure(figure_id, section, label, self.group, numerator,
                                   denominator, len(set(hit_list)), len(set(base_list))))

    def distribution(self, figure_id: str, section: str, label: str, unit: str,
                     values: dict[str, float], base: Sequence[str]) -> None:
        """Median and quartiles of one value a learner, over the learners that have one."""
        measured = list(values.values())
        self.figures.append(Figure(
            figure_id, section, label, self.group, len(measured), len(base), len(measured),
            len(set(base)), quantile(measured, 0.5), quantile(measured, 0.25),
            quantile(measured, 0.75), unit,
        ))


# --- the figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    start: date
    end: date
    grace: int
    no_plan_days: int


def _outcomes(b: _Builder, cases: Sequence[_Facts], p: _Period) -> None:
    ids = [c.id for c in cases]
    closed = [c for c in cases if c.closed_in(p.start, p.end)]
    closed_ids = [c.id for c in closed]
    b.share("closed", "outcomes", "Cases closed in the period", closed_ids, ids)
    for status, label in (("completed", "Closed as completed"), ("left", "Closed as left")):
        b.share(f"closed.{status}", "outcomes", label,
                [c.id for c in closed if c.status == status], closed_ids)
    for outcome in OUTCOMES:
        b.share(f"outcome.{outcome}", "outcomes", f"Outcome: {outcome}",
                [c.id for c in closed if c.outcome == outcome], closed_ids)
    b.share("outcome.not-recorded", "outcomes", "Outcome not recorded",
            [c.id for c in closed if c.outcome is None], closed_ids)
    for days in RETENTION_DAYS:
        old_enough = [c for c in cases if c.opened + timedelta(days=days) <= p.end]
        kept = [c.id for c in old_enough
                if not (c.status == "left" and c.closed is not None
                        and c.closed < c.opened + timedelta(days=days))]
        b.share(f"retention.{days}d", "outcomes", f"Still in the programme after {days} days",
                kept, [c.id for c in old_enough])


def _timeliness(b: _Builder, cases: Sequence[_Facts], p: _Period) -> None:
    ids = [c.id for c in cases]
    steps: tuple[tuple[str, str, Callable[[_Facts], date | None]], ...] = (
        ("time.assessment", "Days from opening to the assessment", lambda c: c.assessed),
        ("time.plan", "Days from opening to the agreed plan", lambda c: c.plan_agreed),
        ("time.contract", "Days from opening to the contract in force",
         lambda c: c.contract_in_force),
    )
    for figure_id, label, step in steps:
        values: dict[str, float] = {}
        for case in cases:
            day = step(case)
            if day is not None:
                values[case.id] = float((day - case.opened).days)
        b.distribution(figure_id, "timeliness", label, "days", values, ids)
    old_enough = [c for c in cases if c.opened + timedelta(days=p.no_plan_days) <= p.end]
    b.share("plan.on-time", "timeliness", f"Plan agreed within {p.no_plan_days} days",
            [c.id for c in old_enough if c.plan_agreed is not None
             and (c.plan_agreed - c.opened).days <= p.no_plan_days],
            [c.id for c in old_enough])
    due, held = _reviews_due(cases, p)
    b.share("reviews.on-time", "timeliness",
            f"Reviews held on time (within {p.grace} days of the due date)",
            held, due, counted=(len(held), len(due)))


def _reviews_due(cases: Sequence[_Facts], p: _Period) -> tuple[list[str], list[str]]:
    """Learner ids of every review due in the period (once a due date) and of those held
    on time. A due date counts once its grace has passed by the period's end and while
    the case was open; the review that answers it is the next one recorded."""
    due: list[str] = []
    held: list[str] = []
    for case in cases:
        setters: list[tuple[date, date | None]] = []  # (due date, the review answering it)
        if case.first_review_due is not None:
            first = case.reviews[0].held if case.reviews else None
            setters.append((case.first_review_due, first))
        for index, review in enumerate(case.reviews):
            answer = case.reviews[index + 1].held if index + 1 < len(case.reviews) else None
            setters.append((review.next_review, answer))
        for day, answer in setters:
            deadline = day + timedelta(days=p.grace)
            if day < p.start or deadline > p.end:
                continue
            if case.closed is not None and day >= case.closed:
                continue
            due.append(case.id)
            if answer is not None and answer <= deadline:
                held.append(case.id)
    return due, held


GOAL_AREAS = ("learning", "career", "wellbeing", "attendance", "basic-skills", "social")


def _goals(b: _Builder, cases: Sequence[_Facts], p: _Period) -> None:
    # One pass over the goals (not one an area): each goal counts in its area and in "all".
    buckets: dict[str, dict[str, list[str]]] = {
        area: {"base": [], "achieved": [], "dropped": [], "overdue": []}
        for area in (*GOAL_AREAS, ALL)}
    for case in cases:
        for goal in case.goals:
            if goal.status in ("achieved", "dropped"):
                what: str | None = goal.status
            elif goal.status in OPEN_GOAL_STATUSES and goal.due < p.end:
                what = "overdue"
            else:
                what = None
            for area in (goal.area, ALL):
                bucket = buckets[area]
                bucket["base"].append(case.id)
                if what is not None:
                    bucket[what].append(case.id)
    for area, bucket in buckets.items():
        name = "all areas" if area == ALL else area
        for what in ("achieved", "dropped", "overdue"):
            b.share(f"goals.{area}.{what}", "goals", f"Goals {what} ({name})", bucket[what],
                    bucket["base"])


def _change(b: _Builder, cases: Sequence[_Facts], p: _Period) -> None:
    ids = [c.id for c in cases]
    measures: tuple[tuple[str, str, str, Callable[[_Review], float | None]], ...] = (
        ("attendance", "Attendance", "points", lambda r: r.attendance),
        ("wellbeing", "Well-being", "scale", lambda r: r.wellbeing),
    )
    directions: tuple[tuple[str, Callable[[float], bool]], ...] = (
        ("improved", lambda d: d > 0), ("held", lambda d: d == 0), ("fell", lambda d: d < 0))
    for name, label, unit, read in measures:
        changes: dict[str, float] = {}
        for case in cases:
            readings = [v for v in (read(r) for r in case.reviews) if v is not None]
            if len(readings) >= 2:
                changes[case.id] = float(readings[-1]) - float(readings[0])
        change_unit = "percentage points" if unit == "points" else "points on the 1-5 scale"
        values = ({k: v * 100 for k, v in changes.items()} if unit == "points" else changes)
        b.distribution(f"{name}.change", "change",
                       f"{label}: change from the first to the latest review", change_unit,
                       values, ids)
        measured = list(changes)
        for what, test in directions:
            b.share(f"{name}.{what}", "change", f"{label} {what}",
                    [i for i, d in changes.items() if test(d)], measured)


def _mentoring(b: _Builder, cases: Sequence[_Facts], p: _Period) -> None:
    mentored = [c for c in cases if c.mentored]
    b.share("mentoring.coverage", "mentoring", "Learners with a mentor in the team",
            [c.id for c in mentored], [c.id for c in cases])
    lengths: dict[str, float] = {}
    for case in mentored:
        first = next((r.held for r in case.reviews if r.kind == "mentoring"), None)
        if first is not None:
            until = min(case.closed or p.end, p.end)
            lengths[case.id] = float((until - first).days)
    b.distribution("mentoring.length", "mentoring",
                   "Days of mentoring (first mentoring session to closing or period end)",
                   "days", lengths, [c.id for c in mentored])


_SECTION_FIGURES = (_outcomes, _timeliness, _goals, _change, _mentoring)


def _workload(rows: Sequence[LearnerSummary], today: date, keep: set[str]) -> list[Figure]:
    """Open cases, alerts and reviews due soon, per key worker, as of today."""
    soon = today + timedelta(days=WORKLOAD_DAYS - 1)
    by_worker: dict[str, list[LearnerSummary]] = {}
    for row in rows:
        if row.id in keep:
            by_worker.setdefault(row.key_worker or NONE, []).append(row)
    figures = []
    for worker in sorted(by_worker):
        mine = by_worker[worker]
        open_rows = [r for r in mine if not r.is_closed]
        base = len(open_rows)

        def count(figure_id: str, label: str, rows_hit: list[LearnerSummary], n: int,
                  worker: str = worker, base: int = base) -> Figure:
            return Figure(figure_id, "workload", label, worker, n, base, len(rows_hit), base)

        figures.append(Figure("workload.open", "workload", "Open cases", worker,
                              base, len(mine), base, len(mine)))
        red = [r for r in open_rows if r.red]
        amber = [r for r in open_rows if r.amber]
        due = [r for r in open_rows
               if r.next_review is not None and today <= r.next_review <= soon]
        figures += [
            count("workload.red-alerts", "Red alerts", red, sum(r.red for r in red)),
            count("workload.amber-alerts", "Amber alerts", amber, sum(r.amber for r in amber)),
            count("workload.reviews-due", f"Reviews due in the next {WORKLOAD_DAYS} days",
                  due, len(due)),
        ]
    totals: dict[str, Figure] = {}
    for figure in figures:
        total = totals.get(figure.id)
        totals[figure.id] = replace(figure, group=ALL) if total is None else replace(
            total, numerator=total.numerator + figure.numerator,
            denominator=total.denominator + figure.denominator,
            learners=total.learners + figure.learners,
            base_learners=total.base_learners + figure.base_learners)
    return [*totals.values(), *figures]


class _Evidence(NamedTuple):
    """What one case gives the figures; small, so that worker processes can send it back."""

    facts: _Facts | None
    skipped: Literal["unread", "no-consent"] | None = None
    summary: LearnerSummary | None = None


def _case_evidence(case: Case, argument: tuple[Context, date]) -> _Evidence:
    """The facts of one case as of ``end`` and its summary as of today (for the workload)."""
    ctx, end = argument
    learner = case.learner
    if learner is None:
        return _Evidence(None, "unread")
    if not _consented(learner):
        return _Evidence(None, "no-consent")
    return _Evidence(_facts(case, learner, ctx.settings, end), None,
                     kept_case_summary(case, ctx))


def evaluate_caseload(caseload: Caseload, today: date, start: date | None = None,
                      end: date | None = None, by: By | None = None,
                      jobs: int | None = None) -> Evaluation:
    """The figures of the period ``start``-``end`` (default: every case opened up to today).

    Works on a loaded caseload or an opened one (``open_caseload``), whose cases are read
    on every core when it is big (``parallel.map_cases``). Learners whose learner.yaml
    cannot be read, or without recorded consent to data processing, are left out (and said
    so in ``notes``).
    """
    end = end or today
    if start is not None and start > end:
        raise UserError(f"the period starts on {start} after it ends on {end}",
                        hint="--from must be on or before --to")
    settings = caseload.settings
    ctx = Context(settings, caseload.mentors, today)
    if not caseload.cases and not caseload.case_folders:
        evidence: list[_Evidence] = []
    elif caseload.cases:
        evidence = [_case_evidence(case, (ctx, end)) for case in caseload.cases]
    else:
        evidence = map_cases(caseload, _case_evidence, (ctx, end), jobs)
    notes: list[str] = []
    unread = sum(1 for e in evidence if e.skipped == "unread")
    no_consent = sum(1 for e in evidence if e.skipped == "no-consent")
    if unread:
        notes.append(f"{unread} case{'s' if unread != 1 else ''} left out: learner.yaml "
                     "could not be read (run 'pathway validate')")
    if no_consent:
        notes.append(f"{no_consent} learner{'s' if no_consent != 1 else ''} left out: no "
                     "recorded consent to data processing")
    facts = [e.facts for e in evidence if e.facts is not None]
    first = start or min((f.opened for f in facts), default=end)
    first = min(first, end)
    period = _Period(first, end, settings.risk.review_grace_days, settings.risk.no_plan_days)
    in_period = [f for f in facts if f.in_period(first, end)]
    groups: list[str] = [ALL]
    if by is not None:
        groups += sorted({v for f in in_period for v in f.group_values(by)})
    figures: list[Figure] = []
    for group in groups:
        members = in_period if group == ALL else [
            f for f in in_period if by is not None and group in f.group_values(by)]
        builder = _Builder(group)
        for section in _SECTION_FIGURES:
            section(builder, members, period)
        figures.extend(builder.figures)
    # The workload is about today, whatever the period: every open case counts.
    rows = [e.summary for e in evidence if e.summary is not None]
    figures.extend(_workload(rows, today, {f.id for f in facts}))
    order = {name: index for index, name in enumerate(SECTIONS)}
    figures.sort(key=lambda f: order[f.section])  # stable: keeps each section's order
    return Evaluation(
        first, end, today, by, "team", len(in_period), tuple(figures), tuple(groups[1:]),
        tuple(notes), settings.risk.review_grace_days, settings.risk.no_plan_days,
        settings.review_every_days,
    )


# --- how a figure reads ------------------------------------------------------------------


def _number(value: float) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def value_text(figure: Figure) -> str:
    """The figure in words: ``44%`` or ``median 7 days (quartiles 5-9)``; ``<5`` when
    suppressed, ``-`` when there is nothing to measure."""
    if figure.is_distribution:
        if figure.suppressed:
            return f"<{MIN_CELL}"
        if figure.median is None or figure.q1 is None or figure.q3 is None:
            return "-"
        signed = figure.unit != "days"  # a change: +1 reads as an improvement
        unit = {"days": "day", "percentage points": "pp",
                "points on the 1-5 scale": "point"}.get(figure.unit, figure.unit)
        if unit != "pp" and abs(figure.median) != 1:
            unit += "s"

        def number(value: float) -> str:
            text = _number(value)
            return "+" + text if signed and value > 0 and text != "0" else text

        return (f"median {number(figure.median)} {unit} "
                f"(quartiles {number(figure.q1)} to {number(figure.q3)})")
    if figure.section == "workload" and figure.id != "workload.open":
        return "<5" if figure.suppressed else str(figure.numerator)
    share = figure.share
    if figure.suppressed:
        return f"<{MIN_CELL}"
    return "-" if share is None else f"{share * 100:.0f}%"


def cases_text(evaluation: Evaluation) -> str:
    """The number of cases in the period, or ``<5`` for an audience outside the team."""
    small = evaluation.audience != "team" and 0 < evaluation.cases < MIN_CELL
    return f"<{MIN_CELL}" if small else str(evaluation.cases)


def numerator_text(figure: Figure) -> str:
    """The numerator, or ``<5``."""
    return f"<{MIN_CELL}" if figure.suppressed else str(figure.numerator)


def denominator_text(figure: Figure) -> str:
    """The denominator, or ``<5`` when it rests on fewer than MIN_CELL learners."""
    hidden = figure.suppressed and figure.base_learners < MIN_CELL
    return f"<{MIN_CELL}" if hidden else str(figure.denominator)


# --- audiences outside the team ----------------------------------------------------------


def _suppress(figure: Figure) -> Figure:
    # No learner at all singles nobody out: 0 of 0 stays as it is.
    small_base = 0 < figure.base_learners < MIN_CELL
    small_hits = 0 < figure.learners < MIN_CELL
    if not (small_base or small_hits):
        return figure
    return replace(figure, suppressed=True)


def for_audience(evaluation: Evaluation, audience: EvaluationAudience) -> Evaluation:
    """The evaluation as ``audience`` may see it.

    The team sees everything. Leadership and funders see no id: key workers become
    "key worker 1", "key worker 2"... (numbered by id, so the same from run to run),
    and every cell built on fewer than MIN_CELL learners is suppressed.
    """
    if audience == "team":
        return replace(evaluation, audience=audience)
    workers = sorted(({f.group for f in evaluation.figures if f.section == "workload"}
                      | (set(evaluation.groups) if evaluation.by == "key-worker" else set()))
                     - {ALL})
    names = {w: f"key worker {i}" for i, w in enumerate(workers, start=1)}

    def rename(figure: Figure) -> Figure:
        if figure.section == "workload" or evaluation.by == "key-worker":
            figure = replace(figure, group=names.get(figure.group, figure.group))
        return _suppress(figure)

    groups = tuple(names.get(g, g) if evaluation.by == "key-worker" else g
                   for g in evaluation.groups)
    return replace(evaluation, audience=audience, groups=groups,
                   figures=tuple(rename(f) for f in evaluation.figures))

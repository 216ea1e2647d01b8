"""The facts of a case that alerts and the caseload overview decide on, small enough to cache.

Every alert and every figure of ``pathway summarise`` depends on ``--today`` and on the
thresholds of ``pathway.yaml``, so none of them is ever cached. What *is* cached, beside the
loaded case (``cache.py``, entry kind ``facts``), is what those rules read from the records:
dates, rates, ratings, statuses, the few words an alert quotes, and the lines of the record
files an alert points at. ``pathway alerts`` and ``pathway summarise`` on an unchanged case
folder read this entry and decide from it, with the settings and the day of this run; the
records are not parsed, the models not unpickled.

The facts are named tuples of primitives (no model, no parsed YAML): they pickle
small and load fast, and this module imports nothing heavy, so a warm run does not pay for
the models. ``case_facts(case)`` builds them from a loaded case; it is the only place that
reads the models for alerts and the overview, so the rules (``alerts``, ``summary.py``)
have one code path, whether the case was loaded this run or long ago.

Lines are found as the user needs them: the records-invalid alert's at once, every other
alert's when it first fires (``Positions``), and then kept in the entry, so a later run on
another day parses a file only for an alert that never fired before.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, Protocol, TypeVar

from pathway_cli.findings import KeyPath

if TYPE_CHECKING:
    from pathway_cli.caseload import Case, Caseload
    from pathway_cli.validation import Context

__all__ = [
    "FACTS_KIND",
    "ActionFacts",
    "AgreedActionFacts",
    "CaseFacts",
    "CaseloadView",
    "ContractFacts",
    "FollowUpFacts",
    "GoalFacts",
    "InvalidFacts",
    "Judge",
    "Judging",
    "LearnerFacts",
    "PlanFacts",
    "ReviewFacts",
    "SettingsLike",
    "Thresholds",
    "agreed_action_facts",
    "case_facts",
    "decide_folders",
    "key_worker_named",
    "key_workers",
    "open_view",
    "view_of",
]

A = TypeVar("A")
R = TypeVar("R")
# The cache entry kind beside the loaded case (``kind="case"``).
FACTS_KIND = "facts"
# The entry of the settings alerts and the overview decide with, one per caseload.
THRESHOLDS_KIND = "thresholds"
OPEN_GOAL_STATUSES = ("planned", "in-progress", "at-risk")
CLOSED_STATUSES = ("completed", "left")
Day = date  # a field named ``date`` hides the type in its class


class FollowUpFacts(NamedTuple):
    """One follow-up after leaving: only its date counts for the schedule."""

    date: date


class LearnerFacts(NamedTuple):
    """learner.yaml as the alerts, the filters and the overview read it."""

    name: str
    preferred_name: str | None
    status: str
    opened: date
    closed: date | None
    groups: tuple[str, ...]
    key_worker: str | None
    # The key worker as the overview may name them (None: a health professional).
    key_worker_shown: str | None
    programme_title: str | None
    programme_start: date | None
    follow_ups: tuple[FollowUpFacts, ...]

    @property
    def is_closed(self) -> bool:
        """True for completed and left cases."""
        return self.status in CLOSED_STATUSES


class GoalFacts(NamedTuple):
    """One goal of the plan."""

    id: str
    area: str
    goal: str
    due: date
    status: str
    progress: int | None

    @property
    def is_open(self) -> bool:
        """True while the goal is planned, in progress or at risk."""
        return self.status in OPEN_GOAL_STATUSES


class PlanFacts(NamedTuple):
    """plan.yaml: when it was agreed and revised, and its goals."""

    agreed: date
    revised: date | None
    goals: tuple[GoalFacts, ...]


class ContractFacts(NamedTuple):
    """contract.yaml: the parties of ``learner`` and ``provider`` that have not signed."""

    unsigned: tuple[str, ...]

    @property
    def in_force(self) -> bool:
        """True when the learner and the provider signed."""
        return not self.unsigned


class ActionFacts(NamedTuple):
    """One action as a review records it; ``key`` is what makes two mentions the same action
    (``actions.action_key``), ``owner_shown`` the owner as alerts may name them (None: a
    health professional)."""

    action: str
    key: str
    owner_shown: str | None
    due: date | None
    done: bool


class ReviewFacts(NamedTuple):
    """One well-formed review and its file."""

    path: str
    date: Day
    next_review: Day
    attendance: float | None
    wellbeing: int | None
    engagement: int | None
    incidents: int | None
    incident_kinds: tuple[str, ...]
    failed: int | None  # None: no results recorded
    passed: int
    trend: str | None
    goal_statuses: tuple[tuple[str, str], ...]  # goals the review gives a status
    actions: tuple[ActionFacts, ...]


class InvalidFacts(NamedTuple):
    """The case's validation errors, for the records-invalid alert: how many, which files
    could not be read, and where the first is. Error rules read the records only (those
    that read the day, the settings or the mentor pool only warn), so this is fixed by the
    records."""

    errors: int
    unread: tuple[str, ...]
    file: str
    line: int | None
    key_path: KeyPath | None


class CaseFacts(NamedTuple):
    """Everything alerts and the overview read of one case.

    ``learner_path``/``plan_path``/``contract_path`` are set when the file is there (even
    when it could not be read, its model being None: ``learner``/``plan``/``contract``).
    ``positions`` holds the lines found so far, by file and key path.
    """

    id: str
    learner: LearnerFacts | None
    learner_path: str | None
    plan: PlanFacts | None
    plan_path: str | None
    contract: ContractFacts | None
    contract_path: str | None
    reviews: tuple[ReviewFacts, ...]
    invalid: InvalidFacts | None
    # learner.yaml's key worker and their name in the team, read from the file's data even
    # where the record is not valid (``--key-worker`` lists the key workers there are)
    key_worker_named: tuple[str, str | None] | None
    positions: dict[tuple[str, KeyPath], int]


class AgreedActionFacts(NamedTuple):
    """One action as its latest mention has it, and when it was first agreed."""

    action: ActionFacts
    review: ReviewFacts
    at: int  # its index in the review's actions
    agreed: date


def agreed_action_facts(facts: CaseFacts) -> list[AgreedActionFacts]:
    """Every action agreed at the case's reviews, once, in the order first agreed: the rule
    of ``actions.agreed_actions`` (known by its words, its latest mention counts)."""
    first: dict[str, date] = {}
    latest: dict[str, tuple[ActionFacts, ReviewFacts, int]] = {}
    for review in facts.reviews:
        for index, action in enumerate(review.actions):
            key = action.key
            first.setdefault(key, review.date)
            latest[key] = (action, review, index)  # facts made once, below
    return [AgreedActionFacts(*latest[key], first[key]) for key in first]


# --- what the rules decide with --------------------------------------------------------


class SettingsLike(Protocol):
    """The settings the alert rules and the overview read: ``models.Settings`` or the
    ``Thresholds`` cached from it."""

    @property
    def review_every_days(self) -> int:
        """Days between reviews."""

    @property
    def risk(self) -> Any:
        """The thresholds of ``risk:`` (``models.RiskThresholds`` or a copy of its values)."""


class Judging(Protocol):
    """What the alert rules and the overview decide with: the settings and the day
    (``validation.Context`` is one; so is ``Judge``, which needs no model)."""

    @property
    def settings(self) -> SettingsLike:
        """The caseload's settings."""

    @property
    def today(self) -> date:
        """The day of the run."""


@dataclass(frozen=True)
class Thresholds:
    """pathway.yaml as the alerts and the overview read it: plain values, cached per
    caseload (kind ``thresholds``, keyed by a hash of the bytes of pathway.yaml and
    mentors.yaml) so that a warm run neither parses it nor imports the models."""

    review_every_days: int
    risk: SimpleNamespace
    locale: str
    max_record_bytes: int
    # pathway.yaml when it exists but has errors (the defaults stand in for it)
    broken_file: Path | None

    @classmethod
    def of(cls, caseload: Caseload) -> Thresholds:
        """The thresholds of an opened caseload."""
        settings = caseload.settings
        broken = caseload.settings_file.path if (caseload.settings_broken
                                                 and caseload.settings_file) else None
        return cls(settings.review_every_days, SimpleNamespace(**settings.risk.model_dump()),
                   settings.locale, settings.max_record_bytes, broken)


@dataclass(frozen=True)
class Judge:
    """The settings and the day, for the rules (a ``Judging`` without a model)."""

    settings: Thresholds
    today: date


class CaseloadView:
    """A caseload as alerts and the overview need it: its root, its case folders and its
    thresholds; the caseload itself (models, mentors) is opened only when a case must be
    loaded (``caseload()``)."""

    def __init__(self, root: Path | None, case_folders: list[Path], settings: Thresholds,
                 paths: Sequence[Path], caseload: Caseload | None = None) -> None:
        self.root = root
        self.case_folders = case_folders
        self.settings = settings
        self._paths = list(paths)
        self._caseload = caseload

    def caseload(self) -> Caseload:
        """The caseload opened with its settings and mentors (once)."""
        if self._caseload is None:
            from pathway_cli.caseload import open_caseload

            self._caseload = open_caseload(self._paths)
        return self._caseload

    def context(self, today: date) -> Context:
        """The validation context of the caseload (what a case's facts are built with)."""
        from pathway_cli.validation import Context

        caseload = self.caseload()
        return Context(caseload.settings, caseload.mentors, today)


def view_of(caseload: Caseload) -> CaseloadView:
    """The view of a caseload already opened."""
    return CaseloadView(caseload.root, caseload.case_folders, Thresholds.of(caseload), (),
                        caseload)


_NO_CASELOAD = Path("<no caseload>")


def open_view(paths: Sequence[Path]) -> CaseloadView:
    """The caseload named by ``paths`` (as ``caseload.open_caseload`` finds it), with its
    thresholds from the cache when pathway.yaml and mentors.yaml have not changed."""
    from pathway_cli.cache import open_cache
    from pathway_cli.locating import locate, settings_digest

    located = locate(paths)
    store = open_cache(located.root)
    digest = settings_digest(located.root) if store is not None else None
    where = located.root if located.root is not None else _NO_CASELOAD
    if store is not None and digest is not None:
        known = store.get_value(where, (("settings", digest),), THRESHOLDS_KIND)
        if isinstance(known, Thresholds):
            return CaseloadView(located.root, located.case_folders, known, paths)
    from pathway_cli.caseload import open_caseload

    caseload = open_caseload(paths)
    thresholds = Thresholds.of(caseload)
    if (store is not None and digest is not None
            and settings_digest(located.root) == digest):  # not changed while read
        store.put_value(where, (("settings", digest),), thresholds, THRESHOLDS_KIND)
    return CaseloadView(caseload.root, caseload.case_folders, thresholds, paths, caseload)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The garbage collector off while thousands of facts are unpickled and decided on (full
    collections rescanning them cost 3 times the reading at 3,000 cases); then what was decided
    (kept to be printed) is frozen, as loaded records are, or the first collection scans it all
    (36 ms for 3,000 cases in one process); it holds no cycles: reference counting frees it."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


# --- built from a loaded case ------------------------------------------------------------


def case_facts(case: Case, ctx: Context) -> CaseFacts:
    """The facts of a loaded case. ``ctx`` serves the validation rules behind records-invalid,
    whose errors do not depend on it."""
    from pathway_cli.actions import action_key
    from pathway_cli.privacy import shown_member

    learner = case.learner
    team = learner.team if learner else []
    learner_facts = None
    if learner is not None:
        programme = learner.programme
        learner_facts = LearnerFacts(
            name=learner.name, preferred_name=learner.preferred_name, status=learner.status,
            opened=learner.opened, closed=learner.closed, groups=tuple(learner.groups),
            key_worker=learner.key_worker,
            key_worker_shown=shown_member(learner.team, learner.key_worker, "summarise"),
            programme_title=programme.title if programme else None,
            programme_start=programme.start if programme else None,
            follow_ups=tuple(FollowUpFacts(f.date) for f in learner.follow_ups),
        )
    plan = case.plan
    plan_facts = None if plan is None else PlanFacts(plan.agreed, plan.revised, tuple(
        GoalFacts(g.id, g.area, g.goal, g.due, g.status, g.progress) for g in plan.goals))
    contract = case.contract
    contract_facts = None if contract is None else ContractFacts(tuple(
        p for p in ("learner", "provider") if contract.signed_by(p) is None))
    reviews = []
    for review, loaded in case.reviews_with_files:
        incidents, results = review.incidents, review.results
        reviews.append(ReviewFacts(
            path=str(loaded.path), date=review.date, next_review=review.next_review,
            attendance=review.attendance, wellbeing=review.wellbeing,
            engagement=review.engagement,
            incidents=incidents.count if incidents else None,
            incident_kinds=tuple(incidents.kinds) if incidents else (),
            failed=results.failed if results else None,
            passed=results.passed if results else 0,
            trend=results.trend if results else None,
            goal_statuses=tuple((goal_id, progress.status)
                                for goal_id, progress in review.goals.items()
                                if progress.status is not None),
            actions=tuple(ActionFacts(a.action, action_key(a.action),
                                      shown_member(team, a.owner, "alerts"), a.due, a.done)
                                  for a in review.actions),
        ))
    return CaseFacts(
        id=case.id,
        learner=learner_facts,
        learner_path=str(case.learner_file.path) if case.learner_file else None,
        plan=plan_facts,
        plan_path=str(case.plan_file.path) if case.plan_file else None,
        contract=contract_facts,
        contract_path=str(case.contract_file.path) if case.contract_file else None,
        reviews=tuple(reviews),
        invalid=_invalid_facts(case, ctx),
        key_worker_named=key_worker_named(case.learner_file.source.data
                                          if case.learner_file else None),
        positions={},
    )


def key_worker_named(data: Any) -> tuple[str, str | None] | None:
    """The key worker of learner.yaml's data, and their name in its team (None: unnamed)."""
    worker = data.get("key_worker") if isinstance(data, dict) else None
    if not isinstance(worker, str):
        return None
    team = data.get("team")
    name = next((str(m.get("name")) for m in (team if isinstance(team, list) else [])
                 if isinstance(m, dict) and m.get("id") == worker and m.get("name")), None)
    return worker, name


def _invalid_facts(case: Case, ctx: Context) -> InvalidFacts | None:
    if case.learner is not None and case.learner.status not in ("referred", "active",
                                                                 "paused"):
        return None  # records-invalid watches open cases (and those of unknown status) only
    from pathway_cli.validation import case_findings

    errors = [f for f in case_findings(case, ctx, errors_only=True) if f.is_error]
    if not errors:
        return None
    unread = tuple(sorted({loaded.path.name for loaded in case.files() if loaded.model is None}))
    first = errors[0]
    line = first.line
    if line is None and first.key_path is not None:
        source = next((loaded.source for loaded in case.files() if loaded.path == first.file),
                      None)
        if source is not None:
            line = source.locate(first.key_path)[0]
            source.forget_positions()
    return InvalidFacts(len(errors), unread, str(first.file), line, first.key_path)


# --- read from the cache, built where missing --------------------------------------------


class Positions:
    """Finds the line of a key path in a record file and remembers it in the facts.

    ``find`` gives a file's ``Source`` (None: not a file of the case); one file's position
    tree is alive at a time. ``changed`` tells whether a line was added, so that the
    facts are stored again.
    """

    def __init__(self, find: Callable[[Path], Any | None]) -> None:
        self._find = find
        self._current: tuple[Path, Any | None] | None = None
        self.changed = False

    def line(self, facts: CaseFacts, file: Path, key_path: KeyPath) -> int | None:
        """The line of ``key_path`` in ``file`` (None: the file is not one of the case's)."""
        where = (str(file), key_path)
        known = facts.positions.get(where)
        if known is not None:
            return known
        if self._current is None or self._current[0] != file:
            self.done()
            self._current = (file, self._find(file))
        source = self._current[1]
        if source is None:
            return None
        line: int = source.locate(key_path)[0]
        facts.positions[where] = line
        self.changed = True
        return line

    def done(self) -> None:
        """Drop the position tree of the file looked at last."""
        if self._current is not None and self._current[1] is not None:
            self._current[1].forget_positions()
        self._current = None


@dataclass(frozen=True)
class _Job(Generic[R]):
    root: Path | None
    limit: int
    ctx: Judging
    # what the facts of a case loaded afresh are built with (None: every case was cached)
    full: Context | None
    build: Callable[[Case, Context], CaseFacts]
    decide: Callable[[CaseFacts, Judging, Any, Positions], R]
    argument: Any


def decide_folders(view: CaseloadView, ctx: Judging,
                   decide: Callable[[CaseFacts, Judging, A, Positions], R], argument: A,
                   build: Callable[[Case, Context], CaseFacts] = case_facts,
                   jobs: int | None = None, *,
                   send: Callable[[list[R]], Any] | None = None,
                   receive: Callable[[Any], list[R]] | None = None) -> list[R]:
    """``decide(facts, ctx, argument, positions)`` for every case folder of a caseload,
    in order.

    Each folder's facts come from the cache when it has not changed; otherwise the case is
    loaded (through the cache of loaded cases) and ``build`` makes its facts, which are
    stored. Lines that ``decide`` finds (``positions``) are stored with the facts.

    Workers start only when enough cases must be loaded (``parallel.MIN_CASES``): deciding
    on cached facts costs a fraction of a millisecond a case, less than starting workers and
    sending the results back (measured: ``--jobs 2`` was slower warm than one process).
    ``decide`` and ``build`` must be module-level functions: they run in the workers.
    ``send``/``receive``: how a warm forked half's results travel (``map_halves``).
    """
    from pathway_cli.parallel import map_chunks, map_halves, worker_count

    job = _Job(view.root, view.settings.max_record_bytes, ctx, None, build, decide, argument)
    carry, carried = _carried(send, receive)
    with _collector_paused():
        found = map_halves(view.case_folders, _decide_known, job, jobs, WARM_MIN_CASES,
                           send=carry, receive=carried)
    missing = [index for index, result in enumerate(found) if isinstance(result, _Unknown)]
    if not missing:
        return found  # type: ignore[return-value] # no _Unknown left
    job = replace(job, full=view.context(ctx.today))
    folders = [view.case_folders[index] for index in missing]
    if worker_count(len(folders), jobs) > 1:
        fresh = map_chunks(folders, _decide_chunk, job, jobs)
    else:
        with _collector_paused():
            fresh = _decide_chunk(folders, job)
    for index, result in zip(missing, fresh, strict=True):
        found[index] = result
    return found  # type: ignore[return-value] # every _Unknown replaced


# From this many cases, a warm run decides on two cores (``parallel.map_halves``): one fork
# and the results sent back cost about 10-20 ms, deciding on cached facts about 0.15 ms a
# case.
WARM_MIN_CASES = 500


class _Unknown:
    """The result of a folder whose facts are not cached (yet): it is loaded afterwards."""

    __slots__ = ()


def _carried(send: Callable[[list[R]], Any] | None, receive: Callable[[Any], list[R]] | None,
             ) -> tuple[Callable[[list[R | _Unknown]], Any] | None,
                        Callable[[Any], list[R | _Unknown]] | None]:
    """``send``/``receive`` for ``map_halves``, with the places of uncached folders."""
    if send is None or receive is None:
        return None, None

    def sent(results: list[R | _Unknown]) -> tuple[list[int], Any]:
        return ([index for index, result in enumerate(results) if isinstance(result, _Unknown)],
                send([result for result in results if not isinstance(result, _Unknown)]))

    def received(payload: tuple[list[int], Any]) -> list[R | _Unknown]:
        results: list[R | _Unknown] = list(receive(payload[1]))
        for index in payload[0]:  # in increasing order: each lands at its place
            results.insert(index, _Unknown())
        return results

    return sent, received


def _decide_known(folders: list[Path], job: _Job[R]) -> list[R | _Unknown]:
    """``decide`` for the folders whose facts are cached; ``_Unknown()`` for the others."""
    from pathway_cli.cache import open_cache

    store = open_cache(job.root)
    return _decide_slots(_read(folders, store, job.limit), store, job, {})


Slot = tuple[Path, Any, CaseFacts | None]


def _read(folders: list[Path], store: Any, limit: int) -> list[Slot]:
    from pathway_cli.cache import case_key, folder_fingerprint

    slots: list[Slot] = []
    for folder in folders:
        found = folder_fingerprint(folder) if store is not None else None
        fingerprint = None if found is None else case_key(found, limit)
        facts = None
        if store is not None and fingerprint is not None:
            value = store.get_value(folder, fingerprint, FACTS_KIND)
            facts = value if isinstance(value, CaseFacts) else None
        slots.append((folder, fingerprint, facts))
    return slots


def _decide_chunk(folders: list[Path], job: _Job[R]) -> list[R]:
    from pathway_cli.cache import open_cache

    store = open_cache(job.root)
    return _decide(_read(folders, store, job.limit), store, job)


def _decide(slots: list[Slot], store: Any, job: _Job[R]) -> list[R]:
    """``decide`` for every folder, the cases whose facts are not cached loaded first."""
    missing = [folder for folder, _, facts in slots if facts is None]
    built: dict[Path, CaseFacts] = {}
    if missing:
        from pathway_cli.caseload import load_cases

        assert job.full is not None  # noqa: S101 - set whenever a case is missing
        for case in load_cases(job.root, missing, job.limit):
            built[case.folder] = job.build(case, job.full)
        if built.keys() != set(missing):
            raise AssertionError("a case folder was not loaded")
    return _decide_slots(slots, store, job, built)  # type: ignore[return-value] # all known


def _decide_slots(slots: list[Slot], store: Any, job: _Job[R],
                  built: dict[Path, CaseFacts]) -> list[R | _Unknown]:
    """``decide`` on each folder's facts (cached, or ``built`` this run; ``_Unknown()`` where
    neither); facts built afresh, or with lines found for the first time, are stored."""
    positions = Positions(source_finder(job.limit))
    results: list[R | _Unknown] = []
    for folder, fingerprint, cached in slots:
        facts = cached if cached is not None else built.get(folder)
        if facts is None:
            results.append(_Unknown())
            continue
        positions.changed = False
        results.append(job.decide(facts, job.ctx, job.argument, positions))
        if store is not None and fingerprint is not None and (
                cached is None or positions.changed):
            _store_if_unchanged(store, folder, fingerprint, facts)
    positions.done()
    return results


def _store_if_unchanged(store: Any, folder: Path, fingerprint: Any, facts: CaseFacts) -> None:
    """Store the facts when the folder is still as it was when they were read."""
    from pathway_cli.cache import folder_fingerprint

    found = folder_fingerprint(folder)
    if found is not None and (*found, fingerprint[-1]) == fingerprint:
        store.put_value(folder, fingerprint, facts, FACTS_KIND)


def key_workers(view: CaseloadView) -> dict[str, str]:
    """The key workers of the caseload's cases: id -> name (from the team, else the id).

    Read from each case's facts (learner.yaml as parsed, valid or not), cached where the
    case folder has not changed.
    """
    ctx = Judge(view.settings, date.min)
    found: dict[str, str] = {}
    for named in decide_folders(view, ctx, _key_worker_named, None):
        if named is None:
            continue
        worker, name = named
        if worker not in found or name is not None:
            found[worker] = name or worker
    return dict(sorted(found.items()))


def _key_worker_named(facts: CaseFacts, ctx: Judging, argument: None,
                      positions: Positions) -> tuple[str, str | None] | None:
    return facts.key_worker_named


def source_finder(limit: int) -> Callable[[Path], Any | None]:
    """Reads a record file again, for the positions of its nodes only: not parsed (only a
    file that loaded into its record has facts, so its lines are those of its nodes).
    The loader is imported on the first file: a warm run whose lines are all known needs
    none."""

    def find(path: Path) -> Any | None:
        from pathway_cli.loader import RecordFileRefused, Source, read_record_bytes

        try:
            return Source(path, read_record_bytes(path, limit).decode("utf-8-sig"), None)
        except (RecordFileRefused, OSError, UnicodeDecodeError):
            return None

    return find

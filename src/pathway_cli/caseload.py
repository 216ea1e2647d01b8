"""Finding a caseload on disk and loading its records into models.

A caseload is a folder with ``pathway.yaml`` and/or ``cases/``; each case is a folder
under ``cases/`` named by the learner id. Loading never stops at a bad file: every
problem becomes a finding on that file and the rest of the caseload still loads.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from pathway_cli.cache import CaseCache, Fingerprint, case_key, folder_fingerprint, open_cache
from pathway_cli.findings import Finding
from pathway_cli.loader import MAX_RECORD_BYTES, Source, load_source
from pathway_cli.locating import (
    CASES_DIR,
    MENTORS_FILE,
    REVIEWS_DIR,
    SETTINGS_FILE,
    case_folder_around,
    find_root,
    locate,
    resolved_path,
)
from pathway_cli.models import (
    Assessment,
    Contract,
    Learner,
    MentorPool,
    Plan,
    Record,
    Review,
    Settings,
)
from pathway_cli.shape import check_shape

__all__ = [
    "CASES_DIR",
    "CASE_FILES",
    "MENTORS_FILE",
    "REVIEWS_DIR",
    "REVIEW_NAME_RE",
    "SETTINGS_FILE",
    "Case",
    "Caseload",
    "Loaded",
    "case_folder_around",
    "find_root",
    "load_case_cached",
    "load_caseload",
    "load_cases",
    "load_record",
    "not_started",
    "open_caseload",
    "resolved_path",
    "review_sort_key",
]

M = TypeVar("M", bound=Record)

CASE_FILES: dict[str, type[Record]] = {
    "learner.yaml": Learner,
    "assessment.yaml": Assessment,
    "plan.yaml": Plan,
    "contract.yaml": Contract,
}
REVIEW_NAME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:-(\d+))?\.yaml")


@dataclass
class Loaded(Generic[M]):
    """A record file: its source text and data, and its model when the shape is right."""

    source: Source
    model: M | None

    @property
    def path(self) -> Path:
        """Where the file is."""
        return self.source.path


def load_record(path: Path, model: type[M], raw: bytes | None = None,
                limit: int = MAX_RECORD_BYTES) -> Loaded[M]:
    """Read one file and check its shape; problems go into ``source.findings``."""
    source = load_source(path, raw, limit)
    if source.data is None:
        if source.recovered is not None:  # tabs for indentation: report the rest as well
            source.findings.extend(check_shape(source.recovered, model, path, path.name)[1])
        return Loaded(source, None)
    instance, findings = check_shape(source.data, model, path, path.name)
    source.findings.extend(findings)
    return Loaded(source, instance)


@dataclass
class Case:
    """One learner's folder and its records."""

    id: str
    folder: Path
    learner_file: Loaded[Learner] | None = None
    assessment_file: Loaded[Assessment] | None = None
    plan_file: Loaded[Plan] | None = None
    contract_file: Loaded[Contract] | None = None
    review_files: list[Loaded[Review]] = field(default_factory=list)
    stray_files: list[Path] = field(default_factory=list)
    # The folder's fingerprint (with max_record_bytes) when the case is known to be of that
    # state: taken from, or stored to, the cache. A report then asks the cache of checked
    # cases whether the case has errors (``checked.free_of_errors``). None: not known.
    state: Fingerprint | None = field(default=None, compare=False, repr=False)

    @property
    def learner(self) -> Learner | None:
        """The learner profile, when learner.yaml is present and well-formed."""
        return self.learner_file.model if self.learner_file else None

    @property
    def assessment(self) -> Assessment | None:
        """The initial assessment, if present and well-formed."""
        return self.assessment_file.model if self.assessment_file else None

    @property
    def plan(self) -> Plan | None:
        """The plan, if present and well-formed."""
        return self.plan_file.model if self.plan_file else None

    @property
    def contract(self) -> Contract | None:
        """The contract, if present and well-formed."""
        return self.contract_file.model if self.contract_file else None

    @property
    def reviews(self) -> list[Review]:
        """Well-formed reviews, oldest first."""
        return [r.model for r in self.review_files if r.model is not None]

    @property
    def reviews_with_files(self) -> list[tuple[Review, Loaded[Review]]]:
        """Well-formed reviews with their files, oldest first."""
        return [(r.model, r) for r in self.review_files if r.model is not None]

    def files(self) -> Iterator[Loaded[Record]]:
        """Every record file of the case that was loaded."""
        for loaded in (self.learner_file, self.assessment_file, self.plan_file,
                       self.contract_file, *self.review_files):
            if loaded is not None:
                yield loaded  # type: ignore[misc]

    @property
    def findings(self) -> list[Finding]:
        """Problems met while reading the case's files (shape and syntax)."""
        return [f for loaded in self.files() for f in loaded.source.findings]

    @property
    def readable(self) -> bool:
        """True when every file of the case loaded into its model."""
        return all(loaded.model is not None for loaded in self.files())


@dataclass
class Caseload:
    """A caseload: settings, the mentor pool and the cases that were asked for."""

    root: Path | None
    settings: Settings
    settings_file: Loaded[Settings] | None
    mentors_file: Loaded[MentorPool] | None
    cases: list[Case]
    findings: list[Finding] = field(default_factory=list)
    # When single files were named, findings are reported for these files only.
    only_files: frozenset[Path] | None = None
    # The case folders asked for (each once), in the order their cases are loaded.
    case_folders: list[Path] = field(default_factory=list)
    # Entries of cases/ that are not folders (see locating.stray_findings).
    strays: tuple[Path, ...] = ()

    @property
    def mentors(self) -> MentorPool | None:
        """The mentor pool, when mentors.yaml is present and well-formed."""
        return self.mentors_file.model if self.mentors_file else None

    @property
    def settings_broken(self) -> bool:
        """True when pathway.yaml exists but could not be read: defaults stand in for it."""
        return self.settings_file is not None and self.settings_file.model is None

    def case(self, case_id: str) -> Case | None:
        """The case with this id, if loaded."""
        return next((c for c in self.cases if c.id == case_id), None)

    def sources(self) -> Iterator[Source]:
        """Every file read, for placing findings and counting files."""
        if self.settings_file is not None:
            yield self.settings_file.source
        if self.mentors_file is not None:
            yield self.mentors_file.source
        for case in self.cases:
            for loaded in case.files():
                yield loaded.source

    def all_findings(self) -> list[Finding]:
        """Reading problems of every file, plus problems finding the files."""
        found = list(self.findings)
        for source in self.sources():
            found.extend(source.findings)
        return found



def load_case(folder: Path, limit: int = MAX_RECORD_BYTES) -> Case:
    """Load every record file of one case folder (files above ``limit`` bytes are refused)."""
    case = Case(id=folder.name, folder=folder)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return case
    for entry in entries:
        path = folder / entry.name
        if entry.name.startswith("."):
            continue
        if _is_dir(entry):
            if entry.name == REVIEWS_DIR:
                case.review_files = _load_reviews(path, case, limit)
            else:
                case.stray_files.append(path)
            continue
        model = CASE_FILES.get(entry.name)
        if model is None:
            case.stray_files.append(path)
            continue
        loaded = load_record(path, model, limit=limit)
        if not_started(loaded):
            continue
        setattr(case, entry.name.removesuffix(".yaml") + "_file", loaded)
    return case


def _present(path: Path) -> bool:
    """A file is there (a link counts, even a broken one: reading it reports why)."""
    try:
        return (path.exists() and not path.is_dir()) or path.is_symlink()
    except OSError:
        return True


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Like entry.is_dir(), but a broken or looping link is a file (reported when read)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def not_started(loaded: Loaded[M]) -> bool:
    """A file of comments only is a skeleton not filled in yet: the record is absent."""
    source = loaded.source
    return source.data is None and not source.findings and bool(source.text.strip())


def review_sort_key(loaded: Loaded[Review]) -> tuple[str, int, str]:
    """Reviews oldest first: by the date in the file name, then its -2, -3 suffix."""
    match = REVIEW_NAME_RE.fullmatch(loaded.path.name)
    if match:
        return match.group(1), int(match.group(2) or 1), ""
    model = loaded.model
    return (model.date.isoformat() if model else "9999"), 0, loaded.path.name


def _load_reviews(folder: Path, case: Case, limit: int) -> list[Loaded[Review]]:
    reviews: list[Loaded[Review]] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return reviews
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        if not _is_dir(entry) and entry.name.endswith((".yaml", ".yml")):
            loaded = load_record(path, Review, limit=limit)
            if not not_started(loaded):
                reviews.append(loaded)
        else:
            case.stray_files.append(path)
    reviews.sort(key=review_sort_key)
    return reviews


def load_case_cached(folder: Path, store: CaseCache | None, limit: int,
                     found: Fingerprint | None = None, *, keep: bool = True) -> Case:
    """A case from the cache when its folder is unchanged, else loaded (and then cached,
    unless not to ``keep``); ``found`` is the folder's fingerprint when the caller has just
    taken it."""
    if store is None:
        return load_case(folder, limit)
    found = found or folder_fingerprint(folder)
    if found is None:
        return load_case(folder, limit)
    fingerprint = case_key(found, limit)
    cached = store.get(folder, fingerprint)
    if cached is not None:
        cached.state = fingerprint
        return cached
    case = load_case(folder, limit)
    if keep and folder_fingerprint(folder) == found:  # nothing changed while it was read
        store.put(folder, fingerprint, case)
        case.state = fingerprint
    return case


@contextlib.contextmanager
def _bulk_allocation() -> Generator[None, None, None]:
    """Keep the cyclic garbage collector off the records while a caseload is built and used.

    Loading keeps every record alive, so each full collection would re-scan everything
    loaded so far: on 2,000 learners that cost 40% of loading, and placing 740 findings
    afterwards took 2-3 s instead of 0.16 s. The collector is paused while loading, and
    what was loaded is then frozen (``gc.freeze``): later collections skip it. Records
    hold no reference cycles, so reference counting still frees them when they go.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def open_caseload(paths: Sequence[Path] = ()) -> Caseload:
    """The caseload named by ``paths`` with its settings and mentors, but no case loaded yet.

    ``case_folders`` lists the case folders to load (each once), for ``load_cases`` here or
    in worker processes. Raises UserError only when a path does not exist or is not a
    caseload at all.
    """
    located = locate(paths)
    root = located.root
    settings_file = None
    mentors_file = None
    # exists(), not is_file(): a settings file that is a device or a pipe is reported
    # (file-not-regular), not silently replaced by the defaults
    if root is not None and _present(root / SETTINGS_FILE):
        settings_file = load_record(root / SETTINGS_FILE, Settings)
    if root is not None and _present(root / MENTORS_FILE):
        mentors_file = load_record(root / MENTORS_FILE, MentorPool)
    settings = (settings_file.model if settings_file else None) or Settings()
    return Caseload(root, settings, settings_file, mentors_file, [],
                    only_files=located.only_files, case_folders=located.case_folders,
                    strays=located.strays)


def load_cases(root: Path | None, folders: Sequence[Path],
               limit: int = MAX_RECORD_BYTES) -> list[Case]:
    """Load the case folders, each from the cache where it has not changed; record files
    above ``limit`` bytes (``max_record_bytes`` of the settings) are refused unread."""
    store = open_cache(root)
    with _bulk_allocation():
        return [load_case_cached(folder, store, limit) for folder in folders]


def load_caseload(paths: Sequence[Path] = ()) -> Caseload:
    """Load the caseload, cases or files named by ``paths`` (see CLI.md, Finding the caseload).

    Raises UserError only when a path does not exist or is not a caseload at all; every
    problem inside a file is a finding.
    """
    caseload = open_caseload(paths)
    caseload.cases = load_cases(caseload.root, caseload.case_folders,
                                caseload.settings.max_record_bytes)
    return caseload


def iter_cases(caseload: Caseload, ids: Iterable[str] | None = None) -> Iterator[Case]:
    """The cases of a caseload, optionally only those with the given ids."""
    wanted = set(ids) if ids is not None else None
    for case in caseload.cases:
        if wanted is None or case.id in wanted:
            yield case

"""The cache of checked cases: ``validate`` again costs a look at the folders, not a reading.

Beside each case's loaded records (``cache``, kind ``case``), an entry of kind ``checked``
keeps what ``validate`` found in that case:

- the findings of every rule that does not read today's date, and the problems met reading
  the files, already placed at their ``file:line:col``;
- the source lines those findings quote, so that a report needs no file read;
- for the rules that read today (``validation.DATED_RULES``), never their findings but the
  few facts they decide on (``dated.DatedFacts``), with the places of the findings they made
  when the entry was written. Every run decides them again for its own ``--today``; a finding
  placed nowhere yet (a date passed since) makes the case be checked afresh.

The entry's key is the case folder's fingerprint (every file's name, size, mtime, ctime and
inode), ``max_record_bytes`` and a hash of the bytes of ``pathway.yaml`` and ``mentors.yaml``
(settings and the mentor pool change what rules find); pathway's own fingerprint is in every
entry. An entry of kind ``checked-caseload``, keyed by the same hash, keeps what was found in
those two files. A warm run with nothing changed therefore imports no record model, parses
no YAML and reads no record: it stats the folders, reads the entries and decides the dated
rules. A case whose entry is missing, stale or unreadable is loaded (from a loaded case
another command cached, if any; validate itself writes only its checked entries) and checked
as on a cold run, on every core when there are many, and its entry rewritten.

``--no-cache`` (or a caseload whose settings file is not a plain file) takes the cold path
of ``validation.validate_folders``, which the tests compare with this one byte for byte.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pathway_cli.cache import (
    CaseCache,
    Fingerprint,
    cache_disabled,
    folder_fingerprint,
    open_cache,
)
from pathway_cli.dated import DatedFacts, decide_dated, file_path
from pathway_cli.findings import (
    Finding,
    KeyPath,
    LineSource,
    Severity,
    ValidationResult,
    sort_findings,
)
from pathway_cli.locating import (
    MENTORS_FILE,
    SETTINGS_FILE,
    locate,
    resolved_path,
    settings_digest,
    stray_findings,
)

if TYPE_CHECKING:
    from pathway_cli.caseload import Case, Caseload
    from pathway_cli.loader import Source
    from pathway_cli.validation import Context

__all__ = ["CachedLines", "CaseloadEntry", "CheckedEntry", "free_of_errors", "validate_checked"]

KIND = "checked"
CASELOAD_KIND = "checked-caseload"
# The entry of cases named outside any caseload (no settings file) sits under this name.
_NO_CASELOAD = Path("<no caseload>")

# An entry names files as text, not as Path objects: making thousands of Paths was the
# dearest part of reading the entries, and only the files of reported findings need one.
Place = tuple[str, KeyPath | None, bool]
# From this many cases, the entries are looked up on both cores (``parallel.map_halves``:
# one fork, no pool). Looking up costs about 0.1 ms a case, the fork and the answers sent
# back 10-20 ms. PATHWAY_PARALLEL_MIN lowers it (tests).
WARM_MIN_CASES = 500
# A placed finding: file, line, column, severity, rule id, message.
Placed = tuple[str, int | None, int | None, str, str, str]


class CachedLines:
    """The lines of one file that its findings quote, as kept in an entry."""

    __slots__ = ("_lines",)

    def __init__(self, lines: dict[int, str]) -> None:
        self._lines = lines

    def line_text(self, line: int) -> str:
        """The source line ``line`` (1-based), as it was when the entry was written."""
        return self._lines.get(line, "")


@dataclass
class Answer:
    """One case's findings on one day, placed, as a lookup sends them back."""

    files: int
    findings: list[Placed]
    lines: dict[str, dict[int, str]]


@dataclass
class CheckedEntry:
    """What ``validate`` found in one case folder, less what depends on today."""

    files: int
    findings: list[Placed]
    facts: DatedFacts
    # Where each finding of the dated rules made when the entry was written was placed.
    places: dict[Place, tuple[int | None, int | None]] = field(default_factory=dict)
    lines: dict[str, dict[int, str]] = field(default_factory=dict)

    def answer_on(self, today: date, review_every_days: int) -> Answer | None:
        """Every finding of the case on ``today``, placed; None when a dated rule finds
        something the entry has no place for (the case is then checked afresh)."""
        found = list(self.findings)
        for finding in decide_dated(self.facts, today, review_every_days):
            file = str(finding.file)
            place = self.places.get((file, finding.key_path, finding.on_key))
            if place is None:
                return None
            found.append((file, place[0], place[1], finding.severity.value, finding.rule,
                          finding.message))
        return Answer(self.files, found, self.lines)

    def remember(self, older: CheckedEntry) -> None:
        """Keep the places (and quoted lines) of an older entry of the same folder state."""
        self.places = {**older.places, **self.places}
        for path, quoted in older.lines.items():
            self.lines[path] = {**quoted, **self.lines.get(path, {})}


@dataclass
class CaseloadEntry:
    """What ``validate`` found in pathway.yaml and mentors.yaml, and the two settings the
    cases' entries are read with."""

    review_every_days: int
    max_record_bytes: int
    files: int
    findings: list[Placed]
    lines: dict[str, dict[int, str]]


def _placed(finding: Finding) -> Placed:
    return (str(finding.file), finding.line, finding.column, finding.severity.value,
            finding.rule, finding.message)


_SEVERITY = {severity.value: severity for severity in Severity}


def _finding(placed: Placed) -> Finding:
    """The finding an entry keeps as plain values. A warm run makes thousands: the frozen
    dataclass's ``__init__`` (a ``setattr`` a field) is skipped for its fields' values."""
    file, line, column, severity, rule, message = placed
    finding = object.__new__(Finding)
    finding.__dict__.update(file=file_path(file), rule=rule, message=message,
                            severity=_SEVERITY[severity], key_path=None, line=line,
                            column=column, on_key=False)
    return finding


def _quoted_lines(findings: Sequence[Finding],
                  sources: dict[Path, Source]) -> dict[str, dict[int, str]]:
    """The source line under each placed finding, for the files a report quotes."""
    lines: dict[str, dict[int, str]] = {}
    for finding in findings:
        source = sources.get(finding.file)
        if source is not None and finding.line:
            lines.setdefault(str(finding.file), {})[finding.line] = \
                source.line_text(finding.line)
    return lines


def build_entry(case: Case, ctx: Context) -> CheckedEntry:
    """Check one loaded case as ``validation.check_case`` does, keeping apart what depends on
    today: the other findings placed, the dated rules' facts and the places of their
    findings on ``ctx.today``."""
    from pathway_cli.loader import place_findings
    from pathway_cli.validation import CASE_RULES, DATED_RULES, dated_facts

    found = case.findings
    for rule in CASE_RULES:
        if rule not in DATED_RULES:
            found.extend(rule(case, ctx))
    sources = {loaded.source.path: loaded.source for loaded in case.files()}
    facts = dated_facts(case)
    dated = decide_dated(facts, ctx.today, ctx.settings.review_every_days)
    placed = place_findings(sources, [*found, *dated])
    kept, today = placed[:len(found)], placed[len(found):]
    places: dict[Place, tuple[int | None, int | None]] = {
        (str(finding.file), finding.key_path, finding.on_key): (at.line, at.column)
        for finding, at in zip(dated, today, strict=True)
    }
    return CheckedEntry(len(sources), [_placed(f) for f in kept], facts, places,
                        _quoted_lines(placed, sources))


def _caseload_entry(caseload: Caseload, ctx: Context) -> CaseloadEntry:
    from pathway_cli.validation import caseload_findings

    found, sources = caseload_findings(caseload, ctx)
    return CaseloadEntry(caseload.settings.review_every_days, caseload.settings.max_record_bytes,
                         len(sources), [_placed(f) for f in found],
                         _quoted_lines(found, sources))


@dataclass
class Miss:
    """A folder its entry does not answer for: its fingerprint when looked up, and its entry
    of that very state when there is one (lacking a place for a finding of the day)."""

    found: Fingerprint | None
    entry: CheckedEntry | None = None


def _check_folders(misses: list[tuple[Path, Miss]],
                   job: tuple[Path | None, Context, int, Fingerprint]) -> list[CheckedEntry]:
    """Load and check case folders (in a worker process, or the calling one) and write their
    entries; the collector is paused meanwhile, as when loading a caseload.

    A folder whose entry lacked a place for a finding of today keeps the places it knew, so
    that going back to its day does not check the case again.
    """
    from pathway_cli.caseload import load_case_cached

    root, ctx, limit, key_tail = job
    store = open_cache(root)
    entries = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for folder, miss in misses:
            before = miss.found  # as looked up: a change since then fails the check below
            # a loaded case cached by another command is used, but none is written here:
            # the checked entry is what validate reads next time, and creating a file
            # costs more than anything else a case needs when it is checked cold
            case = load_case_cached(folder, store, limit, before, keep=False)
            entry = build_entry(case, ctx)
            if miss.entry is not None:
                entry.remember(miss.entry)
            if store is not None and before is not None and folder_fingerprint(folder) == before:
                store.put_value(folder, (*before, *key_tail), entry, KIND)
            entries.append(entry)
    finally:
        if was_enabled:
            gc.enable()
    return entries


def _cold(paths: Sequence[Path], today: date, whole_cases: bool,
          jobs: int | None) -> ValidationResult:
    from pathway_cli.caseload import open_caseload
    from pathway_cli.validation import validate_folders

    caseload = open_caseload(paths)
    if whole_cases:
        caseload.only_files = None
    return validate_folders(caseload, today, jobs)


def validate_checked(paths: Sequence[Path], today: date, *, whole_cases: bool = False,
                     jobs: int | None = None) -> ValidationResult:
    """``validation.validate_folders`` answered from the cache of checked cases where the
    folders have not changed (the same result, byte for byte, in far less time)."""
    located = locate(paths)
    store = open_cache(located.root)
    digest = settings_digest(located.root) if store is not None else None
    if store is None or digest is None:
        return _cold(paths, today, whole_cases, jobs)
    only = None if whole_cases else located.only_files
    head_folder = located.root if located.root is not None else _NO_CASELOAD
    head_key: Fingerprint = (("settings", digest),)
    loaded: tuple[Caseload, Context] | None = None

    def opened() -> tuple[Caseload, Context] | None:
        """The caseload with its settings, opened once; None when the settings changed
        since they were hashed (the run then takes the cold path)."""
        nonlocal loaded
        if loaded is None:
            from pathway_cli.caseload import open_caseload
            from pathway_cli.validation import validation_context

            caseload = open_caseload(paths)
            loaded = caseload, validation_context(caseload, today)
        return loaded if settings_digest(located.root) == digest else None

    head = store.get_value(head_folder, head_key, CASELOAD_KIND)
    if not isinstance(head, CaseloadEntry):
        now = opened()
        if now is None:
            return _cold(paths, today, whole_cases, jobs)
        head = _caseload_entry(*now)
        store.put_value(head_folder, head_key, head, CASELOAD_KIND)

    key_tail: Fingerprint = (("max_record_bytes", head.max_record_bytes), ("settings", digest))
    folders = located.case_folders
    looked = _look_up_everywhere(folders, (store, key_tail, today, head.review_every_days), jobs)
    answers: list[Answer | None] = [item if isinstance(item, Answer) else None for item in looked]
    missing = [index for index, item in enumerate(looked) if isinstance(item, Miss)]
    misses = [(folders[index], item) for index, item in enumerate(looked)
              if isinstance(item, Miss)]
    if missing:
        now = opened()
        if now is None:
            return _cold(paths, today, whole_cases, jobs)
        from pathway_cli.parallel import map_chunks

        _, ctx = now
        fresh = map_chunks(misses, _check_folders,
                           (located.root, ctx, head.max_record_bytes, key_tail), jobs)
        for index, entry in zip(missing, fresh, strict=True):
            answers[index] = entry.answer_on(today, head.review_every_days)
    return _result(only, head, answers, located.strays)


# What looking up one folder gives: its answer for the day, or why not.
Looked = Answer | Miss


def _look_up(folders: list[Path], job: tuple[CaseCache, Fingerprint, date, int]) -> list[Looked]:
    store, key_tail, today, review_every_days = job
    looked: list[Looked] = []
    for folder in folders:
        found = folder_fingerprint(folder)
        entry = store.get_value(folder, (*found, *key_tail), KIND) if found is not None else None
        if isinstance(entry, CheckedEntry) and found is not None:
            answer = entry.answer_on(today, review_every_days)
            looked.append(answer if answer is not None else Miss(found, entry))
        else:
            looked.append(Miss(found))
    return looked


def _look_up_everywhere(folders: list[Path], job: tuple[CaseCache, Fingerprint, date, int],
                        jobs: int | None) -> list[Looked]:
    """``_look_up`` of every folder, on both cores for a big caseload (see WARM_MIN_CASES)."""
    from pathway_cli.parallel import map_halves

    return map_halves(folders, _look_up, job, jobs, WARM_MIN_CASES)


def _result(only: frozenset[Path] | None, head: CaseloadEntry,
            answers: Sequence[Answer | None], strays: Sequence[Path]) -> ValidationResult:
    """The run's result, as ``validation.validation_result`` assembles it."""
    placed = list(head.findings) + [_placed(one) for one in stray_findings(strays)]
    lines: dict[str, dict[int, str]] = {}
    for path, quoted in head.lines.items():
        lines.setdefault(path, {}).update(quoted)
    files = head.files
    for answer in answers:
        if answer is None:  # never: every case was checked afresh above
            raise AssertionError("a case was left unchecked")
        placed.extend(answer.findings)
        files += answer.files
        for path, quoted in answer.lines.items():
            lines.setdefault(path, {}).update(quoted)
    findings = [_finding(one) for one in placed]
    if only is not None:
        findings = [f for f in findings if resolved_path(f.file) in only]
        files = len(only)
    sources: dict[Path, LineSource] = {}
    for finding in findings:
        if finding.file not in sources and str(finding.file) in lines:
            sources[finding.file] = CachedLines(lines[str(finding.file)])
    return ValidationResult(sort_findings(findings), files, sources)


# --- a report's question: does this case have errors? ------------------------------------


def free_of_errors(caseload: Caseload, case: Case, today: date) -> bool:
    """True when the cache of checked cases knows that ``case``, in the state it was loaded
    in (``Case.state``), has no error on ``today``; False when it has one or is not known.

    A report is made from valid records only, and finding that out runs every error rule
    on the case. ``validate`` (a pre-commit hook, an editor, the morning's run) has usually
    checked the same folder state already with the same ``pathway.yaml`` and
    ``mentors.yaml``: its entry answers, its dated rules decided again for ``today``. The
    entry's key is the one ``validate`` writes: the folder's fingerprint, the record size
    bound and the settings' hash, taken when the question is first asked in this process
    (and again whenever either file's size, times or inode change).
    """
    state = case.state
    if state is None:
        return False
    known = _entries_of(caseload.root)
    if known is None:
        return False
    store, digest = known
    entry = store.get_value(case.folder, (*state, ("settings", digest)), KIND)
    if not isinstance(entry, CheckedEntry):
        return False
    if any(placed[3] == Severity.ERROR.value for placed in entry.findings):
        return False
    dated = decide_dated(entry.facts, today, caseload.settings.review_every_days)
    return not any(finding.is_error for finding in dated)


_ENTRIES: dict[tuple[Any, ...], tuple[CaseCache, str] | None] = {}


def _entries_of(root: Path | None) -> tuple[CaseCache, str] | None:
    """The cache and the settings' hash for the checked entries of the caseload at ``root``,
    made once per process for the same settings files (a batch asks for every case: opening
    the cache and hashing the settings cost more than the answer)."""
    key = (root, cache_disabled(), _settings_state(root),
           *(os.environ.get(name) for name in ("PATHWAY_CACHE_DIR", "XDG_CACHE_HOME", "HOME")))
    if key not in _ENTRIES:
        store = open_cache(root)
        digest = settings_digest(root) if store is not None else None
        _ENTRIES.clear()
        _ENTRIES[key] = None if store is None or digest is None else (store, digest)
    return _ENTRIES[key]


def _settings_state(root: Path | None) -> tuple[Any, ...] | None:
    """Size, times and inode of pathway.yaml and mentors.yaml (None for one that is absent)."""
    if root is None:
        return None
    rows: list[tuple[int, ...] | None] = []
    for name in (SETTINGS_FILE, MENTORS_FILE):
        try:
            info = (root / name).lstat()
        except OSError:
            rows.append(None)
            continue
        rows.append((info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    return tuple(rows)

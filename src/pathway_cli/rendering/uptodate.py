"""Bringing a folder of reports up to date: a batch makes only the reports that are out of date.

As make or Sphinx do: each case of a batch has an entry in the cache of loaded cases
(``cache.py``, kind ``render-<template>-<audience>-<format>``, so that batches for other
readers keep their own entries and a batch run again replaces its own), keyed by the case
folder's fingerprint (every file's name, size, times and inode). The entry holds:

- the digest of every other input of the report (``inputs_digest``): the options (template,
  audience, format, ``--today``, ``--date``, ``--lang``), the output folder, the bytes of
  pathway.yaml and mentors.yaml, the names, sizes and times of every file of the caseload's
  ``templates/`` folder (templates, report.css, report.typ, fonts) and of the built-in one,
  and the versions of the libraries that shape a report's bytes. pathway's own modules and
  message catalogues are in every entry's key already (``cache.pathway_fingerprint``);
- the outcome: the report file's name, and its size, mtime_ns, ctime_ns and inode right
  after pathway wrote it, or why the case was skipped;
- the learner's name and status (for the index, and for ``--status``).

It holds no report text: the output folder is the only copy. The index page, rewritten by
every batch, is kept with the batch's outcomes (an entry of the output folder, kind
``index-render-...``: the names, statuses and reasons the case entries hold, as the index
lists them), so that a batch with nothing to make imports neither the models nor Jinja.

A case is **up to date** when its folder is unchanged since its entry was written, the entry
was made with the same inputs and its report file is the one pathway wrote (same size,
times and inode; for a skipped case: no report file). It is then neither loaded, nor
rendered, nor written. Any doubt (no entry, another digest, the file missing, edited or
replaced) makes the report again, as a batch without the cache does. A case whose status
was not asked for is recorded too, so that the next batch picks by ``--status`` without
loading it: the status in an entry is valid while the folder's fingerprint is unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from pathway_cli.locating import MAX_TEMPLATE_ENTRIES
from pathway_cli.rendering.outcomes import (
    BatchResult,
    Kind,
    Outcome,
    nothing_to_render,
    report_file_name,
    status_wanted,
)
from pathway_cli.terms import OutputFormat

if TYPE_CHECKING:
    from pathway_cli.cache import CaseCache, Fingerprint
    from pathway_cli.facts import CaseloadView
    from pathway_cli.rendering.options import RenderOptions

__all__ = [
    "BatchRequest",
    "ReportEntry",
    "bring_up_to_date",
    "entry_kind",
    "inputs_digest",
]

# Raised when what an entry holds, or how its digest is made, changes meaning.
_ENTRY_VERSION = 1
# The libraries whose version changes a report's bytes, by format.
_LIBRARIES = {
    OutputFormat.md: ("jinja2", "babel"),
    OutputFormat.html: ("jinja2", "babel", "markdown-it-py"),
    OutputFormat.pdf: ("jinja2", "babel", "markdown-it-py", "typst"),
}
# An entry kind is part of a file name: a template named otherwise is not cached.
_KIND_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class BatchRequest(NamedTuple):
    """What a batch is asked for: ``RenderOptions`` as plain values, so that a batch with
    nothing to make need not import the models."""

    template: str
    audience: str
    fmt: OutputFormat
    today: date
    review_date: date | None = None
    lang: str | None = None

    def options(self) -> RenderOptions:
        """The render options of this request."""
        from pathway_cli.rendering.options import RenderOptions

        return RenderOptions(self.template, self.audience,  # type: ignore[arg-type]
                             self.fmt, self.today, self.review_date, self.lang)


class ReportEntry(NamedTuple):
    """What the cache keeps of one case's report (no report text)."""

    inputs: bytes  # ``inputs_digest`` of the batch that made it
    kind: str  # an outcome kind ("written", "consent"...) or "unselected"
    file: str  # the report's file name in the output folder
    stat: tuple[int, int, int, int] | None  # size, mtime_ns, ctime_ns, inode once written
    reason: str | None
    name: str
    status: str


def entry_kind(request: BatchRequest) -> str | None:
    """The cache entry kind of a batch's cases (None: a template name not fit for one)."""
    parts = (request.template, request.audience)
    if not all(_KIND_PART.fullmatch(part) for part in parts):
        return None
    return f"render-{request.template}-{request.audience}-{request.fmt.value}"


def _tree_rows(folder: Path) -> list[tuple[Any, ...]] | None:
    """Name, size, times and inode of every file and folder under ``folder`` (links
    followed for their target's stat, not walked into: a caseload's templates/ may only
    link inside itself); [] when there is no such folder, None when it cannot be read."""
    rows: list[tuple[Any, ...]] = []
    if not folder.is_dir():
        return rows
    try:
        for current, folders, files in os.walk(folder, onerror=_raise):
            for name in sorted([*folders, *files]):
                path = os.path.join(current, name)  # noqa: PTH118 - many files, on strings
                info = os.stat(path)  # noqa: PTH116
                rows.append((os.path.relpath(path, folder), info.st_mode, info.st_size,
                             info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
                if len(rows) > MAX_TEMPLATE_ENTRIES:  # refused by the renderer: no cache
                    return None
    except (OSError, RuntimeError):
        return None
    rows.sort()
    return rows


def _raise(error: OSError) -> None:
    raise error


def _library_versions(fmt: OutputFormat) -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in _LIBRARIES[fmt]:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} absent")
    return found


def inputs_digest(request: BatchRequest, root: Path | None, out_dir: Path) -> bytes | None:
    """A digest of every input of a batch's reports but the case folders (see the module's
    description); None when one of them cannot be read: nothing is then up to date."""
    from pathway_cli.locating import builtin_templates, settings_digest

    settings = settings_digest(root)
    if settings is None:
        return None
    builtin = builtin_templates()
    trees = [_tree_rows(root / "templates") if root is not None else [], _tree_rows(builtin)]
    if any(rows is None for rows in trees):
        return None
    described = (
        _ENTRY_VERSION, request.template, request.audience, request.fmt.value,
        request.today.isoformat(), request.review_date and request.review_date.isoformat(),
        request.lang, os.path.realpath(out_dir), settings, trees, str(builtin),
        _library_versions(request.fmt),
    )
    return hashlib.sha256(repr(described).encode()).digest()


class _Look(NamedTuple):
    root: Path | None
    kind: str
    inputs: bytes
    out_dir: str
    limit: int


# What the look finds of a folder: its entry (None: none for its present state), whether
# its report is up to date, and the folder's fingerprint when it is not (the state the
# entry made this run will describe; None when the folder cannot be read).
Looked = tuple["ReportEntry | None", bool, "Fingerprint | None"]


def _look(folders: list[Path], job: _Look) -> list[Looked]:
    """What the look finds of each folder (``Looked``)."""
    from pathway_cli.cache import case_key, folder_fingerprint, open_cache

    store = open_cache(job.root)
    found: list[Looked] = []
    for folder in folders:
        entry = None
        fingerprint = folder_fingerprint(folder) if store is not None else None
        if store is not None and fingerprint is not None:
            value = store.get_value(folder, case_key(fingerprint, job.limit), job.kind)
            entry = value if isinstance(value, ReportEntry) else None
        current = entry is not None and _current(entry, job)
        found.append((entry, current, None if current else fingerprint))
    return found


def _current(entry: ReportEntry, job: _Look) -> bool:
    """True when the entry was made with these inputs and the output folder still holds
    what pathway left there: the report it wrote, or no report of a skipped case."""
    if entry.inputs != job.inputs or entry.kind == "unselected":
        return False
    try:
        info = os.lstat(os.path.join(job.out_dir, entry.file))  # noqa: PTH118
    except FileNotFoundError:
        return entry.kind != "written"
    except OSError:
        return False
    return entry.kind == "written" and entry.stat == (
        info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _outcome(folder: Path, entry: ReportEntry, out_dir: Path) -> Outcome:
    written = entry.kind == "written"
    return Outcome(folder.name, entry.name, entry.status, cast("Kind", entry.kind),
                   out_dir / entry.file if written else None, entry.reason, current=True)


def _now() -> int:
    """The time of a look at the case folders, in nanoseconds (the machine's clock)."""
    return time.time_ns()


class _Recorder:
    """Stores the entries of the cases rendered this run, each only when its folder is
    still as it was before the case was loaded.

    The entries are written by a thread of their own: the process that writes the reports
    is what a batch on workers waits for, and an entry's rename costs as much as a report's
    (half a millisecond each on a busy disk). ``close()`` waits for the last one.
    """

    def __init__(self, store: CaseCache, request: BatchRequest, kind: str, inputs: bytes,
                 limit: int) -> None:
        self.store, self.request, self.kind, self.inputs = store, request, kind, inputs
        self.limit = limit
        self.before: dict[str, tuple[Path, Fingerprint]] = {}
        self._queue: queue.SimpleQueue[tuple[Path, Fingerprint, ReportEntry] | None] = \
            queue.SimpleQueue()
        self._writer: threading.Thread | None = None

    def watch(self, folders: Sequence[Path], looked: Mapping[str, Fingerprint]) -> None:
        """Keep the folders' fingerprints, taken by the look before their cases are loaded.

        A folder with a file changed within a clock tick or two of this look is left out
        (its report is made again next time), as git treats "racily clean" files: a second
        change within the same tick would keep the file's times, and the case loaded after
        the look could be older than the folder the entry would then claim to describe.
        """
        from pathway_cli.cache import _TICK_NS, _newest_change, case_key

        settled = _now() - _TICK_NS
        for folder in folders:
            found = looked.get(folder.name)
            if found is not None and _newest_change(found) < settled:
                self.before[folder.name] = (folder, case_key(found, self.limit))

    def outcome(self, outcome: Outcome) -> None:
        """Record a case rendered (its report written) or skipped."""
        request = self.request
        name = report_file_name(outcome.case_id, request.template, request.audience,
                                request.fmt)
        written = None
        if outcome.written and outcome.path is not None:
            try:
                info = os.lstat(outcome.path)
            except OSError:
                return
            name = outcome.path.name
            written = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        self._store(outcome, ReportEntry(self.inputs, outcome.kind, name, written,
                                         outcome.reason, outcome.name, outcome.status))
        if self._writer is None:  # from the first outcome on: by then the renderer's
            # workers are forked, so no process is forked while this thread runs
            self._writer = threading.Thread(target=self._write, name="pathway-entries",
                                            daemon=True)
            self._writer.start()

    def unselected(self, outcome: Outcome) -> None:
        """Record the status of a case looked at whose status was not asked for."""
        self._store(outcome, ReportEntry(self.inputs, "unselected", "", None, None,
                                         outcome.name, outcome.status))

    def _store(self, outcome: Outcome, entry: ReportEntry) -> None:
        known = self.before.get(outcome.case_id)
        if known is not None:
            self._queue.put((*known, entry))

    def _write(self) -> None:
        # The entry is keyed by the folder's state before its case was loaded: a folder
        # changed since has another fingerprint, so the entry is never taken for its new
        # state (a change within the same clock tick is left out by ``watch``).
        while (job := self._queue.get()) is not None:
            folder, fingerprint, entry = job
            with contextlib.suppress(Exception):  # a lost entry only makes a report again
                self.store.put_value(folder, fingerprint, entry, self.kind)

    def close(self) -> None:
        """Wait until every entry is written (here, when no report was: no thread then)."""
        self._queue.put(None)
        if self._writer is None:
            self._write()
        else:
            self._writer.join()
            self._writer = None


def _index_key(inputs: bytes, outcomes: Sequence[Outcome]) -> tuple[tuple[str, str], ...]:
    listed = [(o.case_id, o.name, o.status, o.kind, o.path.name if o.path else None, o.reason)
              for o in outcomes]
    return (("outcomes", hashlib.sha256(repr((inputs, listed)).encode()).hexdigest()),)


def _write_known_index(store: CaseCache, kind: str, inputs: bytes, out_dir: Path,
                       result: BatchResult) -> bool:
    """Write the index page kept for exactly these outcomes; False when none is kept."""
    place = Path(os.path.realpath(out_dir))
    value = store.get_value(place, _index_key(inputs, result.outcomes), "index-" + kind)
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], bytes) and "/" not in value[0]):
        return False
    name, data = value
    from pathway_cli.writer import ensure_inside, write_report

    path = ensure_inside(out_dir / name, out_dir)
    write_report(path, data, durable=False)  # the folder is synced once, at the end
    result.index, result.index_data = path, data
    return True


def bring_up_to_date(
    view: CaseloadView,
    request: BatchRequest,
    statuses: Collection[str],
    out_dir: Path,
    *,
    jobs: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_looked: Callable[[int], None] | None = None,
) -> BatchResult:
    """Render the cases of ``view`` whose status is in ``statuses`` into ``out_dir`` as
    ``batch.render_cases`` does, making only the reports that are out of date; the others
    are in the result as ``current`` outcomes. ``on_outcome`` hears of each report made
    or case skipped this run, ``on_looked(n)`` that ``n`` more cases were looked at.

    With the cache off (``--no-cache``) every report is made.
    """
    from pathway_cli.cache import open_cache
    from pathway_cli.facts import WARM_MIN_CASES, _collector_paused
    from pathway_cli.parallel import map_halves
    from pathway_cli.writer import refuse_record_area, sync_folder

    refuse_record_area(out_dir, view.root)
    wanted = frozenset(statuses)
    looked = on_looked or (lambda count: None)
    folders = sorted(view.case_folders, key=lambda folder: folder.name)  # id order
    store = open_cache(view.root)
    kind = entry_kind(request)
    inputs = None
    if store is not None and kind is not None:
        inputs = inputs_digest(request, view.root, out_dir)
    known: list[Outcome] = []
    stale = folders
    fingerprints: dict[str, Fingerprint] = {}
    place = Path(os.path.realpath(out_dir))
    if store is not None and kind is not None and inputs is not None:
        job = _Look(view.root, kind, inputs, os.fspath(place), view.settings.max_record_bytes)
        with _collector_paused():
            found = map_halves(folders, _look, job, jobs, WARM_MIN_CASES)
        stale = []
        for folder, (entry, current, fingerprint) in zip(folders, found, strict=True):
            if fingerprint is not None:
                fingerprints[folder.name] = fingerprint
            if entry is None:
                stale.append(folder)
            elif not status_wanted(entry.status, wanted):
                continue  # of another status: known without loading the case
            elif current:
                known.append(_outcome(folder, entry, place))
            else:
                stale.append(folder)
        looked(len(folders) - len(stale))
    if not stale:
        if not known:
            raise nothing_to_render(statuses)
        result = BatchResult(known)
        assert store is not None and kind is not None and inputs is not None  # noqa: S101
        if not _write_known_index(store, kind, inputs, out_dir, result):
            from pathway_cli.rendering.batch import write_index

            write_index(view.caseload(), request.options(), out_dir, result)
        sync_folder(out_dir)
        return result
    return _render_stale(view, request, statuses, out_dir, (stale, fingerprints), known,
                         store, kind, inputs, on_outcome, looked, jobs)


def _render_stale(view: CaseloadView, request: BatchRequest, statuses: Collection[str],
                  out_dir: Path, looked_at: tuple[list[Path], dict[str, Fingerprint]],
                  known: list[Outcome],
                  store: CaseCache | None, kind: str | None, inputs: bytes | None,
                  on_outcome: Callable[[Outcome], None] | None,
                  looked: Callable[[int], None], jobs: int | None) -> BatchResult:
    """The out-of-date cases rendered through the renderer, their entries and the index's
    stored."""
    from pathway_cli.rendering.batch import render_cases

    stale, fingerprints = looked_at
    recorder = None
    if store is not None and kind is not None and inputs is not None:
        recorder = _Recorder(store, request, kind, inputs, view.settings.max_record_bytes)
        recorder.watch(stale, fingerprints)

    def heard(outcome: Outcome) -> None:
        if recorder is not None:
            recorder.outcome(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    caseload = view.caseload()
    caseload.case_folders = stale
    try:
        result = render_cases(caseload, statuses, request.options(), out_dir, jobs=jobs,
                              on_outcome=heard, on_looked=looked, known=known,
                              on_unselected=recorder.unselected if recorder else None)
    finally:
        if recorder is not None:
            recorder.close()
    if (store is not None and kind is not None and inputs is not None
            and result.index is not None and result.index_data is not None):
        store.put_value(Path(os.path.realpath(out_dir)), _index_key(inputs, result.outcomes),
                        (result.index.name, result.index_data), "index-" + kind)
    return result

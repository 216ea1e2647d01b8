"""Whole-caseload work on every core: cases split across worker processes.

Each worker loads its share of the case folders (through the cache of loaded cases), applies
one per-case function and sends back only that function's compact result (findings, alerts,
summary rows), never the loaded records. Results come back in the order of the folders, and
every command orders its output itself, so the output is byte for byte that of one process.

Workers start only when the caseload is big enough for them to win: below ``MIN_CASES``
everything runs in the calling process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # the caseload and its models are imported when cases are loaded, not by
    # ``pathway --jobs`` being set, nor by a run answered from the cache of checked cases;
    # multiprocessing when a pool starts (a warm run forks without one)
    import multiprocessing.context

    from pathway_cli.caseload import Case, Caseload

__all__ = ["MIN_CASES", "map_cases", "map_chunks", "map_halves", "set_jobs", "worker_count"]

A = TypeVar("A")
R = TypeVar("R")

# Fewer cases than this are checked in one process: starting workers and sending results
# back costs more than it saves. Measured on 2 cores, cold validate of generated caseloads
# (generate.py --years 1), medians of 3, one process vs two: 50 cases 0.38 vs 0.43 s,
# 100 cases 0.49 vs 0.48 s (the break-even), 200 cases 0.69 vs 0.58 s.
MIN_CASES = 200
# Each worker takes several chunks, so that one slow share does not leave a core idle.
CHUNKS_PER_WORKER = 4

_ASKED: dict[str, int | None] = {"jobs": None}


def set_jobs(jobs: int | None) -> None:
    """The number of worker processes asked for (``pathway --jobs``); None: one per core."""
    _ASKED["jobs"] = jobs


def worker_count(cases: int, jobs: int | None = None) -> int:
    """How many processes to use for ``cases`` cases: 1 means the calling process only."""
    asked = jobs if jobs is not None else _ASKED["jobs"]
    if asked is None:
        env = os.environ.get("PATHWAY_JOBS", "")
        asked = int(env) if env.isdigit() and int(env) > 0 else None
    cores = asked if asked is not None else (os.cpu_count() or 1)
    minimum = int(os.environ.get("PATHWAY_PARALLEL_MIN", MIN_CASES) or MIN_CASES)
    if cores <= 1 or cases < max(minimum, 2):
        return 1
    return min(cores, cases)


def _chunks(folders: Sequence[A], count: int) -> list[list[A]]:
    size, extra = divmod(len(folders), count)
    chunks, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        if end > start:
            chunks.append(list(folders[start:end]))
        start = end
    return chunks


def _run_chunk(
    job: tuple[Path | None, list[Path], int, Callable[[Case, Any], Any], Any],
) -> list[Any]:
    from pathway_cli.caseload import load_cases

    root, folders, limit, task, argument = job
    return [task(case, argument) for case in load_cases(root, folders, limit)]


def _run_items(job: tuple[list[Any], Callable[[list[Any], Any], list[Any]], Any]) -> list[Any]:
    items, task, argument = job
    return task(items, argument)


def _context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # fork starts a worker in milliseconds with every module already imported; where fork
    # is not safe (macOS, Windows) the platform's default is used.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def map_cases(caseload: Caseload, task: Callable[[Case, A], R], argument: A,
              jobs: int | None = None) -> list[R]:
    """``task(case, argument)`` for every case of ``caseload.case_folders``, in their order.

    ``task`` must be a module-level function and ``argument`` picklable, since they travel
    to the workers. In one process, the cases are loaded into ``caseload.cases`` as
    ``load_caseload`` would; with workers, ``caseload.cases`` stays empty.
    """
    from pathway_cli.caseload import load_cases

    folders = caseload.case_folders
    workers = worker_count(len(folders), jobs)
    if workers <= 1:
        if not caseload.cases:
            caseload.cases = load_cases(caseload.root, folders,
                                        caseload.settings.max_record_bytes)
        return [task(case, argument) for case in caseload.cases]
    jobs_list = [(caseload.root, chunk, caseload.settings.max_record_bytes, task, argument)
                 for chunk in _chunks(folders, workers * CHUNKS_PER_WORKER)]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        parts = list(pool.map(_run_chunk, jobs_list))
    return [result for part in parts for result in part]


def map_chunks(items: Sequence[A], task: Callable[[list[A], Any], list[R]], argument: Any,
               jobs: int | None = None) -> list[R]:
    """``task(chunk, argument)`` over ``items`` cut into chunks, one result an item, in order.

    For work that is not "load these cases" (the cache of checked cases loads only the
    folders it has no entry for): in the calling process when there are fewer items than
    ``MIN_CASES``, else on every core, with the same rules as ``map_cases``.
    """
    workers = worker_count(len(items), jobs)
    if workers <= 1:
        return task(list(items), argument) if items else []
    jobs_list = [(chunk, task, argument)
                 for chunk in _chunks(items, workers * CHUNKS_PER_WORKER)]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        parts = list(pool.map(_run_items, jobs_list))
    return [result for part in parts for result in part]


def map_halves(items: Sequence[A], task: Callable[[list[A], Any], list[R]], argument: Any,
               jobs: int | None = None, least: int = MIN_CASES, *,
               send: Callable[[list[R]], Any] | None = None,
               receive: Callable[[Any], list[R]] | None = None) -> list[R]:
    """``task(chunk, argument)`` over ``items``, one result an item, in order: the second
    half (a little less) in a forked child while this process does the first.

    For short work on many items (answers from the cache: a warm run costs a few tenths of
    a second), where a pool of workers costs more to start than it saves. One fork, one
    pipe; the child sends its results pickled and ends without running any exit handler
    (so nothing buffered is written twice). Where fork is not safe (macOS, Windows), with
    ``--jobs 1``, or for fewer than ``least`` items (``PATHWAY_PARALLEL_MIN`` lowers it),
    everything runs here. A child that fails or dies only costs time: its half is done here.

    ``send`` turns the child's results into what travels (plain tuples pickle and load in a
    fraction of the time of objects with a dict each), ``receive`` turns that back into the
    results, in the parent; both are left out of a run in one process.
    """
    least = int(os.environ.get("PATHWAY_PARALLEL_MIN") or least)
    if (not sys.platform.startswith("linux") or len(items) < max(least, 2)
            or worker_count(len(items), jobs) <= 1):
        return task(list(items), argument) if items else []
    import pickle

    # the child also pickles its half's results and the parent unpickles them: the parent
    # takes a little more of the items, so that both are done at about the same time
    middle = len(items) * 53 // 100
    first, second = list(items[:middle]), list(items[middle:])
    sys.stdout.flush()
    sys.stderr.flush()
    reading, writing = os.pipe()
    try:
        child = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return task(first, argument) + task(second, argument)
    if child == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(reading)
        code = 0
        try:
            results = task(second, argument)
            payload = pickle.dumps(results if send is None else send(results),
                                   protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writing, "wb") as out:
                out.write(payload)
        except BaseException:  # the parent does this half itself
            code = 1
        os._exit(code)
    os.close(writing)
    try:
        mine = task(first, argument)
    finally:
        with os.fdopen(reading, "rb") as incoming:
            received = incoming.read()
        _, status = os.waitpid(child, 0)
    theirs: list[R] | None = None
    if os.waitstatus_to_exitcode(status) == 0:
        try:
            theirs = pickle.loads(received)  # noqa: S301 - our own child's results
            if receive is not None:
                theirs = receive(theirs)
        except Exception:  # a half sent wrong is done again here
            theirs = None
    if theirs is None or len(theirs) != len(second):
        theirs = task(second, argument)
    return mine + theirs

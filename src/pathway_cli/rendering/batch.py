"""Batch rendering: one report per case into a folder, with an index page.

A case that cannot be reported on is skipped with its reason and the batch goes on;
PDFs are typeset in worker processes; files are written atomically and the folder is
synced once at the end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from pathway_cli.caseload import Case, Caseload, load_cases
from pathway_cli.errors import UserError
from pathway_cli.i18n import Language, UnknownLanguage, language_problem, parse_languages
from pathway_cli.parallel import CHUNKS_PER_WORKER, worker_count
from pathway_cli.redaction import ConsentRefused
from pathway_cli.rendering.context import _report_header
from pathway_cli.rendering.escaping import markdown_escape
from pathway_cli.rendering.filters import _oneline, _words, long_date
from pathway_cli.rendering.finishing import (
    Assets,
    _typeset_problem,
    assets_for,
    finish,
)
from pathway_cli.rendering.options import (
    AUDIENCE_WORDS,
    ENGLISH,
    REPORT_NAMES,
    AudienceRefused,
    CaseInvalid,
    OutputFormat,
    RenderOptions,
    TemplateProblem,
)
from pathway_cli.rendering.outcomes import (
    BatchResult,
    Kind,
    Outcome,
    nothing_to_render,
    report_file_name,
)
from pathway_cli.rendering.picking import case_wanted, load_wanted, unselected_case
from pathway_cli.rendering.preparing import (
    Prepared,
    _check_settings,
    _check_template_name,
    _page_meta,
    prepare_case,
)
from pathway_cli.typesetting import PdfWorkers, TypesetError
from pathway_cli.writer import (
    ensure_inside,
    inside,
    make_output_folder,
    refuse_record_area,
    sync_folder,
    write_report,
)

__all__ = [
    "BatchResult",
    "Outcome",
    "render_batch",
    "render_cases",
    "select_cases",
    "write_index",
]


def select_cases(caseload: Caseload, statuses: Iterable[str]) -> list[Case]:
    """Cases whose status is in ``statuses`` ("all" for every one), in id order.

    A case whose learner.yaml cannot be read is kept, so the batch reports it.
    """
    wanted = set(statuses)
    return sorted((c for c in caseload.cases if case_wanted(c, wanted)), key=lambda c: c.id)


def _skip(case: Case, error: UserError) -> Outcome:
    kind: Kind = "unavailable"
    if isinstance(error, CaseInvalid):
        kind = "invalid"
    elif isinstance(error, ConsentRefused):
        kind = "consent"
    elif isinstance(error, AudienceRefused):
        kind = "audience"
    elif isinstance(error, TemplateProblem):
        kind = "template"
    learner = case.learner
    reason = error.message.removeprefix(f"{case.id}: ")
    return Outcome(case.id, learner.name if learner else "", learner.status if learner else "",
                   kind, reason=reason)


def _made(case: Case) -> Outcome:
    """The outcome of a report that was made; the file is named when it is written."""
    learner = case.learner
    return Outcome(case.id, learner.name if learner else "", learner.status if learner else "",
                   "written")


# What one case came to in a text batch: ("written", (Outcome, bytes)), ("skipped", Outcome),
# ("unselected", Outcome) for a case of another status, or ("template", (message, hint)) for
# a broken template, which stops the batch.
Made = tuple[str, Any]


def _make_text_report(caseload: Caseload, case: Case, options: RenderOptions,
                      assets: Assets) -> Made:
    try:
        data = finish(prepare_case(caseload, case, options), options.fmt, assets)
    except TemplateProblem as problem:
        return "template", (problem.message, problem.hint)
    except UserError as error:
        return "skipped", _skip(case, error)
    return "written", (_made(case), data)


def _workers(jobs: int | None) -> int:
    return max(1, jobs if jobs is not None else (os.cpu_count() or 1))


# What forked workers of a Markdown or HTML batch render from: set before the fork.
_BATCH: dict[str, Any] = {}


def _text_workers(cases: int, jobs: int | None) -> int:
    """Processes for a Markdown or HTML batch: as for validate (``parallel.worker_count``),
    where the system can fork (the workers inherit the parent's settings, templates and
    loaded cases rather than a copy sent to them)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return worker_count(cases, jobs)


def _render_text_chunk(job: range | list[Path]) -> tuple[int, list[Made]]:
    """In a worker: how many cases it looked at, and the reports of its share in order.

    The share is ``job``: positions in the parent's loaded cases, or case folders that
    the worker loads itself (through the cache of loaded cases) and picks by status.
    """
    caseload, cases, statuses, options, assets = _BATCH["batch"]
    done: list[Made] = []
    if isinstance(job, range):
        chosen = [cases[index] for index in job]
        looked = len(chosen)
    else:
        chosen, others = load_wanted(caseload.root, job, statuses,
                                     caseload.settings.max_record_bytes)
        done += [("unselected", outcome) for outcome in others]
        looked = len(job)
    for case in chosen:
        done.append(_make_text_report(caseload, case, options, assets))
        if done[-1][0] == "template":
            break
    return looked, done


def _shares(count: int, parts: int) -> list[range]:
    """``range(count)`` cut into ``parts`` consecutive shares of nearly equal size."""
    size, extra = divmod(count, parts)
    bounds = [0]
    for index in range(parts):
        bounds.append(bounds[-1] + size + (1 if index < extra else 0))
    return [range(start, end) for start, end in itertools.pairwise(bounds) if end > start]


def _text_reports(batch: tuple[Caseload, Sequence[Case], frozenset[str], RenderOptions, Assets],
                  jobs: Sequence[range | list[Path]],
                  workers: int) -> Iterator[tuple[int, list[Made]]]:
    """The results of ``_render_text_chunk`` for each job, in order, made in ``workers``
    forked processes, a few jobs each so that no core waits for another."""
    _BATCH["batch"] = batch
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_render_text_chunk, job) for job in jobs]
        for future in futures:
            yield future.result()
    finally:
        pool.shutdown(cancel_futures=True)
        _BATCH.clear()


def _check_batch(caseload: Caseload, options: RenderOptions, out_dir: Path) -> None:
    """Refuse a batch that would fail for every case alike, or write among the records."""
    _check_template_name(options.template)
    _check_settings(caseload)
    unknown = language_problem(caseload.settings.locale)
    if options.lang is None and unknown is not None:  # every case would be refused alike
        raise UserError(f"pathway.yaml: locale: {unknown}",
                        hint="set locale in pathway.yaml to one of these, or give --lang")
    refuse_record_area(out_dir, caseload.root)


class _Batch:
    """The parent's side of a batch: writes each report, records each outcome in order.

    ``known`` are the outcomes of cases whose reports are up to date (``uptodate``): listed
    in the index, not made again. ``on_unselected`` hears of each case looked at whose
    status was not asked for.
    """

    def __init__(self, caseload: Caseload, options: RenderOptions, out_dir: Path,
                 on_outcome: Callable[[Outcome], None] | None,
                 known: Iterable[Outcome] = (),
                 on_unselected: Callable[[Outcome], None] | None = None) -> None:
        self.caseload, self.options, self.out_dir = caseload, options, out_dir
        self.on_outcome = on_outcome
        self.on_unselected = on_unselected
        self.outcomes: dict[str, Outcome] = {outcome.case_id: outcome for outcome in known}
        self.resolved: Path | None = None  # out_dir, resolved once a report is written

    def _report_path(self, case_id: str) -> Path:
        options = self.options
        if self.resolved is None:
            self.resolved = self.out_dir.resolve()
        return inside(self.resolved, report_file_name(case_id, options.template,
                                                      options.audience, options.fmt))

    def record(self, outcome: Outcome) -> None:
        if not outcome.written:
            outcome = self._remove_old_report(outcome)
        self.outcomes[outcome.case_id] = outcome
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def _remove_old_report(self, skipped: Outcome) -> Outcome:
        """A skipped case's report from an earlier batch is deleted: left in the folder it
        would pass for current, though the records changed, are invalid or the consent
        was withdrawn."""
        path = self._report_path(skipped.case_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return skipped
        except OSError as exc:
            raise UserError(f"cannot remove the old report {path}: {exc.strerror or exc}",
                            hint=f"{skipped.case_id} is not rendered ({skipped.reason}); "
                            "remove the file by hand") from None
        return dataclasses.replace(skipped, removed=path)

    def write(self, made: Outcome, data: bytes) -> None:
        path = self._report_path(made.case_id)
        write_report(path, data, durable=False)  # one sync of the folder at the end
        self.record(dataclasses.replace(made, path=path))

    def take(self, made: Made) -> None:
        kind, value = made
        if kind == "written":
            self.write(*value)
        elif kind == "skipped":
            self.record(value)
        elif kind == "unselected":
            if self.on_unselected is not None:
                self.on_unselected(value)
        else:  # a broken template: every case would fail the same way
            raise TemplateProblem(value[0], hint=value[1])

    def finish(self) -> BatchResult:
        """The result in id order, with the index written and the folder synced."""
        outcomes = self.outcomes
        result = BatchResult([outcomes[key] for key in sorted(outcomes)])
        write_index(self.caseload, self.options, self.out_dir, result)
        sync_folder(self.out_dir)
        return result


def render_cases(
    caseload: Caseload,
    statuses: Collection[str],
    options: RenderOptions,
    out_dir: Path,
    *,
    jobs: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_looked: Callable[[int], None] | None = None,
    known: Sequence[Outcome] = (),
    on_unselected: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Render the cases of ``caseload.case_folders`` whose status is in ``statuses`` ("all"
    for every one) into ``out_dir``, as ``render_batch`` does; ``on_looked(n)`` says that
    ``n`` more cases were looked at, chosen or not, and ``on_unselected`` hears of each
    case whose status was not asked for. ``known``: the outcomes of other cases, whose
    reports are up to date, for the index.

    A Markdown or HTML batch big enough for workers loads no case in this process: each
    worker loads its share of the folders, picks by status and sends back the reports,
    which are written here in id order. Otherwise the cases are loaded here. Raises
    UserError, writing nothing, when no case has one of ``statuses``.
    """
    _check_batch(caseload, options, out_dir)
    wanted = frozenset(statuses)
    folders = sorted(caseload.case_folders, key=lambda folder: folder.name)  # id order
    workers = _text_workers(len(folders), jobs)
    looked = on_looked or (lambda count: None)
    if options.fmt is OutputFormat.pdf or workers <= 1 or caseload.cases:
        if not caseload.cases:
            caseload.cases = load_cases(caseload.root, caseload.case_folders,
                                        caseload.settings.max_record_bytes)
        cases = select_cases(caseload, wanted)
        if not cases and not known:
            raise nothing_to_render(statuses)
        looked(len(caseload.cases) - len(cases))
        if on_unselected is not None:
            for case in sorted(caseload.cases, key=lambda case: case.id):
                if not case_wanted(case, wanted):
                    on_unselected(unselected_case(case))

        def outcome(done: Outcome) -> None:
            looked(1)
            if on_outcome is not None:
                on_outcome(done)

        return render_batch(caseload, cases, options, out_dir, jobs=jobs, on_outcome=outcome,
                            known=known)
    batch = _Batch(caseload, options, out_dir, on_outcome, known, on_unselected)
    assets = assets_for(caseload)
    jobs_list = [folders[share.start:share.stop]
                 for share in _shares(len(folders), workers * CHUNKS_PER_WORKER)]
    for count, made in _text_reports((caseload, (), wanted, options, assets), jobs_list,
                                     workers):
        for each in made:
            batch.take(each)
        looked(count)
    if not batch.outcomes:
        raise nothing_to_render(statuses)
    return batch.finish()


def render_batch(
    caseload: Caseload,
    cases: Sequence[Case],
    options: RenderOptions,
    out_dir: Path,
    *,
    jobs: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    known: Sequence[Outcome] = (),
) -> BatchResult:
    """Render ``cases`` into ``out_dir`` as ``<id>-<template>-<audience>.<ext>``, plus an index
    of them and of the ``known`` outcomes (other cases, whose reports are up to date).

    A case that is invalid, lacks consent or has nothing to report is skipped (a report
    file of it from an earlier batch is removed) and the batch goes on; a broken template
    stops it (every case would fail the same way).
    PDFs are compiled in ``jobs`` worker processes (default: one per core). Files are
    written atomically; the same records and date give the same bytes.
    """
    _check_batch(caseload, options, out_dir)
    make_output_folder(out_dir)
    assets = assets_for(caseload)
    batch = _Batch(caseload, options, out_dir, on_outcome, known)
    cases = sorted(cases, key=lambda c: c.id)
    if options.fmt is not OutputFormat.pdf:
        workers = _text_workers(len(cases), jobs)
        if workers > 1:
            shares: list[range | list[Path]] = list(
                _shares(len(cases), workers * CHUNKS_PER_WORKER))
            for _count, made in _text_reports((caseload, cases, frozenset(), options, assets),
                                              shares, workers):
                for each in made:
                    batch.take(each)
        else:
            for case in cases:
                batch.take(_make_text_report(caseload, case, options, assets))
        return batch.finish()
    workers = _workers(jobs)
    pool = PdfWorkers(min(workers, len(cases))) if workers > 1 and len(cases) > 1 else None
    # Reports in flight, oldest first: written in submission order, at most a few per worker,
    # so the parent's work stays linear in the number of cases.
    pending: deque[tuple[Future[bytes], Case]] = deque()
    in_flight = 2 * workers
    try:
        for case in cases:
            try:
                ready = prepare_case(caseload, case, options)
            except TemplateProblem:
                raise
            except UserError as error:
                batch.record(_skip(case, error))
                continue
            if pool is None:
                batch.write(_made(case), finish(ready, options.fmt, assets))
                continue
            future = pool.submit(ready.meta, assets.typst, ready.body, assets.typst_root,
                                 assets.font_dirs)
            pending.append((future, case))
            while len(pending) >= in_flight or (pending and pending[0][0].done()):
                done, done_case = pending.popleft()
                batch.write(_made(done_case), done.result())
        while pending:
            done, done_case = pending.popleft()
            batch.write(_made(done_case), done.result())
    except TypesetError as exc:
        raise _typeset_problem(exc) from None
    finally:
        if pool is not None:
            pool.close()
    return batch.finish()


def _index_language(caseload: Caseload, options: RenderOptions) -> Language:
    """The index is the team's list: in the team's language (the last of ``uk+de``)."""
    for wanted in (options.lang, caseload.settings.locale):
        if wanted is not None:
            with contextlib.suppress(UnknownLanguage):
                return parse_languages(wanted)[-1]
    return ENGLISH


def _index_markdown(options: RenderOptions, result: BatchResult, lang: Language) -> str:
    template, audience = options.template, options.audience
    _ = lang.gettext
    report = _(REPORT_NAMES[template]) if template in REPORT_NAMES else template
    count = len(result.written)
    lines = [
        # A translation may name the report by its title (report) rather than its id.
        lang.ngettext("%(num)d %(template)s report for %(reader)s, %(date)s.",
                      "%(num)d %(template)s reports for %(reader)s, %(date)s.", count)
        % {"num": count, "template": template, "report": markdown_escape(report),
           "reader": markdown_escape(_(AUDIENCE_WORDS[audience])),
           "date": long_date(options.today, lang)},
        "",
    ]
    if result.written:
        columns = (_("Learner"), _("Name"), _("Status"), _("Report"))
        lines += ["| " + " | ".join(columns) + " |", "|---|---|---|---|"]
        for o in result.written:
            assert o.path is not None  # noqa: S101 - written outcomes have a path
            name = o.path.name
            lines.append(f"| {o.case_id} | {markdown_escape(o.name)} | {_(_words(o.status))} | "
                         f"[{markdown_escape(name)}]({name}) |")
        lines.append("")
    if result.skipped and audience != "team":
        # This folder goes to the guardian or employer: who was left out, and why (consent,
        # errors in the records), is the team's business. The details are on stderr.
        count = len(result.skipped)
        lines += [lang.ngettext("%(num)d other case was not rendered.",
                                "%(num)d other cases were not rendered.", count)
                  % {"num": count}, ""]
    elif result.skipped:
        skipped = (_("Learner"), _("Name"), _("Why"))
        lines += ["## " + _("Not rendered"), "", "| " + " | ".join(skipped) + " |",
                  "|---|---|---|"]
        for o in result.skipped:
            why = _oneline(markdown_escape(o.reason or o.kind))
            lines.append(f"| {o.case_id} | {markdown_escape(o.name)} | {why} |")
        lines.append("")
    return "\n".join(lines)


def write_index(caseload: Caseload, options: RenderOptions, out_dir: Path,
                result: BatchResult) -> None:
    """Write the batch's index page into ``out_dir``: ``result.index`` and ``index_data``
    say where and what."""
    lang = _index_language(caseload, options)
    header = _report_header(caseload, options, lang)
    _ = lang.gettext
    report = _(REPORT_NAMES[options.template]) if options.template in REPORT_NAMES \
        else options.template
    title = _("Reports: %(template)s for the %(audience)s") % {
        "template": options.template, "audience": options.audience,
        "report": report, "reader": _(AUDIENCE_WORDS[options.audience])}
    meta = _page_meta(lang, title, header["organisation"], header["organisation"], options,
                      _("Confidential: list of reports"))
    prepared = Prepared(None, _index_markdown(options, result, lang), meta, {
        "title": title, "organisation": markdown_escape(header["organisation"]),
        "date": options.today.isoformat(), "lang": header["lang"],
        "template": options.template, "audience": options.audience,
    })
    fmt = OutputFormat.html if options.fmt is OutputFormat.html else OutputFormat.md
    path = ensure_inside(out_dir / f"index-{options.template}-{options.audience}.{fmt.value}",
                         out_dir)
    data = finish(prepared, fmt, assets_for(caseload))
    write_report(path, data, durable=False)
    result.index, result.index_data = path, data

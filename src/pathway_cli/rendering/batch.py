"""Batch rendering: one report per case into a folder, with an index page.

A case that cannot be reported on is skipped with its reason and the batch goes on;
PDFs are typeset in worker processes; files are written atomically and the folder is
synced once at the end.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pathway_cli.caseload import Case, Caseload
from pathway_cli.errors import UserError
from pathway_cli.i18n import Language, UnknownLanguage, language_problem, parse_languages
from pathway_cli.redaction import ConsentRefused
from pathway_cli.rendering.context import _report_header
from pathway_cli.rendering.escaping import markdown_escape
from pathway_cli.rendering.filters import _oneline, _words, long_date
from pathway_cli.rendering.finishing import _typeset_problem, assets_for, finish, report_file_name
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
from pathway_cli.rendering.preparing import (
    Prepared,
    _check_settings,
    _check_template_name,
    _page_meta,
    prepare_case,
)
from pathway_cli.typesetting import PdfWorkers, TypesetError
from pathway_cli.writer import atomic_write, ensure_inside, refuse_record_area, sync_folder

__all__ = [
    "BatchResult",
    "Outcome",
    "render_batch",
    "select_cases",
    "write_report",
]


Kind = Literal["written", "invalid", "consent", "audience", "template", "unavailable"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one case in a batch."""

    case_id: str
    name: str
    status: str
    kind: Kind
    path: Path | None = None
    reason: str | None = None

    @property
    def written(self) -> bool:
        """True when the report was written."""
        return self.kind == "written"


@dataclass
class BatchResult:
    """Every case of a batch, in id order, and the index file."""

    outcomes: list[Outcome] = field(default_factory=list)
    index: Path | None = None

    @property
    def written(self) -> list[Outcome]:
        """Cases whose report was written."""
        return [o for o in self.outcomes if o.written]

    @property
    def skipped(self) -> list[Outcome]:
        """Cases skipped: invalid records, no consent, nothing to report."""
        return [o for o in self.outcomes if not o.written]


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot make the output folder {folder}: {exc.strerror}") from None


def write_report(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write one report file atomically; a failing disk is a message, not a traceback."""
    _make_folder(path.parent)
    try:
        atomic_write(path, data, durable=durable)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def select_cases(caseload: Caseload, statuses: Iterable[str]) -> list[Case]:
    """Cases whose status is in ``statuses`` ("all" for every one), in id order.

    A case whose learner.yaml cannot be read is kept, so the batch reports it.
    """
    wanted = set(statuses)
    every = "all" in wanted
    return sorted(
        (c for c in caseload.cases
         if every or c.learner is None or c.learner.status in wanted),
        key=lambda c: c.id,
    )


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


def _workers(jobs: int | None) -> int:
    return max(1, jobs if jobs is not None else (os.cpu_count() or 1))


def render_batch(
    caseload: Caseload,
    cases: Sequence[Case],
    options: RenderOptions,
    out_dir: Path,
    *,
    jobs: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Render ``cases`` into ``out_dir`` as ``<id>-<template>-<audience>.<ext>``, plus an index.

    A case that is invalid, lacks consent or has nothing to report is skipped and the
    batch goes on; a broken template stops it (every case would fail the same way).
    PDFs are compiled in ``jobs`` worker processes (default: one per core). Files are
    written atomically; the same records and date give the same bytes.
    """
    _check_template_name(options.template)
    _check_settings(caseload)
    unknown = language_problem(caseload.settings.locale)
    if options.lang is None and unknown is not None:  # every case would be refused alike
        raise UserError(f"pathway.yaml: locale: {unknown}",
                        hint="set locale in pathway.yaml to one of these, or give --lang")
    refuse_record_area(out_dir, caseload.root)
    _make_folder(out_dir)
    assets = assets_for(caseload)
    outcomes: dict[str, Outcome] = {}

    def record(outcome: Outcome) -> None:
        outcomes[outcome.case_id] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    def write(case: Case, data: bytes) -> None:
        path = ensure_inside(out_dir / report_file_name(case.id, options.template,
                                                        options.audience, options.fmt), out_dir)
        write_report(path, data, durable=False)  # one sync of the folder at the end
        learner = case.learner
        record(Outcome(case.id, learner.name if learner else "",
                       learner.status if learner else "", "written", path=path))

    workers = _workers(jobs)
    parallel = options.fmt is OutputFormat.pdf and workers > 1 and len(cases) > 1
    pool = PdfWorkers(min(workers, len(cases))) if parallel else None
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
                record(_skip(case, error))
                continue
            if pool is None:
                write(case, finish(ready, options.fmt, assets))
                continue
            future = pool.submit(ready.meta, assets.typst, ready.body, assets.typst_root,
                                 assets.font_dirs)
            pending.append((future, case))
            while len(pending) >= in_flight or (pending and pending[0][0].done()):
                done, done_case = pending.popleft()
                write(done_case, done.result())
        while pending:
            done, done_case = pending.popleft()
            write(done_case, done.result())
    except TypesetError as exc:
        raise _typeset_problem(exc) from None
    finally:
        if pool is not None:
            pool.close()
    result = BatchResult([outcomes[c.id] for c in sorted(cases, key=lambda c: c.id)
                          if c.id in outcomes])
    result.index = _write_index(caseload, options, out_dir, result)
    sync_folder(out_dir)
    return result


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


def _write_index(caseload: Caseload, options: RenderOptions, out_dir: Path,
                 result: BatchResult) -> Path:
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
    write_report(path, finish(prepared, fmt, assets_for(caseload)), durable=False)
    return path

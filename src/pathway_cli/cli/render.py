"""``pathway render``: reports for one case, a batch of cases, or the whole caseload."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pathway_cli.cli import completion
from pathway_cli.cli.app import (
    PathsArg,
    TodayOpt,
    app,
    display_path,
    err_console,
    guarded,
    int_range,
    parse_date_option,
    relative_paths_in,
    resolve_today,
)
from pathway_cli.errors import UserError
from pathway_cli.plaintext import strip_controls
from pathway_cli.terms import OutputFormat

if TYPE_CHECKING:
    from rich.console import Console

    from pathway_cli.facts import CaseloadView
    from pathway_cli.rendering.outcomes import BatchResult, Outcome
    from pathway_cli.rendering.uptodate import BatchRequest


class AudienceChoice(StrEnum):
    """Who a report is for."""

    learner = "learner"
    guardian = "guardian"
    employer = "employer"
    team = "team"


class StatusFilter(StrEnum):
    """Case statuses a batch renders."""

    referred = "referred"
    active = "active"
    paused = "paused"
    completed = "completed"
    left = "left"
    all = "all"


EPILOG = """Examples:

  pathway render cases/L-2026-014 --template plan > plan.md

  pathway render cases/L-2026-014 --template contract --to pdf -o out/

  pathway render cases/L-2026-014 --template review --date 2026-10-05 \\
      --to html -o out/

  pathway render --template progress --audience learner --to pdf -o reports/

  pathway render sample_cases --template case --status all --to pdf \\
      -o reports/ --today 2026-11-23

  pathway render --template caseload --to html -o reports/

  pathway render cases/L-2026-014 -t progress -a guardian --lang uk+de \\
      --to pdf -o out/

One case named by its folder (or a file in it) is rendered to stdout, or into -o DIR.
Several cases or a caseload are a batch: every active case (--status for others) into
-o DIR as <id>-<template>-<audience>.<ext>, plus index-<template>-<audience>.md.
A case that is invalid, lacks consent or has nothing to report is skipped and listed;
the batch exits 0 when it has at least one report, written or up to date (1 with --strict
if any was skipped).
Run again into the same folder, a batch makes only the reports that are out of date (pathway
--no-cache render ... makes them all); a case now skipped loses its old report there.
Templates: plan, contract, review, case, progress, caseload, or one in the caseload's
own templates/ folder (<name>.md.j2), which also overrides a built-in of the same name.
Language: --lang, else the learner's report_language (learner and guardian reports), else
locale in pathway.yaml. Two languages joined by + (uk+de) give a bilingual progress, plan
or contract report."""


def _single_case(case_folders: list[Path], paths: list[Path]) -> bool:
    """True when the paths name one case folder or files inside it (not a caseload)."""
    if len(case_folders) != 1 or not paths:
        return False
    folder = case_folders[0].resolve()
    return all(p.resolve() == folder or folder in p.resolve().parents for p in paths)


def _emit(data: bytes, fmt: OutputFormat, output: Path | None, name: str) -> None:
    """Write one report into ``output`` (atomically), or to stdout."""
    from rich.markup import escape

    from pathway_cli.writer import ensure_inside, write_report

    if output is not None:
        path = ensure_inside(output / name, output)
        write_report(path, data)
        err_console().print(f"wrote {escape(display_path(path))}")
        return
    if fmt is OutputFormat.pdf and sys.stdout.isatty():
        raise UserError(
            "a PDF cannot be shown in the terminal",
            hint="give -o DIR, or redirect: pathway render ... --to pdf > report.pdf",
        )
    if fmt is not OutputFormat.pdf:  # text for a terminal or a pager: no escape sequences
        data = strip_controls(data.decode("utf-8")).encode("utf-8")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _shows_one_review(root: Path | None, template: str) -> bool:
    """True unless ``template`` is a built-in report other than ``review`` (those show no
    single review, so --date would be ignored); a caseload's own template may show one."""
    from pathway_cli.locating import TEMPLATE_SUFFIX
    from pathway_cli.rendering.options import BUILTIN_TEMPLATES

    if template == "review" or template not in BUILTIN_TEMPLATES:
        return True
    return root is not None and (root / "templates" / f"{template}{TEMPLATE_SUFFIX}").is_file()


# Why a case was skipped, in a word or two before the full reason.
SKIP_LABELS = {
    "invalid": "records have errors",
    "consent": "no consent",
    "audience": "not for this audience",
    "template": "template error",
    "unavailable": "nothing to report",
}


def _outcome_line(outcome: Outcome) -> str:
    from rich.markup import escape

    return f"wrote {escape(display_path(outcome.path))}" if outcome.path else ""


def _wrote(console: Console, outcome: Outcome) -> None:
    """``wrote PATH`` for a report written, plainly when Rich would write the same bytes
    (thousands of lines through Rich cost a batch about a tenth of its time)."""
    from pathway_cli.cli.output import write_note

    if outcome.written and outcome.path and not write_note(
            f"wrote {display_path(outcome.path)}"):
        console.print(_outcome_line(outcome))


def _run_batch(view: CaseloadView, request: BatchRequest, output: Path,
               statuses: list[str], jobs: int | None) -> BatchResult:
    from pathway_cli.rendering.uptodate import bring_up_to_date

    console = err_console()
    if not console.is_terminal:
        # Written files as they come; the skipped ones once, in the summary at the end.
        return bring_up_to_date(view, request, statuses, output, jobs=jobs,
                                on_outcome=lambda o: _wrote(console, o))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("[bold]render[/] {task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
    )
    with progress:
        # Cases are counted as they are looked at (up to date, or loaded): which have the
        # statuses asked for is known from their entries, or once each is loaded.
        task = progress.add_task(f"{request.template} for the {request.audience}",
                                 total=len(view.case_folders))
        return bring_up_to_date(view, request, statuses, output, jobs=jobs,
                                on_looked=lambda count: progress.advance(task, count))


def _report_batch(result: BatchResult, output: Path) -> None:
    from rich.markup import escape

    console = err_console()
    made, current, skipped = result.made, result.up_to_date, result.skipped
    where = escape(display_path(output))
    index = escape(display_path(result.index)) if result.index else "-"
    console.print(
        f"[green]{len(made)} report{'s' if len(made) != 1 else ''}[/] written to "
        f"{where} (index: {index})"
        + (f"; {len(current)} up to date" if current else "")
        + (f"; [yellow]{len(skipped)} skipped[/]:" if skipped else "")
    )
    for outcome in skipped:
        label = SKIP_LABELS.get(outcome.kind, outcome.kind)
        reason = relative_paths_in(outcome.reason or "")
        removed = (f" (its old report {display_path(outcome.removed)} was removed)"
                   if outcome.removed else "")
        console.print(f"  {outcome.case_id} ({label}): {escape(reason + removed)}")


def _render_one(view: CaseloadView, request: BatchRequest, output: Path | None,
                status: list[StatusFilter] | None) -> None:
    """The caseload overview, or the report of the one case named, to stdout or a file."""
    from pathway_cli.caseload import load_cases
    from pathway_cli.rendering.caseload_report import render_caseload_report
    from pathway_cli.rendering.finishing import render_case
    from pathway_cli.rendering.outcomes import report_file_name
    from pathway_cli.writer import refuse_record_area

    caseload = view.caseload()
    caseload.cases = load_cases(caseload.root, caseload.case_folders,
                                caseload.settings.max_record_bytes)
    options = request.options()
    if request.template == "caseload":
        data = render_caseload_report(caseload, options, [s.value for s in status or []])
        name = report_file_name(None, request.template, options.audience, request.fmt)
    else:
        case = caseload.cases[0]
        data = render_case(caseload, case, options)
        name = report_file_name(case.id, request.template, options.audience, request.fmt)
    if output is not None:
        refuse_record_area(output, caseload.root)
    _emit(data, request.fmt, output, name)


def _check_lang(value: str | None) -> str | None:
    """A usage error naming the languages pathway has, for an unknown --lang."""
    if value is not None:
        from pathway_cli.i18n import language_problem

        problem = language_problem(value, pair=True)
        if problem is not None:
            raise typer.BadParameter(problem)
    return value


@app.command(epilog=EPILOG)
@guarded
def render(
    template: Annotated[
        str,
        typer.Option("--template", "-t", metavar="NAME",
                     autocompletion=completion.complete_template,
                     help="Report template: plan, contract, review, case, progress, caseload "
                     "or one of the caseload's own."),
    ],
    audience: Annotated[
        AudienceChoice, typer.Option("--audience", "-a", help="Who the report is for.")
    ] = AudienceChoice.team,
    to: Annotated[OutputFormat, typer.Option("--to", help="Output format.")] = OutputFormat.md,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="DIR", help="Folder to write reports into."),
    ] = None,
    status: Annotated[
        list[StatusFilter] | None,
        typer.Option("--status", help="Render cases with this status (repeatable; default: "
                     "active; 'all' for every case). Batches only."),
    ] = None,
    review_date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", callback=parse_date_option,
                     help="The review to report on (review template; default: the latest)."),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", metavar="N", callback=int_range(1),
                     help="Worker processes for a batch (default: cores; a Markdown or "
                     "HTML batch of fewer than 200 cases uses one)."),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Exit 1 when any case of a batch was skipped.")
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option("--lang", "-l", metavar="LANG", callback=_check_lang,
                     help="Report language (de, fr, uk...), or two joined by + for a "
                     "bilingual family report (uk+de). Default: the learner's "
                     "report_language, then locale in pathway.yaml."),
    ] = None,
    today: TodayOpt = None,
    paths: PathsArg = None,
) -> None:
    """Render reports as Markdown, HTML or PDF, for one audience, with its consent.

    Each audience (learner, guardian, employer, team) sees only the sections pathway.yaml
    gives it; sensitive fields never reach an audience not allowed them, and a report for
    the guardian or the employer is refused unless the learner's consent.share_with names
    them. Markdown is pandoc-ready; HTML is one printable page; PDF is made without any
    system library. The same records and --today give the same bytes.
    """
    from pathway_cli.facts import open_view
    from pathway_cli.locating import case_folder_around
    from pathway_cli.rendering.uptodate import BatchRequest

    if template == "evaluation":
        raise UserError("the evaluation report has its own command, with the period and "
                        "the audience it needs",
                        hint="pathway evaluate --report pdf -o DIR (see pathway evaluate --help)")
    given = list(paths or [])
    here = case_folder_around(Path.cwd()) if not given and template != "caseload" else None
    if here is not None:
        given = [here]  # inside a case folder: that case, as if it had been named
    # a batch loads its cases in its workers, and only those whose reports are out of date
    view = open_view(given)
    if review_date and not _shows_one_review(view.root, template):
        raise typer.BadParameter(
            f"--date picks the review that the review report shows; the {template} report "
            "shows no single review",
            param_hint="'--date'",
        )
    request = BatchRequest(template, audience.value, to, resolve_today(today),
                           date.fromisoformat(review_date) if review_date else None, lang)
    if template == "caseload" or _single_case(view.case_folders, given):
        _render_one(view, request, output, status)
        return
    if output is None:
        raise typer.BadParameter(
            f"{len(view.case_folders)} cases make a batch: give a folder to write them into",
            param_hint="'-o' / '--output'",
        )
    statuses = [s.value for s in status] if status else ["active"]
    result = _run_batch(view, request, output, statuses, jobs)
    _report_batch(result, output)
    if not result.written or (strict and result.skipped):
        raise typer.Exit(1)

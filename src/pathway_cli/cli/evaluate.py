"""``pathway evaluate``: is the support working? Figures for a period, or the report."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pathway_cli.cli.app import (
    PathsArg,
    TodayOpt,
    app,
    display_path,
    err_console,
    guarded,
    open_for_command,
    out_console,
    parse_date_option,
    resolve_today,
)
from pathway_cli.cli.output import show_table, wide_when_piped
from pathway_cli.errors import UserError

if TYPE_CHECKING:
    from rich.table import Table

    from pathway_cli.csvtext import CsvCell
    from pathway_cli.evaluation import (
        Evaluation,
        Figure,
    )


class EvaluateFormat(StrEnum):
    """Output formats of the figures."""

    table = "table"
    json = "json"
    csv = "csv"


class ByChoice(StrEnum):
    """What the figures are broken down by."""

    group = "group"
    key_worker = "key-worker"
    mode = "mode"
    sector = "sector"
    cohort = "cohort"


class EvaluationAudienceChoice(StrEnum):
    """Who the figures are for."""

    team = "team"
    leadership = "leadership"
    funder = "funder"


class ReportFormat(StrEnum):
    """Formats of the evaluation report."""

    md = "md"
    html = "html"
    pdf = "pdf"


def figure_json(figure: Figure) -> dict[str, Any]:
    """The documented JSON object of one figure (suppressed numbers are null)."""
    from pathway_cli.evaluation import denominator_text

    hidden = figure.suppressed
    return {
        "id": figure.id,
        "section": figure.section,
        "label": figure.label,
        "group": figure.group,
        "numerator": None if hidden else figure.numerator,
        "denominator": None if hidden and denominator_text(figure).startswith("<")
        else figure.denominator,
        "share": figure.share,
        "median": None if hidden else figure.median,
        "q1": None if hidden else figure.q1,
        "q3": None if hidden else figure.q3,
        "unit": figure.unit or None,
        "suppressed": hidden,
    }


def evaluation_json(evaluation: Evaluation) -> dict[str, Any]:
    """The documented JSON document of ``evaluate --format json``."""
    from pathway_cli.evaluation import cases_text

    return {
        "from": evaluation.start.isoformat(),
        "to": evaluation.end.isoformat(),
        "today": evaluation.today.isoformat(),
        "audience": evaluation.audience,
        "by": evaluation.by,
        "cases": None if cases_text(evaluation).startswith("<") else evaluation.cases,
        "settings": {"review_grace_days": evaluation.review_grace_days,
                     "no_plan_days": evaluation.no_plan_days,
                     "review_every_days": evaluation.review_every_days},
        "notes": list(evaluation.notes),
        "figures": [figure_json(f) for f in evaluation.figures],
    }


CSV_COLUMNS = ("id", "section", "group", "label", "numerator", "denominator", "share",
               "median", "q1", "q3", "unit")


def evaluation_csv(evaluation: Evaluation) -> str:
    """One row a figure and group (the one CSV writer); suppressed cells read ``<5``."""
    from pathway_cli.csvtext import csv_text
    from pathway_cli.evaluation import MIN_CELL, denominator_text

    hidden = f"<{MIN_CELL}"
    rows: list[list[CsvCell]] = []
    for f in evaluation.figures:
        suppressed = f.suppressed
        denominator: CsvCell = (hidden if denominator_text(f).startswith("<")
                                else f.denominator)
        rows.append([
            f.id, f.section, f.group, f.label,
            hidden if suppressed else f.numerator, denominator,
            hidden if suppressed else f.share,
            hidden if suppressed and f.is_distribution else f.median,
            None if suppressed else f.q1, None if suppressed else f.q3, f.unit or None,
        ])
    return csv_text(CSV_COLUMNS, rows)


def _of(figure: Figure) -> str:
    from pathway_cli.evaluation import denominator_text, numerator_text

    text = f"{numerator_text(figure)} of {denominator_text(figure)}"
    return text + " measured" if figure.is_distribution else text


def _cell(figure: Figure | None) -> str:
    from pathway_cli.evaluation import value_text

    return "-" if figure is None else f"{value_text(figure)} ({_of(figure)})"


def _figures_table(evaluation: Evaluation, title: str, figures: list[Figure]) -> Table:
    from rich.markup import escape
    from rich.table import Table

    from pathway_cli.evaluation import value_text

    grouped = evaluation.by is not None
    table = Table(title=title, title_justify="left", title_style="bold",
                  header_style="bold", pad_edge=False, show_edge=False)
    table.add_column("figure", ratio=3, overflow="fold")
    if grouped:
        table.add_column(evaluation.by or "", overflow="fold")
    table.add_column("value", justify="right")
    table.add_column("of", justify="right", no_wrap=True)
    for figure in figures:
        cells = [escape(figure.label)]
        if grouped:
            cells.append(escape(figure.group))
        table.add_row(*cells, value_text(figure), _of(figure))
    return table


def _goals_table(evaluation: Evaluation) -> Table:
    """Goals by area (and group): one row an area, achieved / dropped / overdue across."""
    from rich.markup import escape
    from rich.table import Table

    from pathway_cli.evaluation import (
        GOAL_AREAS,
        SECTIONS,
        denominator_text,
        numerator_text,
        value_text,
    )

    grouped = evaluation.by is not None
    table = Table(title=SECTIONS["goals"], title_justify="left", title_style="bold",
                  header_style="bold", pad_edge=False, show_edge=False)
    if grouped:
        table.add_column(evaluation.by or "", overflow="fold")
    table.add_column("area")
    for header in ("goals", "achieved", "dropped", "overdue"):
        table.add_column(header, justify="right", no_wrap=True)
    for group in ("all", *evaluation.groups):
        for area in (*GOAL_AREAS, "all"):
            achieved = evaluation.figure(f"goals.{area}.achieved", group)
            if achieved is None or (achieved.denominator == 0 and area != "all"):
                continue
            cells = [escape(group)] if grouped else []
            cells += [
                "all areas" if area == "all" else area, denominator_text(achieved),
                *(f"{value_text(f)} ({numerator_text(f)})" if f else "-"
                  for f in (evaluation.figure(f"goals.{area}.{what}", group)
                            for what in ("achieved", "dropped", "overdue"))),
            ]
            table.add_row(*cells, end_section=area == "all" and grouped)
    return table


def _workload_table(evaluation: Evaluation) -> Table:
    """One row a key worker: open cases, red and amber alerts, reviews due soon."""
    from rich.markup import escape
    from rich.table import Table

    from pathway_cli.evaluation import SECTIONS, denominator_text, numerator_text, value_text

    table = Table(title=SECTIONS["workload"], title_justify="left", title_style="bold",
                  header_style="bold", pad_edge=False, show_edge=False)
    table.add_column("key worker", overflow="fold")
    for header in ("open cases", "red alerts", "amber alerts", "reviews due in 14 days"):
        table.add_column(header, justify="right", no_wrap=True)
    workers = dict.fromkeys(f.group for f in evaluation.section("workload"))
    for worker in workers:
        open_cases = evaluation.figure("workload.open", worker)
        cells = [escape(worker),
                 f"{numerator_text(open_cases)} of {denominator_text(open_cases)}"
                 if open_cases else "-"]
        for figure_id in ("workload.red-alerts", "workload.amber-alerts",
                          "workload.reviews-due"):
            figure = evaluation.figure(figure_id, worker)
            cells.append(value_text(figure) if figure else "-")
        table.add_row(*cells, style="bold" if worker == "all" else None)
    return table


def _table(evaluation: Evaluation) -> None:
    from rich.markup import escape

    from pathway_cli.evaluation import SECTIONS, cases_text

    console = wide_when_piped(out_console())
    audience = ("" if evaluation.audience == "team"
                else f"; for the {evaluation.audience}: cells of fewer than 5 learners "
                "show <5")
    cases = cases_text(evaluation)
    console.print(
        f"[bold]{escape(cases)} case{'s' if cases != '1' else ''}[/] open between "
        f"{evaluation.start} and {evaluation.end}"
        + (f", by {evaluation.by}" if evaluation.by else "") + escape(audience)
    )
    for note in evaluation.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    for section, title in SECTIONS.items():
        if section == "goals":
            table = _goals_table(evaluation)
        elif section == "workload":
            table = _workload_table(evaluation)
        else:
            table = _figures_table(evaluation, title, evaluation.section(section))
        console.print()
        show_table(console, table)


EPILOG = """Examples:

  pathway evaluate sample_cases --today 2026-11-23

  pathway evaluate --from 2026-08-01 --to 2027-07-31 --by cohort

  pathway evaluate --by key-worker --format csv > evaluation.csv

  pathway evaluate --audience funder --report pdf -o reports/

Figures cover the cases open at any time from --from (default: the first opening) to
--to (default: today); each shows its numerator and denominator. The README defines every
figure; docs/evaluate.sql computes each again with DuckDB from the pseudonymised export."""


@app.command(epilog=EPILOG)
@guarded
def evaluate(
    paths: PathsArg = None,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="YYYY-MM-DD", callback=parse_date_option,
                     help="First day of the period (default: the first case's opening)."),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", metavar="YYYY-MM-DD", callback=parse_date_option,
                     help="Last day of the period (default: today)."),
    ] = None,
    by: Annotated[
        ByChoice | None,
        typer.Option("--by", help="Break every figure down by target group, key worker, "
                     "programme mode, sector or cohort (school year of opening)."),
    ] = None,
    audience: Annotated[
        EvaluationAudienceChoice,
        typer.Option("--audience", "-a", help="team (everything), or leadership / funder: "
                     "no ids, and cells of fewer than 5 learners suppressed."),
    ] = EvaluationAudienceChoice.team,
    output_format: Annotated[
        EvaluateFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = EvaluateFormat.table,
    report: Annotated[
        ReportFormat | None,
        typer.Option("--report", help="Write the evaluation report with charts (md, html "
                     "or pdf) instead of the figures."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file or folder, not stdout."),
    ] = None,
    today: TodayOpt = None,
) -> None:
    """Is the support working? Outcomes, retention, timeliness, goals, attendance and
    well-being change, mentoring and workload for a period, each figure with its
    numerator and denominator.
    """
    from rich.markup import escape

    from pathway_cli.evaluation import evaluate_caseload, for_audience

    day = resolve_today(today)
    caseload = open_for_command(paths)  # cases are read by evaluate, on every core
    result = evaluate_caseload(
        caseload, day,
        date.fromisoformat(start) if start else None,
        date.fromisoformat(end) if end else None,
        by.value if by else None,
    )
    shown = for_audience(result, audience.value)
    if report is not None or output_format is not EvaluateFormat.table:
        console = err_console()
        for note in shown.notes:
            console.print(f"[yellow]note:[/] {escape(note)}")
    if report is not None:
        from pathway_cli.evaluation_report import render_evaluation_report

        data = render_evaluation_report(caseload, shown, report.value)
        name = f"evaluation-{shown.audience}.{report.value}"
        _write(data, output, name, caseload.root, binary=report is ReportFormat.pdf)
        return
    if output_format is EvaluateFormat.json:
        text = json.dumps(evaluation_json(shown), ensure_ascii=False, indent=2) + "\n"
    elif output_format is EvaluateFormat.csv:
        text = evaluation_csv(shown)
    else:
        if output is not None:
            raise typer.BadParameter("a table is for the terminal; give --format json or csv",
                                     param_hint="'-o' / '--output'")
        _table(shown)
        return
    _write(text.encode("utf-8"), output, f"evaluation.{output_format.value}", caseload.root,
           binary=False)


def _write(data: bytes, output: Path | None, name: str, root: Path | None, *,
           binary: bool) -> None:
    from rich.markup import escape

    from pathway_cli.writer import atomic_write, refuse_record_area

    if output is None:
        if binary and sys.stdout.isatty():
            raise UserError("a PDF cannot be shown in the terminal",
                            hint="give -o DIR, or redirect: pathway evaluate --report pdf > "
                            "evaluation.pdf")
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if output.is_dir() or not output.suffix:  # a folder, perhaps still to be made
        refuse_record_area(output / name, root)
        output.mkdir(parents=True, exist_ok=True)
        output = output / name
    refuse_record_area(output, root)
    atomic_write(output, data)
    err_console().print(f"wrote {escape(display_path(output))}")

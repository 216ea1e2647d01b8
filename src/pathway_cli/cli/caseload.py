"""Commands over the whole caseload: ``summarise``, ``alerts``, ``timeline``, ``export``."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from pathway_cli.cli import completion
from pathway_cli.cli.app import (
    OptionalIdArg,
    PathsArg,
    TodayOpt,
    app,
    case_id_or_here,
    display_path,
    err_console,
    guarded,
    load_for_command,
    out_console,
    print_json,
    resolve_today,
    warn_broken_settings,
)

if TYPE_CHECKING:
    from rich.console import Console

    from pathway_cli.alerts import Alert, CaseFilter
    from pathway_cli.facts import CaseloadView
    from pathway_cli.i18n import Language
    from pathway_cli.summary import LearnerSummary
    from pathway_cli.timeline import Timeline

# Wide enough for the overview when stdout is a file or a pipe (Rich would use 80).
PIPE_WIDTH = 160
LEVEL_STYLE = {"red": "bold red", "amber": "yellow", "green": "green"}


class StatusChoice(StrEnum):
    """Case statuses of FORMAT.md."""

    referred = "referred"
    active = "active"
    paused = "paused"
    completed = "completed"
    left = "left"


class GroupChoice(StrEnum):
    """Target groups of FORMAT.md."""

    early_leaver = "early-leaver"
    at_risk = "at-risk"
    transition = "transition"
    low_performing = "low-performing"
    migrant = "migrant"
    vet_school = "vet-school"
    vet_work_based = "vet-work-based"
    re_entry = "re-entry"


class SummaryFormat(StrEnum):
    """Output formats of ``summarise``."""

    table = "table"
    json = "json"
    csv = "csv"


class AlertsFormat(StrEnum):
    """Output formats of ``alerts``."""

    table = "table"
    json = "json"


class FailOn(StrEnum):
    """The alert level that makes ``alerts`` exit 1."""

    amber = "amber"
    red = "red"


class TimelineFormat(StrEnum):
    """Output formats of ``timeline``."""

    text = "text"
    json = "json"


class ExportFormat(StrEnum):
    """Output formats of ``export``."""

    csv = "csv"
    jsonl = "jsonl"


class ExportRows(StrEnum):
    """What one exported row is."""

    learners = "learners"
    goals = "goals"
    reviews = "reviews"


KeyWorkerOpt = Annotated[
    list[str] | None,
    typer.Option("--key-worker", "-k", metavar="ID",
                 autocompletion=completion.complete_key_worker,
                 help="Only learners of this key worker (repeat for several)."),
]
StatusOpt = Annotated[
    list[StatusChoice] | None,
    typer.Option("--status", "-s", help="Only cases with this status (repeat for several)."),
]
GroupOpt = Annotated[
    list[GroupChoice] | None,
    typer.Option("--group", "-g", help="Only learners in this target group (repeat for several)."),
]


def _check_lang(value: str | None) -> str | None:
    """A usage error naming the languages the overview has, for an unknown --lang."""
    if value is not None:
        from pathway_cli.overview_text import overview_language_problem

        problem = overview_language_problem(value)
        if problem is not None:
            raise typer.BadParameter(problem)
    return value


LangOpt = Annotated[
    str | None,
    typer.Option("--lang", "-l", metavar="LANG", callback=_check_lang,
                 help="Language of the table and its sentences (de, fr, es, it); default: "
                 "locale in pathway.yaml. JSON and CSV stay English with ISO dates."),
]


def _filter(key_worker: list[str] | None, status: list[StatusChoice] | None,
            group: list[GroupChoice] | None) -> CaseFilter:
    from pathway_cli.alerts import CaseFilter

    return CaseFilter(
        key_workers=frozenset(key_worker or ()),
        statuses=frozenset(s.value for s in status or ()),
        groups=frozenset(g.value for g in group or ()),
    )


def _open_view(paths: list[Path] | None) -> CaseloadView:
    """``open_for_command`` for the commands that decide on the cases' facts (alerts,
    summarise): the settings from the cache where pathway.yaml has not changed."""
    from pathway_cli.facts import open_view

    view = open_view(paths or [])
    warn_broken_settings(view.settings.broken_file)
    return view


def _sentences(table: bool, lang: Language) -> bool:
    """Whether the output needs the alerts' sentences in another language than English
    (``Alert.why``): only a table in another language does (JSON and CSV stay English)."""
    from pathway_cli.overview_text import is_english

    return table and not is_english(lang)


def _warn_unknown_key_workers(caseload: CaseloadView, only: CaseFilter) -> None:
    """A --key-worker that matches nobody is named, with the key workers there are."""
    from rich.markup import escape

    from pathway_cli.alerts import key_workers

    if not only.key_workers:
        return
    known = key_workers(caseload)
    unknown = sorted(k for k in only.key_workers if k not in known)
    if not unknown:
        return
    listing = ", ".join(f"{k} ({name})" if name != k else k for k, name in known.items())
    close = [m for k in unknown for m in difflib.get_close_matches(k, list(known), n=1)]
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    err_console().print(
        f"[yellow]warning:[/] no learner has the key worker {', '.join(map(repr, unknown))}"
        f"{escape(hint)}; key workers here: {escape(listing) or 'none'}"
    )


def _data_console() -> Console:
    console = out_console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


def _plain_tables() -> bool:
    """True when stdout is a pipe or a file and no COLUMNS asks for a drawn table."""
    return not out_console().is_terminal and "COLUMNS" not in os.environ


def _write_plain_table(header: list[str], rows: Sequence[Sequence[Text | str]]) -> None:
    """A table for grep, cut and sort: a header line, then one tab-separated line a row."""

    def cell(text: Text | str) -> str:
        plain = text if type(text) is str else text.plain  # type: ignore[union-attr]
        if plain.isprintable() and "  " not in plain and plain == plain.strip():
            return plain  # one line, single spaces: most cells, thousands of them
        words = " ".join(plain.split())  # no tab or line break inside a cell
        if words.isprintable():
            return words
        return "".join(ch for ch in words if ch.isprintable())  # nor a terminal control code

    lines = ["\t".join(header)]
    lines += ["\t".join(cell(c) for c in row) for row in rows]
    sys.stdout.write("\n".join(lines) + "\n")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.0f}%"


# --- summarise ---------------------------------------------------------------------------


def summary_json(row: LearnerSummary) -> dict[str, Any]:
    """The documented JSON object of one learner in ``summarise --format json``."""
    return {
        "id": row.id,
        "name": row.name,
        "preferred_name": row.preferred_name,
        "status": row.status,
        "key_worker": row.key_worker,
        "groups": list(row.groups),
        "programme": row.programme,
        "opened": _iso(row.opened),
        "closed": _iso(row.closed),
        "goals_total": row.goals_total,
        "goals_achieved": row.goals_achieved,
        "goals_at_risk": row.goals_at_risk,
        "reviews": row.reviews,
        "last_review": _iso(row.last_review),
        "next_review": _iso(row.next_review),
        "attendance": row.attendance,
        "wellbeing": row.wellbeing,
        "risk": row.risk,
        "alerts": [{"level": a.level, "rule": a.rule, "message": a.message}
                   for a in row.alerts],
    }


SUMMARY_CSV_COLUMNS = (
    "id", "name", "status", "key_worker", "groups", "programme", "opened", "closed",
    "goals_total", "goals_achieved", "goals_at_risk", "reviews", "last_review", "next_review",
    "attendance", "wellbeing", "risk", "red_alerts", "amber_alerts", "alerts",
)


def _summary_csv(rows: list[LearnerSummary]) -> str:
    from pathway_cli.csvtext import csv_text

    return csv_text(SUMMARY_CSV_COLUMNS, ([
        row.id, row.name, row.status, row.key_worker, list(row.groups), row.programme,
        _iso(row.opened), _iso(row.closed), row.goals_total, row.goals_achieved,
        row.goals_at_risk, row.reviews, _iso(row.last_review), _iso(row.next_review),
        row.attendance, row.wellbeing, row.risk, row.red, row.amber, list(row.alert_rules),
    ] for row in rows))


def _why(row: LearnerSummary, lang: Language, room: int = 2) -> str:
    from pathway_cli.overview_text import alert_headline, more_alerts

    headlines = [alert_headline(a, lang) for a in row.alerts]
    shown = "; ".join(headlines[:room])
    more = len(headlines) - room
    return shown + (f"; {more_alerts(more, lang)}" if more > 0 else "")


@dataclass(frozen=True)
class _Shown:
    """What a cell needs besides its row: the day of the overview and its language."""

    today: date
    lang: Language


@dataclass(frozen=True)
class _Column:
    header: str
    cell: Callable[[LearnerSummary, _Shown], Text]
    # The cell's words without the styles, for a plain table (thousands of rows: a Text a
    # cell cost more than deciding the rows); None: ``cell(...).plain``.
    plain: Callable[[LearnerSummary, _Shown], str] | None = None
    # The narrowest console that still shows this column; narrower ones leave it out.
    from_width: int = 0
    wraps: bool = False
    right: bool = False
    ratio: int | None = None


def _name_cell(row: LearnerSummary, shown: _Shown) -> Text:
    name = Text(row.name)
    if row.status != "active":  # the usual case goes without saying
        name.append(f" ({shown.lang.gettext(row.status)})",
                    style="dim" if row.is_closed else "italic")
    return name


def _name_plain(row: LearnerSummary, shown: _Shown) -> str:
    if row.status != "active":
        return f"{row.name} ({shown.lang.gettext(row.status)})"
    return row.name


def _next_review_late(row: LearnerSummary, shown: _Shown) -> bool:
    return (row.next_review is not None and row.next_review < shown.today
            and not row.is_closed)


def _next_review_plain(row: LearnerSummary, shown: _Shown) -> str:
    from pathway_cli.overview_text import late

    return ((_day(row.next_review, shown) or "-")
            + (f" {late(shown.lang)}" if _next_review_late(row, shown) else ""))


def _next_review_cell(row: LearnerSummary, shown: _Shown) -> Text:
    return Text(_next_review_plain(row, shown),
                style="red" if _next_review_late(row, shown) else "")


def _day(value: date | None, shown: _Shown) -> str | None:
    return None if value is None else shown.lang.day(value)


def _rate(rate: float | None, shown: _Shown) -> str:
    return shown.lang.percent_text(round(rate, 2), _pct(rate)) if rate is not None else ""


def _goals(row: LearnerSummary) -> str:
    return f"{row.goals_achieved}/{row.goals_total}" if row.goals_total else ""


def _wellbeing(row: LearnerSummary) -> str:
    return f"{row.wellbeing}/5" if row.wellbeing else ""


SUMMARY_COLUMNS = (
    _Column("risk", lambda r, s: Text(s.lang.gettext(r.risk), style=LEVEL_STYLE[r.risk]),
            lambda r, s: s.lang.gettext(r.risk)),
    _Column("learner", lambda r, _: Text(r.id, style="bold"), lambda r, _: r.id),
    _Column("name", _name_cell, _name_plain, wraps=True, ratio=1),
    _Column("key worker", lambda r, _: Text(r.key_worker or ""),
            lambda r, _: r.key_worker or "", from_width=130),
    _Column("goals", lambda r, _: Text(_goals(r)), lambda r, _: _goals(r), from_width=130,
            right=True),
    _Column("last review", lambda r, s: Text(_day(r.last_review, s) or "-"),
            lambda r, s: _day(r.last_review, s) or "-", from_width=160),
    _Column("next review", _next_review_cell, _next_review_plain),
    _Column("attend.", lambda r, s: Text(_rate(r.attendance, s)),
            lambda r, s: _rate(r.attendance, s), from_width=130, right=True),
    _Column("well-being", lambda r, _: Text(_wellbeing(r)), lambda r, _: _wellbeing(r),
            from_width=130, right=True),
    _Column("why", lambda r, s: Text(_why(r, s.lang)), lambda r, s: _why(r, s.lang),
            wraps=True, ratio=2),
)


def _summary_table(rows: list[LearnerSummary], shown: _Shown) -> None:
    from rich.table import Table

    from pathway_cli.overview_text import header

    lang = shown.lang
    if _plain_tables():
        _write_plain_table(
            [header(c.header, lang) for c in SUMMARY_COLUMNS],
            [[_why(row, lang, room=len(row.alerts)) if column.header == "why"
              else column.plain(row, shown) if column.plain is not None
              else column.cell(row, shown) for column in SUMMARY_COLUMNS] for row in rows],
        )
        err_console().print(_summary_footer(rows, shown))
        return
    console = _data_console()
    columns = [c for c in SUMMARY_COLUMNS if console.width >= c.from_width]
    table = Table(header_style="bold", pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(header(column.header, lang), no_wrap=not column.wraps,
                         ratio=column.ratio, justify="right" if column.right else "left")
    for row in rows:
        table.add_row(*(column.cell(row, shown) for column in columns),
                      style="dim" if row.is_closed else None)
    console.print(table)
    console.print("\n" + _summary_footer(rows, shown))


def _summary_footer(rows: list[LearnerSummary], shown: _Shown) -> str:
    from pathway_cli.overview_text import summary_footer
    from pathway_cli.summary import summary_totals

    totals = summary_totals(rows, shown.today)
    return summary_footer(totals.learners, totals.by_status, totals.at_risk, totals.red,
                          totals.amber, totals.reviews_due_soon, totals.reviews_overdue,
                          shown.lang)


def summarise(
    paths: PathsArg = None,
    output_format: Annotated[
        SummaryFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = SummaryFormat.table,
    key_worker: KeyWorkerOpt = None,
    status: StatusOpt = None,
    group: GroupOpt = None,
    lang: LangOpt = None,
    today: TodayOpt = None,
) -> None:
    """Caseload overview: one row a learner, the ones who need attention first.

    Risk is the loudest alert of the learner (see 'pathway alerts'); attendance and
    well-being are the latest recorded at a review. The footer counts active cases,
    learners at risk and reviews due in the next seven days.
    """
    from pathway_cli.overview_text import no_learners, overview_language
    from pathway_cli.summary import summarise_folders

    day = resolve_today(today)
    caseload = _open_view(paths)
    only = _filter(key_worker, status, group)
    _warn_unknown_key_workers(caseload, only)
    shown = _Shown(day, overview_language(caseload.settings.locale, lang))
    rows = summarise_folders(caseload, day, only, sentences=_sentences(
        output_format is SummaryFormat.table, shown.lang))
    if output_format is SummaryFormat.json:
        print_json([summary_json(r) for r in rows])
    elif output_format is SummaryFormat.csv:
        sys.stdout.write(_summary_csv(rows))
    else:
        if rows:
            _summary_table(rows, shown)
        else:
            err_console().print(no_learners(shown.lang))


_SUMMARY_EPILOG = (
    "Examples:\n\n  pathway summarise --today 2026-11-23\n\n"
    "  pathway summarise --key-worker skrause --status active\n\n"
    "  pathway summarise --group migrant --format csv > migrants.csv\n\n"
    "  pathway summarise --lang de   (German; default: locale in pathway.yaml)\n\n"
    "  pathway summarise --format json | jq '.[] | select(.risk == \"red\") | .id'"
)
app.command("summarise", epilog=_SUMMARY_EPILOG)(guarded(summarise))
app.command("summarize", epilog=_SUMMARY_EPILOG, hidden=True)(guarded(summarise))


# --- alerts ------------------------------------------------------------------------------


def alert_json(alert: Alert) -> dict[str, Any]:
    """The documented JSON object of one alert."""
    return {
        "learner": alert.learner,
        "level": alert.level,
        "rule": alert.rule,
        "message": alert.message,
        "file": display_path(alert.file),
        "line": alert.line,
        "value": alert.value,
        "threshold": alert.threshold,
    }


def _alerts_table(alerts: list[Alert], learners: int, lang: Language) -> None:
    from rich.table import Table

    from pathway_cli.overview_text import alert_message, alerts_footer, header

    console = _data_console()
    if alerts and _plain_tables():
        _write_plain_table(
            [header(name, lang) for name in ("level", "learner", "rule", "what", "record")],
            [[lang.gettext(a.level), a.learner, a.rule, alert_message(a, lang),
              display_path(a.file) + (f":{a.line}" if a.line else "")] for a in alerts],
        )
    elif alerts:
        table = Table(header_style="bold", pad_edge=False, show_edge=False)
        for name in ("level", "learner", "rule"):
            table.add_column(header(name, lang), no_wrap=True)
        table.add_column(header("what, and the record behind it", lang), overflow="fold")
        for alert in alerts:
            where = display_path(alert.file) + (f":{alert.line}" if alert.line else "")
            table.add_row(Text(lang.gettext(alert.level), style=LEVEL_STYLE[alert.level]),
                          Text(alert.learner, style="bold"), Text(alert.rule),
                          Text.assemble(alert_message(alert, lang), "\n", (where, "dim")))
        console.print(table)
    red = sum(1 for a in alerts if a.is_red)
    with_alerts = len({a.learner for a in alerts})
    err_console().print(
        alerts_footer(red, len(alerts) - red, with_alerts, learners, lang),
        style="red" if red else ("yellow" if alerts else "green"),
    )


@app.command(
    epilog="Examples:\n\n  pathway alerts --today 2026-11-23\n\n"
    "  pathway alerts --key-worker mbauer\n\n"
    "  pathway alerts --lang fr\n\n"
    "  pathway alerts --fail-on red --format json   (a scheduled CI job)",
)
@guarded
def alerts(
    paths: PathsArg = None,
    output_format: Annotated[
        AlertsFormat, typer.Option("--format", "-f", help="table or json.")
    ] = AlertsFormat.table,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Exit 1 when an alert at this level or louder exists."),
    ] = None,
    key_worker: KeyWorkerOpt = None,
    status: StatusOpt = None,
    group: GroupOpt = None,
    lang: LangOpt = None,
    today: TodayOpt = None,
) -> None:
    """Early-warning flags: each with its level, the rule that fired and the record behind it.

    Rules: attendance-low, attendance-drop, behaviour-incidents, course-failure,
    engagement-drop, wellbeing-drop, review-overdue, goal-overdue, goal-at-risk,
    contract-unsigned, no-plan, action-overdue, follow-up-due, records-invalid; thresholds
    come from pathway.yaml (risk:), tighter in the first year of a programme and for the
    transition group. Closed cases raise only follow-up-due.
    """
    from pathway_cli.alerts import alerts_of_folders
    from pathway_cli.overview_text import overview_language

    day = resolve_today(today)
    caseload = _open_view(paths)
    only = _filter(key_worker, status, group)
    _warn_unknown_key_workers(caseload, only)
    language = overview_language(caseload.settings.locale, lang)
    found, kept = alerts_of_folders(caseload, day, only, sentences=_sentences(
        output_format is AlertsFormat.table, language))
    if output_format is AlertsFormat.json:
        document = {"as_of": day.isoformat(), "alerts": [alert_json(a) for a in found]}
        print_json(document)
    else:
        _alerts_table(found, kept, language)
    if fail_on is not None and any(
        a.is_red or fail_on is FailOn.amber for a in found
    ):
        raise typer.Exit(1)


# --- timeline ----------------------------------------------------------------------------


def timeline_json(timeline: Timeline) -> dict[str, Any]:
    """The documented JSON shape of ``timeline --format json``."""
    return {
        "learner": timeline.learner,
        "name": timeline.name,
        "status": timeline.status,
        "events": [
            {"date": e.date.isoformat(), "kind": e.kind, "text": e.text,
             "file": display_path(e.file), **e.details}
            for e in timeline.events
        ],
    }


KIND_STYLE = {"review": "cyan", "goal-achieved": "green", "badge": "green", "closed": "bold",
              "opened": "bold", "next-review": "magenta", "contract-in-force": "blue",
              "signed": "blue"}


def _timeline_text(timeline: Timeline) -> None:
    console = _data_console()
    console.print(Text.assemble((timeline.learner, "bold"), f"  {timeline.name}  ",
                                (f"({timeline.status})", "dim")))
    width = max((len(e.kind) for e in timeline.events), default=0)
    for event in timeline.events:
        overdue = event.details.get("overdue") is True
        style = "red" if overdue else KIND_STYLE.get(event.kind, "")
        console.print(Text.assemble(
            (event.date.isoformat(), "bold"), "  ", (event.kind.ljust(width), style), "  ",
            event.text,
        ))
        summary = event.details.get("summary")
        if isinstance(summary, str) and summary.strip():
            first = summary.strip().splitlines()[0]
            console.print(Text(" " * (14 + width) + first, style="dim"), overflow="ellipsis",
                          no_wrap=True)


@app.command(
    epilog="Examples:\n\n  pathway timeline L-2026-002\n\n"
    "  pathway timeline L-2026-002 --caseload sample_cases --format json",
)
@guarded
def timeline(
    case_id: OptionalIdArg = None,
    caseload: Annotated[
        Path | None, typer.Option("--caseload", help="Caseload root (default: found from here).")
    ] = None,
    output_format: Annotated[
        TimelineFormat, typer.Option("--format", "-f", help="text or json.")
    ] = TimelineFormat.text,
    today: TodayOpt = None,
) -> None:
    """One learner's story in date order: opened, assessed, plan agreed and revised,
    signatures, reviews with attendance and well-being, goals achieved, badges, closed.

    Private notes and the well-being plan are never shown.
    """
    from rich.markup import escape

    from pathway_cli.timeline import case_timeline, load_case_by_id

    loaded, case = load_case_by_id(caseload, case_id_or_here(case_id))
    story = case_timeline(case, loaded.settings, resolve_today(today))
    if output_format is TimelineFormat.json:
        print_json(timeline_json(story))
    else:
        _timeline_text(story)
    unread = [p.path for p in case.files() if p.model is None]
    for path in unread:
        err_console().print(f"[yellow]warning:[/] {escape(display_path(path))} could not be "
                            "read and is missing from the timeline (run 'pathway validate')")


# --- export ------------------------------------------------------------------------------


@app.command(
    epilog="Examples:\n\n  pathway export --format csv > learners.csv\n\n"
    "  pathway export --rows goals --format jsonl -o monitoring/goals.jsonl\n\n"
    "  pathway export --pseudonymise --rows reviews -o monitoring/reviews.csv",
)
@guarded
def export(
    paths: PathsArg = None,
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="csv or jsonl.")
    ] = ExportFormat.csv,
    rows: Annotated[
        ExportRows, typer.Option("--rows", help="One row a learner, a goal or a review.")
    ] = ExportRows.learners,
    pseudonymise: Annotated[
        bool,
        typer.Option("--pseudonymise", "--pseudonymize",
                     help="Keyed pseudonyms instead of ids; drop names, contacts, dates of "
                     "birth and free text."),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE|DIR",
                     help="Write to this file (or into this folder as ROWS.FORMAT, e.g. "
                     "goals.csv) instead of stdout."),
    ] = None,
    today: TodayOpt = None,
) -> None:
    """Flat rows for the institution's monitoring: one row a learner, a goal or a review.

    Private notes, health needs, the well-being plan and the learner's reflections are
    never exported. With --pseudonymise, ids become keyed hashes that stay the same from
    one export to the next; the key is made on first use in the caseload's .pathway/
    folder, which the .gitignore of 'pathway init' keeps out of git.
    """
    from rich.markup import escape

    from pathway_cli.export import export_caseload, to_csv, to_jsonl
    from pathway_cli.writer import atomic_write, refuse_record_area

    caseload = load_for_command(paths)
    if output is not None:
        # refused before anything is made: a pseudonym key is written on first use
        if output.is_dir():
            output = output / f"{rows.value}.{output_format.value}"
        refuse_record_area(output, caseload.root)
    result = export_caseload(caseload, resolve_today(today), rows.value,
                             pseudonymise=pseudonymise)
    text = to_csv(result) if output_format is ExportFormat.csv else to_jsonl(result)
    console = err_console()
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if output is None:
        sys.stdout.write(text)
        return
    atomic_write(output, text.encode("utf-8"))
    console.print(f"wrote {escape(display_path(output))} ({len(result.rows)} {rows.value})")

"""Commands over the whole caseload: ``summarise``, ``alerts``, ``timeline``, ``export``."""

from __future__ import annotations

import difflib
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
    print_json,
    resolve_today,
    warn_broken_settings,
)
from pathway_cli.cli.overview_tables import (
    Shown,
    alerts_table,
    data_console,
    summary_table,
)

if TYPE_CHECKING:

    from pathway_cli.alerts import Alert, CaseFilter
    from pathway_cli.facts import CaseloadView
    from pathway_cli.i18n import Language
    from pathway_cli.summary import LearnerSummary
    from pathway_cli.timeline import Timeline



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
    if not only.key_workers:
        return
    from rich.markup import escape

    from pathway_cli.alerts import key_workers

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


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


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
    shown = Shown(day, overview_language(caseload.settings.locale, lang))
    rows = summarise_folders(caseload, day, only, sentences=_sentences(
        output_format is SummaryFormat.table, shown.lang))
    if output_format is SummaryFormat.json:
        print_json([summary_json(r) for r in rows])
    elif output_format is SummaryFormat.csv:
        sys.stdout.write(_summary_csv(rows))
    else:
        if rows:
            summary_table(rows, shown)
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
        alerts_table(found, kept, language)
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
    from rich.text import Text

    console = data_console()
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

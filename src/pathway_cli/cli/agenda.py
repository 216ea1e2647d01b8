"""``pathway agenda``: what is due for each person, as a table, JSON or a calendar file."""

from __future__ import annotations

import json
import sys
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
    load_for_command,
    out_console,
    resolve_today,
)
from pathway_cli.cli.output import plain_cell, plain_tables

if TYPE_CHECKING:
    from pathway_cli.agenda import Agenda, AgendaItem


class AgendaFormat(StrEnum):
    """Output formats of ``agenda``."""

    table = "table"
    json = "json"
    ics = "ics"


def agenda_json(agenda: Agenda) -> dict[str, Any]:
    """The documented JSON document of ``agenda --format json``."""
    return {
        "as_of": agenda.as_of.isoformat(),
        "until": agenda.until.isoformat(),
        "items": [_item_json(i) for i in agenda.items],
    }


def _item_json(item: AgendaItem) -> dict[str, Any]:
    return {
        "date": item.date.isoformat(), "who": item.who, "learner": item.learner,
        "name": item.name, "kind": item.kind, "text": item.text, "overdue": item.overdue,
        "file": display_path(item.file), "uid": item.uid,
    }


def _plain_table(agenda: Agenda) -> str:
    """For grep, cut and sort (as summarise and alerts): a header line, then one
    tab-separated line an item, each naming its person."""
    lines = ["who\tdate\tlearner\tname\twhat"]
    lines += ["\t".join(plain_cell(cell) for cell in (
        item.who, item.date.isoformat() + (" overdue" if item.overdue else ""), item.learner,
        item.name, f"{item.kind}: {item.text}")) for item in agenda.items]
    return "\n".join(lines) + "\n"


def _table(agenda: Agenda) -> str:
    from rich.table import Table
    from rich.text import Text

    console = out_console()
    if plain_tables(console):
        return _plain_table(agenda)
    with console.capture() as captured:
        table = Table(header_style="bold", pad_edge=False, show_edge=False)
        for name in ("who", "date", "learner", "what"):
            table.add_column(name, no_wrap=name != "what", overflow="fold")
        previous = None
        for item in agenda.items:
            when = Text(item.date.isoformat() + (" overdue" if item.overdue else ""),
                        style="red" if item.overdue else "")
            table.add_row(Text(item.who if item.who != previous else "", style="bold"), when,
                          Text(f"{item.name} ({item.learner})"),
                          Text(f"{item.kind}: {item.text}"))
            previous = item.who
        console.print(table)
    return captured.get()


@app.command(
    epilog="Examples:\n\n  pathway agenda --today 2026-11-23\n\n"
    "  pathway agenda --who lfischer --days 7\n\n"
    "  pathway agenda --format ics -o lfischer.ics --who lfischer",
)
@guarded
def agenda(
    paths: PathsArg = None,
    who: Annotated[
        str | None,
        typer.Option("--who", metavar="ID", help="Only what falls to this team member."),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=0, max=3650, help="How many days ahead to look.")
    ] = 14,
    output_format: Annotated[
        AgendaFormat, typer.Option("--format", "-f", help="table, json or ics.")
    ] = AgendaFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    today: TodayOpt = None,
) -> None:
    """What is due for each person in the next N days, and what is overdue.

    Reviews (to the key worker), agreed actions and goal deadlines (to their owner; the
    key worker for the learner's own), contract and programme ends, and follow-ups of
    closed cases. --format ics writes an iCalendar file whose events carry only the
    learner's preferred name and the kind of appointment; importing it again updates
    the entries (stable UIDs) instead of duplicating them.
    """
    from rich.markup import escape

    from pathway_cli.agenda import build_agenda, to_ics
    from pathway_cli.writer import atomic_write, refuse_record_area

    caseload = load_for_command(paths)
    result = build_agenda(caseload, resolve_today(today), days, who)
    if output_format is AgendaFormat.ics:
        data = to_ics(result)
    elif output_format is AgendaFormat.json:
        data = (json.dumps(agenda_json(result), ensure_ascii=False, indent=2) + "\n").encode()
    elif not result.items:
        data = b""
    else:
        data = _table(result).encode()
    console = err_console()
    overdue = sum(1 for i in result.items if i.overdue)
    summary = (f"{len(result.items)} item{'s' if len(result.items) != 1 else ''} up to "
               f"{result.until.isoformat()}, {overdue} overdue")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        console.print(summary)
        return
    refuse_record_area(output, caseload.root)
    atomic_write(output, data)
    console.print(f"wrote {escape(display_path(output))} ({summary})")

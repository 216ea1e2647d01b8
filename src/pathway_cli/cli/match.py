"""The ``match`` command: mentor matching (``badges`` lives in ``cli/badges.py``)."""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
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
    print_json,
    resolve_today,
)
from pathway_cli.cli.output import show_table
from pathway_cli.errors import UserError
from pathway_cli.plaintext import strip_controls

if TYPE_CHECKING:
    from pathway_cli.caseload import Caseload
    from pathway_cli.matching import MatchResult
    from pathway_cli.updates import Applied, Change


class MatchFormat(StrEnum):
    """Output formats of ``match``."""

    table = "table"
    json = "json"


def match_json(result: MatchResult) -> dict[str, Any]:
    """The documented JSON shape of ``match --format json`` (CLI.md, plus extra fields)."""
    return {
        "as_of": result.as_of.isoformat(),
        "pairs": [
            {"learner": p.learner, "mentor": p.mentor, "score": p.score,
             "reasons": list(p.reasons), "role": p.role, "points": p.points,
             "learner_name": p.learner_name, "mentor_name": p.mentor_name}
            for p in result.pairs
        ],
        "unmatched": [
            {"learner": u.learner, "reason": u.reason, "learner_name": u.learner_name}
            for u in result.unmatched
        ],
        "mentors": [
            {"id": m.id, "name": m.name, "kind": m.kind, "capacity": m.capacity,
             "taken": m.taken, "free": m.free, "proposed": m.proposed, "note": m.note}
            for m in result.mentors
        ],
        "skipped": [{"learner": s.learner, "reason": s.reason} for s in result.skipped],
        "total_points": result.total_points,
        "max_points": result.max_points,
    }


def _report_table(result: MatchResult) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = out_console()
    if result.pairs:
        table = Table(title=f"Proposed mentors (as of {result.as_of.isoformat()})",
                      title_justify="left", show_lines=True)
        table.add_column("Learner")
        table.add_column("Mentor")
        table.add_column("Score", justify="right")
        table.add_column("Why")
        for p in result.pairs:
            table.add_row(
                f"{escape(p.learner)}\n{escape(p.learner_name)}",
                f"{escape(p.mentor)} ({p.role})\n{escape(p.mentor_name)}",
                f"{p.score:.2f}",
                "\n".join(f"- {escape(r)}" for r in p.reasons),
            )
        show_table(console, table)
    else:
        console.print("No pairs to propose.")
    if result.unmatched:
        table = Table(title="Still without a mentor", title_justify="left")
        table.add_column("Learner")
        table.add_column("Why")
        for u in result.unmatched:
            table.add_row(f"{escape(u.learner)} {escape(u.learner_name)}", escape(u.reason))
        show_table(console, table)
    pool = Table(title="Mentor pool", title_justify="left")
    pool.add_column("Mentor")
    pool.add_column("Kind")
    pool.add_column("Taken", justify="right")
    pool.add_column("Proposed", justify="right")
    pool.add_column("Note")
    for m in result.mentors:
        pool.add_row(escape(m.id), m.kind, f"{m.taken} of {m.capacity}",
                     str(m.proposed) if m.proposed else "", escape(m.note or ""))
    show_table(console, pool)


def _report_skipped(result: MatchResult) -> None:
    from rich.markup import escape

    console = err_console()
    for s in result.skipped:
        console.print(f"[yellow]skipped[/] {escape(s.learner)}: {escape(s.reason)}")


def _commit_message(result: MatchResult) -> str:
    pairs = ", ".join(f"{p.learner} {p.mentor}" for p in result.pairs)
    count = len(result.pairs)
    return f"match: mentor{'s' if count != 1 else ''} for {count} learner" \
        f"{'s' if count != 1 else ''} ({pairs})"


def _apply(result: MatchResult, caseload: Caseload, changes: list[Change], today: date,
           yes: bool, commit: bool) -> None:
    """Ask (unless --yes), then write every planned change, or none."""
    from rich.markup import escape

    from pathway_cli.updates import apply_changes

    console = err_console()
    if not changes:
        console.print("nothing to apply: no pair is proposed")
        return
    for pair, change in zip(result.pairs, changes, strict=True):
        console.print(f"will add {escape(pair.mentor)} ({pair.role}) to the team in "
                      f"{escape(display_path(change.path))}")
    if not yes:
        try:
            agreed = typer.confirm(f"Write {len(changes)} mentor{'s' if len(changes) != 1 else ''}"
                                   " into the learners' teams?", default=False, err=True)
        except typer.Abort:
            console.print()  # end the prompt's line
            raise UserError(
                "--apply asks before writing, and there is no answer on stdin; nothing written",
                hint="check the proposal, then run again with --yes to apply it without asking",
            ) from None
        if not sys.stdin.isatty():
            console.print()  # an answer read from a pipe is not echoed
        if not agreed:
            console.print("nothing written")
            return
    applied = apply_changes(changes, caseload, today,
                            commit_message=_commit_message(result) if commit else None)
    _report_applied(applied)


def _report_applied(applied: Applied) -> None:
    from rich.markup import escape

    console = err_console()
    for path in applied.written:
        console.print(f"[green]wrote[/] {escape(display_path(path))}")
    for finding in applied.warnings:
        where = f"{display_path(finding.file)}:{finding.line or 1}:{finding.column or 1}"
        console.print(f"[yellow]warning[/] {escape(where)}: {finding.rule}: "
                      f"{escape(finding.message)}")
    if applied.commit:
        console.print(f"committed {escape(applied.commit)}")


@app.command(
    epilog="Examples:\n\n  pathway match\n\n  pathway match sample_cases --today 2026-11-23\n\n"
    "  pathway match --format json | jq '.pairs[] | [.learner, .mentor, .score]'\n\n"
    "  pathway match --dry-run\n\n  pathway match --apply\n\n"
    "  pathway match --apply --yes --commit",
)
@guarded
def match(
    paths: PathsArg = None,
    output_format: Annotated[
        MatchFormat, typer.Option("--format", "-f", help="table or json.")
    ] = MatchFormat.table,
    apply: Annotated[
        bool, typer.Option("--apply", help="Write each proposed mentor into the learner's team "
                           "(asks first).")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="With --apply: do not ask.")] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff --apply would write; write nothing.")
    ] = False,
    commit: Annotated[
        bool, typer.Option("--commit", help="With --apply: commit the changed files in git.")
    ] = False,
    today: TodayOpt = None,
) -> None:
    """Propose mentors from mentors.yaml for the active learners who have none, with reasons.

    Pairs are scored on shared sector, languages, interests, the mentor's availability and
    independence, and the kind of mentor against the learner's needs (weights under
    'matching:' in pathway.yaml). The proposal maximises the total score; untrained mentors
    and mentors at capacity are never proposed, and every learner left without a mentor is
    listed with the reason. --apply writes the proposal into the learners' teams, after
    checking every changed case and asking.
    """
    from pathway_cli.matching import plan_assignments, propose_matches
    from pathway_cli.updates import apply_changes

    caseload = load_for_command(paths)
    day = resolve_today(today)
    result = propose_matches(caseload, day)
    _report_skipped(result)
    changes: list[Change] = []
    diff = ""
    if apply or dry_run:
        changes = plan_assignments(result, caseload)
        # validates every touched case now, so a refusal comes before any question
        diff = apply_changes(changes, caseload, day, dry_run=True).diff
    if output_format is MatchFormat.json:
        document = match_json(result)
        if dry_run:
            document["diff"] = diff
        print_json(document)
    else:
        _report_table(result)
        if dry_run:
            sys.stdout.write(strip_controls(diff))
    if dry_run:
        err_console().print(f"dry run: nothing written ({len(changes)} "
                            f"file{'s' if len(changes) != 1 else ''} would change)")
    elif apply:
        _apply(result, caseload, changes, day, yes, commit)

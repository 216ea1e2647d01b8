"""Commands that update records: ``goal``, ``review new``, ``sign``, ``set``, ``close``,
``follow-up``, ``reopen``.

Each command plans its change with ``pathway_cli.updates``, which validates the whole
case with the change before anything is written, and reports what happened: the diff
on stdout for ``--dry-run``, a line per written file (and any new warnings) on stderr.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from pathway_cli.cli import completion
from pathway_cli.cli.app import (
    OptionalIdArg,
    TodayOpt,
    app,
    case_id_or_here,
    display_path,
    err_console,
    guarded,
    int_range,
    parse_date_option,
    resolve_today,
)
from pathway_cli.cli.helptext import PlainHelpGroup
from pathway_cli.errors import UserError
from pathway_cli.findings import Finding
from pathway_cli.models import Destination, GoalStatus, Outcome, Party, ReviewKind
from pathway_cli.plaintext import strip_controls
from pathway_cli.updates import (
    Applied,
    EditorUnavailable,
    Update,
    apply_update,
    close_case,
    create_review,
    open_case,
    record_follow_up,
    reopen_case,
    set_values,
    sign_contract,
    update_goal,
    updating_case,
)
from pathway_cli.updates.assignments import parse_assignment

review_app = typer.Typer(
    name="review",
    cls=PlainHelpGroup,
    help="Reviews and sessions: 'review new' writes the next one, prefilled.",
    no_args_is_help=True,
)
app.add_typer(review_app, name="review")


def _on(value: str | None, today: date) -> date:
    return date.fromisoformat(value) if value else today


IdArg = Annotated[str, typer.Argument(metavar="ID", help="Learner id (the case folder's name).",
                                      autocompletion=completion.complete_learner)]
CaseloadOpt = Annotated[
    Path | None,
    typer.Option("--caseload", help="Caseload root (default: found from the current folder)."),
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Print the diff of the change and write nothing.")
]
CommitOpt = Annotated[
    bool,
    typer.Option("--commit", help="Stage the changed files and make a git commit that says "
                 "what changed (the caseload must be a git repository)."),
]


def _date_opt(flag: str, text: str) -> Any:
    return typer.Option(flag, metavar="YYYY-MM-DD", callback=parse_date_option, help=text)


def _finding_line(finding: Finding) -> str:
    where = f"{display_path(finding.file)}:{finding.line or 1}:{finding.column or 1}"
    return f"{where}: {finding.rule}: {finding.message}"


def _report(update: Update, applied: Applied) -> None:
    """The diff on stdout for a dry run; what was written and what to know on stderr."""
    console = err_console()
    if not applied.changes:
        console.print(f"nothing to change: {escape(update.message)}")
        return
    if applied.dry_run:
        sys.stdout.write(strip_controls(applied.diff))
        sys.stdout.flush()
        count = len(applied.changes)
        console.print(f"dry run: nothing written ({count} file{'s' if count != 1 else ''} "
                      f"would change): {escape(update.message)}")
    else:
        for path in applied.written:
            console.print(f"[green]wrote[/] {escape(display_path(path))}")
        console.print(escape(update.message))
    for finding in applied.warnings:
        console.print(f"[yellow]warning[/] {escape(_finding_line(finding))}")
    for finding in applied.resolved:
        console.print(f"[green]resolved[/] {escape(_finding_line(finding))}")
    for finding in applied.remaining:
        console.print(f"[red]still to fix[/] {escape(_finding_line(finding))}")
    if applied.commit:
        console.print(f"committed {escape(applied.commit)}")


@app.command(
    epilog="Examples:\n\n"
    "  pathway goal L-2026-002 G1 --status in-progress --progress 55\n\n"
    "  pathway goal L-2026-002 G3 --status achieved --on 2026-11-20 --commit\n\n"
    "  pathway goal L-2026-001 G2 --note 'resit booked for March' --dry-run",
)
@guarded
def goal(
    first: Annotated[str, typer.Argument(
        metavar="[ID] GOAL", show_default=False,
        autocompletion=completion.complete_goal_or_learner,
        help="Learner id and goal id in plan.yaml; inside a case folder, the goal id alone.")],
    second: Annotated[str | None, typer.Argument(
        metavar="", hidden=True, show_default=False,
        autocompletion=completion.complete_goal_of_case)] = None,
    status: Annotated[
        GoalStatus | None, typer.Option("--status", help="New status of the goal.")
    ] = None,
    progress: Annotated[
        int | None, typer.Option("--progress", metavar="0-100", callback=int_range(0, 100),
                                  help="Progress, 0-100.")
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", help="The latest word on the goal (an empty text removes it)."),
    ] = None,
    on: Annotated[
        str | None,
        _date_opt("--on", "Date the goal was achieved (default: today)."),
    ] = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> None:
    """Update one goal in plan.yaml: status, progress, note.

    Setting the status to achieved also writes achieved_on (--on, default today) and
    progress 100; moving a goal away from achieved removes achieved_on. The whole case
    is validated with the change before anything is written: an invalid result is refused
    (exit 1) and the file is left untouched. Only the goal's changed lines are rewritten.
    """
    day = resolve_today(today)
    case_id, goal_id = (first, second) if second is not None else (case_id_or_here(None), first)
    with updating_case(caseload, case_id, lock=not dry_run) as (loaded, case):
        update = update_goal(case, goal_id, status=status, progress=progress, note=note,
                             on=date.fromisoformat(on) if on else None, today=day)
        applied = apply_update(update, loaded, day, dry_run=dry_run, commit=commit)
    _report(update, applied)


def _run_editor(path: Path) -> None:
    """Open ``path`` in the user's editor ($VISUAL or $EDITOR) and wait for it."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise EditorUnavailable("--edit needs an editor: set EDITOR (for example EDITOR=nano)")
    try:
        command = shlex.split(editor)
    except ValueError as exc:
        raise EditorUnavailable(
            f"the editor setting '{editor}' cannot be read ({exc}); nothing was written",
            hint="set EDITOR to a command, for example EDITOR=nano or EDITOR='code --wait'",
        ) from None
    if not command:
        raise EditorUnavailable("--edit needs an editor: set EDITOR (for example EDITOR=nano)")
    try:
        result = subprocess.run([*command, str(path)], check=False)
    except OSError as exc:
        raise EditorUnavailable(f"could not start the editor '{editor}': {exc.strerror}") from None
    if result.returncode != 0:
        raise UserError(f"the editor '{editor}' exited with code {result.returncode}")


@review_app.command(
    "new",
    epilog="Examples:\n\n"
    "  pathway review new L-2026-002\n\n"
    "  pathway review new L-2026-002 --kind case-conference --date 2026-11-30 \\\n"
    "      --edit\n\n"
    "  pathway review new L-2026-008 --dry-run",
)
@guarded
def review_new(
    case_id: OptionalIdArg = None,
    on: Annotated[
        str | None, _date_opt("--date", "Date of the review (default: today).")
    ] = None,
    kind: Annotated[ReviewKind, typer.Option("--kind", help="Kind of review.")] = (
        "progress-review"
    ),
    edit: Annotated[
        bool,
        typer.Option("--edit", help="Open the new review in $EDITOR and check it when you close "
                     "it; if it is refused, your text is kept and reopened next time."),
    ] = False,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> None:
    """Write reviews/DATE.yaml prefilled where the last review left off.

    The key worker is entered in with:, each open goal with its latest status and
    progress (from the reviews newer than the plan, else the plan), every action not yet
    done with its owner and due date, and next_review is the date plus the caseload's
    review_every_days. A second review on one day is DATE-2.yaml. With --edit, a review
    saved as it was prefilled records nothing and is kept as a draft, not saved.
    """
    day = resolve_today(today)
    case_id = case_id_or_here(case_id)
    when = _on(on, day)
    if edit:  # the editor may stay open for long: the case is locked only to write it
        loaded, case = open_case(caseload, case_id)
        applied = create_review(loaded, case, when, kind, day, edit=_run_editor,
                                dry_run=dry_run, commit=commit)
    else:
        with updating_case(caseload, case_id, lock=not dry_run) as (loaded, case):
            applied = create_review(loaded, case, when, kind, day, dry_run=dry_run,
                                    commit=commit)
    path = applied.changes[0].path if applied.changes else case.folder
    message = f"{case.id}: new {kind} on {when.isoformat()} ({path.parent.name}/{path.name})"
    _report(Update(case.id, tuple(applied.changes), message), applied)


@app.command(
    epilog="Examples:\n\n"
    "  pathway sign L-2026-005 --party learner --name 'Giulia Esposito'\n\n"
    "  pathway sign L-2026-005 --party guardian --name 'Franca Esposito' \\\n"
    "      --date 2026-11-20",
)
@guarded
def sign(
    party: Annotated[Party, typer.Option("--party", help="Who signs.")],
    name: Annotated[str, typer.Option("--name", help="Name of the person signing.")],
    case_id: OptionalIdArg = None,
    on: Annotated[str | None, _date_opt("--date", "Date of signing (default: today).")] = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> None:
    """Add a signature to contract.yaml.

    The contract is in force once learner and provider have signed. The signature is
    appended in the style of the ones already there.
    """
    day = resolve_today(today)
    with updating_case(caseload, case_id_or_here(case_id), lock=not dry_run) as (loaded, case):
        update = sign_contract(case, party, name, _on(on, day))
        applied = apply_update(update, loaded, day, dry_run=dry_run, commit=commit)
    _report(update, applied)


def _assignment(values: list[str]) -> list[str]:
    for value in values:
        try:
            parse_assignment(value)
        except UserError as exc:
            raise typer.BadParameter(exc.message) from None
    return values


@app.command(
    "set",
    epilog="Examples:\n\n"
    "  pathway set L-2026-002 learner programme.mode=dual\n\n"
    "  pathway set L-2026-002 plan goals.G2.due=2027-02-01 'goals.G2.target=>= 85%'\n\n"
    "  pathway set L-2026-003 learner 'consent.share_with=\\[guardian, employer]'\n\n"
    "  pathway set L-2026-002 review:2026-10-26 next_review=2026-11-09\n\n"
    "  pathway set L-2026-001 plan revised=     # an empty value removes the key",
)
@guarded
def set_(
    case_id: IdArg,
    file: Annotated[
        str,
        typer.Argument(metavar="FILE", help="learner, assessment, plan, contract, "
                       "review:YYYY-MM-DD or review (the latest)."),
    ],
    assignments: Annotated[
        list[str],
        typer.Argument(metavar="KEY=VALUE...", callback=_assignment,
                       help="Dotted keys; list items by their id (goals.G2.due) or index."),
    ],
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> None:
    """Set values in one record file by dotted key.

    Values are typed by the record model: dates, whole numbers, rates, true/false, and
    lists or blocks in YAML flow syntax (\\[a, b], {key: value}). A missing key is added in
    its usual place; an unknown key is refused by validation.
    """
    day = resolve_today(today)
    with updating_case(caseload, case_id, lock=not dry_run) as (loaded, case):
        update = set_values(case, file, assignments)
        applied = apply_update(update, loaded, day, dry_run=dry_run, commit=commit)
    _report(update, applied)


@app.command(
    epilog="Examples:\n\n"
    "  pathway close L-2026-006 --outcome completed --date 2026-07-10\n\n"
    "  pathway close L-2026-009 --outcome transferred --commit",
)
@guarded
def close(
    outcome: Annotated[Outcome, typer.Option("--outcome", help="How the case ended.")],
    case_id: OptionalIdArg = None,
    on: Annotated[
        str | None, _date_opt("--date", "Date the case closed (default: today).")
    ] = None,
    status: Annotated[
        Literal["completed", "left"] | None,
        typer.Option("--status", help="Default: completed for outcome completed, left "
                     "otherwise."),
    ] = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> None:
    """Close a case: status, closed date and outcome in learner.yaml."""
    day = resolve_today(today)
    with updating_case(caseload, case_id_or_here(case_id), lock=not dry_run) as (loaded, case):
        update = close_case(case, outcome, _on(on, day), status)
        applied = apply_update(update, loaded, day, dry_run=dry_run, commit=commit)
    _report(update, applied)



@app.command(
    "follow-up",
    epilog="Examples:\n\n"
    "  pathway follow-up L-2026-006 --destination employment --date 2027-01-12\n\n"
    "  pathway follow-up L-2026-006 --destination NEET --commit",
)
@guarded
def follow_up(
    case_id: IdArg,
    destination: Annotated[
        Destination,
        typer.Option("--destination", help="Where the learner is now: education, training, "
                     "employment, NEET or unknown."),
    ],
    on: Annotated[
        str | None, _date_opt("--date", "Date of the follow-up (default: today).")
    ] = None,
    note: Annotated[
        str | None,
        typer.Option("--note", help="A word on it (personal: kept from guardian and employer)."),
    ] = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> None:
    """Record where a learner is after the case closed: a follow-up in learner.yaml.

    Closed cases are due a follow-up 3, 6 and 12 months after closing (risk:
    follow_up_months in pathway.yaml); 'pathway alerts' raises follow-up-due until one is
    recorded. The whole case is validated before anything is written.
    """
    day = resolve_today(today)
    loaded, case = open_case(caseload, case_id)
    update = record_follow_up(case, destination, _on(on, day), note)
    _report(update, apply_update(update, loaded, day, dry_run=dry_run, commit=commit))


@app.command(
    epilog="Examples:\n\n"
    "  pathway reopen L-2026-006 --date 2027-02-01\n\n"
    "  pathway reopen L-2026-006 --dry-run",
)
@guarded
def reopen(
    case_id: IdArg,
    on: Annotated[
        str | None, _date_opt("--date", "Date the learner came back (default: today).")
    ] = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> None:
    """Reopen a closed case for a learner who came back: one case, with its history.

    The closed date and outcome move into history (with the date reopened) and the
    status is active again; every record, follow-up and review stays where it is.
    """
    day = resolve_today(today)
    loaded, case = open_case(caseload, case_id)
    update = reopen_case(case, _on(on, day))
    _report(update, apply_update(update, loaded, day, dry_run=dry_run, commit=commit))

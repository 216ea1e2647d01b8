"""Commands about the records themselves: ``validate``, ``schema``, ``init``, ``new``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from pathway_cli.cli.app import (
    PathsArg,
    TodayOpt,
    app,
    display_path,
    err_console,
    guarded,
    out_console,
    print_json,
    resolve_today,
)
from pathway_cli.cli.output import Painter, write_text
from pathway_cli.findings import Finding, ValidationResult
from pathway_cli.plaintext import strip_controls


class ValidateFormat(StrEnum):
    """Output formats of ``validate``."""

    text = "text"
    json = "json"
    github = "github"


def _report_text(result: ValidationResult) -> None:
    # Thousands of findings are common in a big caseload: the text is built once and written
    # in one go, with colour codes of our own on a terminal, instead of one Rich render a line.
    paint = Painter.for_stream(err_console())
    # record text (in a message, a source line, a file name) never carries a control
    # character to the terminal; our own colour codes are added after. Without colour the
    # whole text is cleaned once at the end (the same bytes, one pass instead of thousands).
    clean = strip_controls if paint.colour else _as_is
    out: list[str] = []
    for finding in result.findings:
        colour = "red" if finding.is_error else "yellow"
        where = clean(_where(finding))
        out.append(
            f"{paint(where + ':', 'bold')} {paint(finding.severity.value, colour)} "
            f"{paint(finding.rule + ':', 'dim')} {clean(finding.message)}\n"
        )
        source = result.sources.get(finding.file)
        if source is not None and finding.line:
            text = strip_controls(source.line_text(finding.line))
            if text.strip():
                gutter = f"{finding.line:>5} | "
                out.append(f"{paint(gutter, 'dim')}{text.expandtabs(1)}\n")
                caret = " " * (len(gutter) + max((finding.column or 1) - 1, 0)) + "^"
                out.append(paint(caret, colour) + "\n")
    files = f"{result.files} file{'s' if result.files != 1 else ''}"
    summary = (
        f"{files} checked: {result.errors} error{'s' if result.errors != 1 else ''}, "
        f"{result.warnings} warning{'s' if result.warnings != 1 else ''}"
    )
    style = "red" if result.errors else ("yellow" if result.warnings else "green")
    out.append(paint(summary, style) + "\n")
    text = "".join(out)
    write_text(sys.stderr, text if paint.colour else strip_controls(text))


def _as_is(text: str) -> str:
    return text


def _where(finding: Finding) -> str:
    return f"{display_path(finding.file)}:{finding.line or 1}:{finding.column or 1}"


def validation_json(result: ValidationResult) -> dict[str, Any]:
    """The documented JSON shape of ``validate --format json``."""
    return {
        "files": result.files,
        "errors": result.errors,
        "warnings": result.warnings,
        "findings": [
            {
                "file": display_path(f.file),
                "line": f.line or 1,
                "column": f.column or 1,
                "severity": f.severity.value,
                "rule": f.rule,
                "message": f.message,
            }
            for f in result.findings
        ],
    }


def _github_escape(text: str, *, prop: bool = False) -> str:
    text = strip_controls(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _report_github(result: ValidationResult) -> None:
    for f in result.findings:
        level = "error" if f.is_error else "warning"
        print(
            f"::{level} file={_github_escape(display_path(f.file), prop=True)},"
            f"line={f.line or 1},col={f.column or 1},title={_github_escape(f.rule, prop=True)}"
            f"::{_github_escape(f.message)}"
        )


@app.command(
    epilog="Examples:\n\n  pathway validate\n\n  pathway validate sample_cases --strict\n\n"
    "  pathway validate cases/L-2026-014/plan.yaml --format json",
)
@guarded
def validate(
    paths: PathsArg = None,
    strict: Annotated[bool, typer.Option(help="Fail on warnings too.")] = False,
    output_format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="text, json or github annotations.")
    ] = ValidateFormat.text,
    whole_cases: Annotated[
        bool,
        typer.Option("--whole-cases",
                     help="With record files named, report every finding of their cases "
                     "(a goal removed from plan.yaml shows in the review that names it)."),
    ] = False,
    today: TodayOpt = None,
) -> None:
    """Check records against the format: shapes, references, dates and consistency.

    Every problem in every file is reported as file:line:col: severity rule: message.
    A record file named alone is checked with its case around it and only its own
    findings are reported, unless --whole-cases asks for all of its case's.
    """
    # answered from the cache of checked cases where nothing changed: no record model is
    # imported then, so the other commands' core modules are imported inside their functions
    from pathway_cli.checked import validate_checked

    result = validate_checked(paths or [], resolve_today(today), whole_cases=whole_cases)
    if output_format is ValidateFormat.json:
        print_json(validation_json(result))
    elif output_format is ValidateFormat.github:
        _report_github(result)
    else:
        _report_text(result)
    if result.failed(strict):
        raise typer.Exit(1)


@app.command(epilog="Examples:\n\n  pathway schema -o schemas/\n\n  pathway schema > all.json")
@guarded
def schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder to write <kind>.schema.json files into."),
    ] = None,
) -> None:
    """JSON Schema (draft 2020-12) of each record kind, for editors and other validators."""
    from pathway_cli.schema import record_schemas, schema_file_name, schema_json
    from pathway_cli.writer import atomic_write, refuse_private_area

    schemas = record_schemas()
    if output is None:
        print(json.dumps(schemas, indent=2, ensure_ascii=False))
        return
    refuse_private_area(output)
    console = err_console()
    for kind, body in schemas.items():
        path = output / schema_file_name(kind)
        atomic_write(path, schema_json(body).encode("utf-8"))
        console.print(f"wrote {escape(display_path(path))}")


@app.command(epilog="Example:\n\n  pathway init my-caseload --organisation 'Berufsschule Nord'")
@guarded
def init(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder of the new caseload.")
    ] = Path(),
    organisation: Annotated[
        str | None, typer.Option(help="Organisation name shown on reports.")
    ] = None,
) -> None:
    """Make a caseload skeleton: pathway.yaml, cases/, schemas, a README, a pre-commit hook."""
    from pathway_cli.scaffold import init_caseload

    result = init_caseload(directory, organisation)
    console = err_console()
    for path in result.written:
        console.print(f"wrote {escape(display_path(path))}")
    for path in result.kept:
        console.print(f"kept  {escape(display_path(path))} (already there)")
    console.print("next: pathway new ID --name NAME --key-worker ID")


@app.command(
    epilog="Example:\n\n  pathway new L-2026-015 --name 'Zofia Wiśniewska' --key-worker tkeller",
)
@guarded
def new(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Learner id (folder name).")],
    name: Annotated[str, typer.Option("--name", help="The learner's full name.")],
    key_worker: Annotated[
        str | None,
        typer.Option("--key-worker", metavar="ID",
                     help="Team id of the key worker (name and role copied from other cases)."),
    ] = None,
    key_worker_name: Annotated[
        str | None,
        typer.Option("--key-worker-name", metavar="NAME",
                     help="Full name of a key worker new to the caseload (asked for in a "
                     "terminal; otherwise left for you to fill in)."),
    ] = None,
    caseload: Annotated[
        Path | None, typer.Option("--caseload", help="Caseload root (default: found from here).")
    ] = None,
    today: TodayOpt = None,
) -> None:
    """Make cases/ID/ with learner.yaml and commented skeletons for the other records."""
    from pathway_cli.scaffold import known_member, new_case

    if (key_worker and not key_worker_name and sys.stdin.isatty()
            and known_member(caseload, key_worker) is None):
        key_worker_name = typer.prompt(f"{key_worker} is new to this caseload; full name",
                                       default="", show_default=False).strip() or None
    result = new_case(caseload, case_id, name, resolve_today(today), key_worker,
                      key_worker_name)
    console = err_console()
    for path in result.written:
        console.print(f"wrote {escape(display_path(path))}")
    if key_worker and "# FILL IN" in result.written[0].read_text(encoding="utf-8"):
        console.print(f"[yellow]next:[/] fill in the full name of {escape(key_worker)} in "
                      f"{escape(display_path(result.written[0]))} (or give --key-worker-name)")
    out_console().print(escape(display_path(result.written[0].parent)))

"""``pathway badges``: issue signed Open Badges 3.0 credentials, verify and revoke them.

``pathway badges ID`` issues a learner's badges (the ``issue`` subcommand is the default,
so the command works as it always did); ``keygen``, ``did-document``, ``verify`` and
``revoke`` are its other subcommands.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from pathway_cli.cli.app import (
    OptionalIdArg,
    TextOrJson,
    TodayOpt,
    app,
    case_id_or_here,
    display_path,
    err_console,
    guarded,
    resolve_today,
)
from pathway_cli.cli.helptext import PlainHelpMixin
from pathway_cli.errors import UserError

if TYPE_CHECKING:
    from pathway_cli.badges import (
        BadgeSet,
    )


class _IssueByDefault(PlainHelpMixin, TyperGroup):
    """A group whose first argument, when it names no subcommand, goes to ``issue``.

    ``pathway badges L-2026-006`` is ``pathway badges issue L-2026-006``; inside a case
    folder, ``pathway badges`` alone issues that case's badges.
    """

    default_command = "issue"

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from pathway_cli.locating import case_folder_around

        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        elif not args and case_folder_around(Path.cwd()) is not None:
            args = [self.default_command]
        return super().parse_args(ctx, args)


badges_app = typer.Typer(
    cls=_IssueByDefault,
    subcommand_metavar="ID [OPTIONS] | COMMAND [ARGS]...",
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="Open Badges 3.0 credentials of recognised achievements: issue them signed (the "
    "default: 'pathway badges ID'), make the issuer key, verify and revoke them.",
    epilog="Examples:\n\n  pathway badges keygen\n\n  pathway badges L-2026-006\n\n"
    "  pathway badges verify badges/L-2026-006/goal-G2.png\n\n"
    "  pathway badges revoke badges/L-2026-006/goal-G2.json --reason 'issued in error'",
)
app.add_typer(badges_app, name="badges")

CaseloadOpt = Annotated[
    Path | None, typer.Option("--caseload", help="Caseload root (default: found from here).")
]


class BadgeFormat(StrEnum):
    """How a credential file is signed."""

    json = "json"
    jwt = "jwt"


def _report_badges(result: BadgeSet) -> None:
    from rich.markup import escape

    console = err_console()
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    for path in result.written:
        console.print(f"wrote {escape(display_path(path))}")
        print(display_path(path))
    if not result.badges:
        console.print(f"{escape(result.learner)} has no recognised achievement to issue yet "
                      "(a goal or hidden skill with a 'credential:')")
        return
    if result.issuer.derived:
        console.print("[dim]issuer id derived from the organisation name "
                      f"({escape(result.issuer.id)}); signed badges are issued by the "
                      "caseload's key instead (pathway badges keygen)[/]")
    if result.signer == "unsigned":
        console.print("[dim]credentials are unsigned: a wallet can show them but not verify "
                      "them (run 'pathway badges keygen' once, then issue them again)[/]")
    else:
        console.print(f"[dim]signed ({escape(result.signer)}) by {escape(result.issuer.id)}[/]")


@badges_app.command(
    "issue",
    epilog="Examples:\n\n  pathway badges L-2026-006\n\n"
    "  pathway badges issue L-2026-003 -o /tmp/sasha-badges\n\n"
    "  pathway badges L-2026-008 --format jwt --caseload sample_cases\n\n"
    "  pathway badges L-2026-006 --unsigned",
)
@guarded
def issue(
    case_id: OptionalIdArg = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o",
                     help="Folder for the files (default: <caseload>/badges/ID/)."),
    ] = None,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    badge_format: Annotated[
        BadgeFormat,
        typer.Option("--format", "-f", help="json: Data Integrity proof (eddsa-rdfc-2022); "
                     "jwt: VC-JWT (EdDSA)."),
    ] = BadgeFormat.json,
    unsigned: Annotated[
        bool, typer.Option("--unsigned", help="Write unsigned files (named *.unsigned.*).")
    ] = False,
    images: Annotated[
        bool, typer.Option("--images/--no-images", help="Also write the baked PNG and SVG.")
    ] = True,
) -> None:
    """Issue each recognised achievement as a signed Open Badges 3.0 credential.

    Every achieved goal with a 'credential:' in plan.yaml and every hidden skill with a
    'credential:' in assessment.yaml becomes an AchievementCredential that the official
    1EdTech schema accepts, signed with the caseload's issuer key (see 'pathway badges
    keygen'), written as JSON (or a JWT) and baked into a PNG and an SVG image. The
    learner appears only as a salted hash of their id. Re-running on the same day writes
    the same files.
    """
    from pathway_cli.badges import issue_badges
    from pathway_cli.caseload import load_caseload

    loaded = load_caseload([caseload] if caseload else [])
    result = issue_badges(loaded, case_id_or_here(case_id), resolve_today(today), output,
                          form=badge_format.value, signed=not unsigned, images=images)
    _report_badges(result)


@badges_app.command(
    "keygen",
    epilog="Examples:\n\n  pathway badges keygen\n\n  pathway badges keygen --caseload "
    "sample_cases",
)
@guarded
def keygen(caseload: CaseloadOpt = None) -> None:
    """Make the caseload's issuer key (Ed25519) in .pathway/issuer-key.pem.

    The key signs every badge. It is written once (mode 0600, ignored by git) and never
    replaced: back it up somewhere safe and keep it off shared drives. Without issuer.url
    in pathway.yaml the issuer is the key's did:key; with it, the school's did:web.
    """
    from rich.markup import escape

    from pathway_cli.badges import make_key
    from pathway_cli.caseload import load_caseload

    loaded = load_caseload([caseload] if caseload else [])
    result = make_key(loaded)
    console = err_console()
    console.print(f"made the issuer key {escape(display_path(result.path))} (mode 0600)")
    console.print("[yellow]back it up now[/] (a password manager or a safe) and keep it off "
                  "shared drives and out of git: whoever holds it can issue badges in the "
                  "school's name")
    if result.did_document_url:
        console.print(f"publish the DID document at {escape(result.did_document_url)}: "
                      "pathway badges did-document -o DIR")
    print(result.did)


@badges_app.command(
    "did-document",
    epilog="Examples:\n\n  pathway badges did-document -o /tmp/site/.well-known",
)
@guarded
def did_document_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for did.json.")],
    caseload: CaseloadOpt = None,
) -> None:
    """Write the did.json the school publishes for its did:web issuer (needs issuer.url)."""
    from rich.markup import escape

    from pathway_cli.badges import write_did_document
    from pathway_cli.caseload import load_caseload

    loaded = load_caseload([caseload] if caseload else [])
    path, did, url = write_did_document(loaded, output)
    err_console().print(f"wrote {escape(display_path(path))}: publish it at {escape(url)} "
                        f"so that anyone can check badges issued by {escape(did)}")
    print(display_path(path))


def _json_files(paths: list[Path] | None, what: str) -> list[dict[str, Any]]:
    documents = []
    for path in paths or []:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"{path}: cannot be read as a {what} ({exc})") from None
        if not isinstance(document, dict):
            raise UserError(f"{path}: is not a {what} (not a JSON object)")
        documents.append(document)
    return documents


@badges_app.command(
    "verify",
    epilog="Examples:\n\n  pathway badges verify badges/L-2026-006/goal-G2.json\n\n"
    "  pathway badges verify badges/L-2026-006/*.png --format json\n\n"
    "  pathway badges verify goal-G2.svg --did-document did.json \\\n"
    "      --status-list status-list.json",
)
@guarded
def verify(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Credential files: "
                     "JSON, JWT, or a baked PNG or SVG.")],
    did_document: Annotated[
        list[Path] | None,
        typer.Option("--did-document", help="The issuer's published did.json (did:web)."),
    ] = None,
    status_list: Annotated[
        list[Path] | None,
        typer.Option("--status-list", help="The issuer's published status list."),
    ] = None,
    fetch: Annotated[
        bool, typer.Option("--fetch", help="Fetch did.json and status lists over https.")
    ] = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    output_format: Annotated[
        TextOrJson, typer.Option("--format", "-f", help="Output format.")
    ] = TextOrJson.text,
) -> None:
    """Check credentials: signature, issuer key, 1EdTech schema, dates and revocation.

    Exit 0 when every file verifies, 1 when any fails, with the reason for each. Nothing
    is fetched unless --fetch is given: a did:key issuer needs nothing, a did:web issuer
    needs its did.json (--did-document), and revocation is checked against the status
    list given, the caseload's own record, or the one fetched.
    """
    from rich.markup import escape

    from pathway_cli.badges import VerifyOptions, verify_files
    from pathway_cli.badges.operations import own_did_documents
    from pathway_cli.badges.status import StatusRegistry
    from pathway_cli.badges.verify import https_fetch
    from pathway_cli.locating import find_root

    root = caseload or find_root(Path.cwd())
    registry = StatusRegistry.load(root) if root is not None else None
    documents = _json_files(did_document, "DID document")
    if root is not None:  # inside the issuing caseload, its own key counts as published
        documents += own_did_documents(root)
    options = VerifyOptions(resolve_today(today), documents,
                            _json_files(status_list, "status list"), registry,
                            https_fetch if fetch else None)
    results = verify_files(files, options)
    if output_format is TextOrJson.json:
        print(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=2))
    else:
        console = err_console()
        for result in results:
            shown = escape(display_path(result.path))
            if result.ok:
                print(f"verified: {display_path(result.path)}")
                console.print(f"  [dim]{escape(result.name or '')} ({escape(result.form)}), "
                              f"issued by {escape(result.issuer or '?')}[/]")
            else:
                print(f"FAILED: {display_path(result.path)}")
                for problem in result.problems:
                    console.print(f"  [red]{shown}:[/] {escape(problem)}")
            for note in result.notes:
                console.print(f"  [yellow]note:[/] {escape(note)}")
    if not all(r.ok for r in results):
        raise typer.Exit(1)
    sys.stdout.flush()


@badges_app.command(
    "revoke",
    epilog="Examples:\n\n  pathway badges revoke badges/L-2026-006/goal-G2.json \\\n"
    "      --reason 'issued in error'",
)
@guarded
def revoke(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The credential (any form).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the caseload only).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Folder for status-list.json (default: "
                     "<caseload>/badges/)."),
    ] = None,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> None:
    """Revoke a credential: record it in the caseload and write the signed status list.

    The revocation goes into badges/status.yaml (commit it). With issuer.url set, the
    school's status list (a signed Bitstring Status List credential) is written for the
    school to publish at <issuer.url>/badges/status-list.json, where verifiers look.
    """
    from rich.markup import escape

    from pathway_cli.badges import revoke_credential
    from pathway_cli.caseload import load_caseload

    loaded = load_caseload([caseload] if caseload else [])
    result = revoke_credential(loaded, file, reason, resolve_today(today), output)
    console = err_console()
    if result.already:
        console.print(f"{escape(result.credential_id)} was already revoked on "
                      f"{result.revoked.isoformat()} ({escape(result.reason)})")
    else:
        console.print(f"revoked {escape(result.credential_id)} on {result.revoked.isoformat()}")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if result.status_list is not None:
        console.print(f"wrote {escape(display_path(result.status_list))}: publish it at "
                      f"{escape(result.list_url or '')}")
        print(display_path(result.status_list))

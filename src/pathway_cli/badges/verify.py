"""Checking a credential file end to end: ``pathway badges verify``.

A file may hold the credential as JSON with a Data Integrity proof, as a VC-JWT, or baked
into a PNG or SVG image. A credential passes when all of these hold:

1. the proof (``eddsa-rdfc-2022``, or the JWT's EdDSA signature) matches, with the key of
   the verification method it names: a ``did:key`` is resolved from itself, a ``did:web``
   from the published DID document given with ``--did-document`` (or fetched, only with
   ``--fetch``);
2. the key belongs to the issuer the credential names;
3. the official 1EdTech AchievementCredential schema accepts it (bundled);
4. it is valid on the day (``validFrom`` / ``validUntil``);
5. it is not revoked: the bit at its index of the issuer's signed status list (given with
   ``--status-list``, found in the caseload, or fetched with ``--fetch``), and the
   caseload's own revocation record when verifying inside the issuing caseload.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from pathway_cli.badges.baking import PNG_SIGNATURE, BakeError, extract_png, extract_svg
from pathway_cli.badges.keys import resolve_key
from pathway_cli.badges.proof import ProofError, verify_data_integrity, verify_jwt
from pathway_cli.badges.status import (
    LIST_FILE,
    StatusRegistry,
    decode_list,
    list_bit,
)
from pathway_cli.errors import UserError

__all__ = [
    "Fetcher",
    "Verification",
    "VerifyOptions",
    "https_fetch",
    "read_credential",
    "verify_bytes",
    "verify_file",
    "verify_files",
]

MAX_FILE = 16 * 1024 * 1024
Fetcher = Callable[[str], dict[str, Any]]


@dataclass
class VerifyOptions:
    """What a verification may use beyond the file: documents, lists, the caseload."""

    today: date
    did_documents: list[dict[str, Any]] = field(default_factory=list)
    status_lists: list[dict[str, Any]] = field(default_factory=list)
    registry: StatusRegistry | None = None
    fetch: Fetcher | None = None


@dataclass
class Verification:
    """The outcome for one file: what it holds, and every reason it fails."""

    path: Path
    form: str = ""
    credential_id: str | None = None
    issuer: str | None = None
    name: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        """The outcome for ``--format json``."""
        return {"file": str(self.path), "ok": self.ok, "form": self.form,
                "id": self.credential_id, "issuer": self.issuer, "name": self.name,
                "problems": self.problems, "notes": self.notes}


def read_credential(data: bytes) -> tuple[str, str]:
    """The form (json, jwt, png/json...) and credential text held by a file's bytes."""
    if data.startswith(PNG_SIGNATURE):
        text, container = extract_png(data), "png"
    else:
        try:
            decoded = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BakeError("the file is neither a PNG image nor UTF-8 text") from None
        stripped = decoded.lstrip()
        if stripped.startswith("<"):
            text, container = extract_svg(data), "svg"
        else:
            text, container = decoded, ""
    # Only JSON's own whitespace is trimmed: str.strip() would also drop other characters
    # (a vertical tab, a no-break space) and so accept a changed byte.
    text = text.strip(" \t\r\n")
    kind = "json" if text.startswith("{") else "jwt"
    return (f"{container}/{kind}" if container else kind), text


@functools.cache
def _schema_validator() -> Any:
    import jsonschema  # type: ignore[import-untyped]

    text = resources.files(__package__).joinpath("schemas").joinpath(
        "achievementcredential.json").read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _schema_problems(credential: dict[str, Any]) -> list[str]:
    errors = sorted(_schema_validator().iter_errors(credential),
                    key=lambda e: list(e.absolute_path))
    problems = []
    for error in errors[:3]:
        where = "/".join(str(p) for p in error.absolute_path) or "the credential"
        problems.append(f"the Open Badges 3.0 schema refuses {where}: {error.message[:160]}")
    if len(errors) > 3:
        problems.append(f"... and {len(errors) - 3} more schema errors")
    return problems


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date_problems(credential: dict[str, Any], today: date) -> list[str]:
    problems = []
    start = _instant(credential.get("validFrom"))
    end_of_day = datetime(today.year, today.month, today.day, 23, 59, 59, tzinfo=UTC)
    start_of_day = datetime(today.year, today.month, today.day, tzinfo=UTC)
    if start is None:
        problems.append("the credential has no readable validFrom date")
    elif start > end_of_day:
        problems.append(f"not valid yet: valid from {start.date().isoformat()}")
    if "validUntil" in credential:
        end = _instant(credential.get("validUntil"))
        if end is None:
            problems.append("the credential's validUntil is not a date and time")
        elif end < start_of_day:
            problems.append(f"expired on {end.date().isoformat()}")
    return problems


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _resolver(options: VerifyOptions, notes: list[str]) -> Callable[[str], Any]:
    def resolve(method: str) -> Any:
        documents = list(options.did_documents)
        did = method.partition("#")[0]
        if (options.fetch is not None and did.startswith("did:web:")
                and not any(d.get("id") == did for d in documents)):
            from pathway_cli.badges.keys import did_web_url

            url = did_web_url(did)
            try:
                documents.append(options.fetch(url))
            except (OSError, ValueError) as exc:
                raise ValueError(f"the DID document {url} could not be fetched: {exc}") from None
            notes.append(f"fetched the DID document {url}")
        return resolve_key(method, documents)

    return resolve


def _status_list(url: str, options: VerifyOptions, notes: list[str]) -> dict[str, Any] | None:
    for document in options.status_lists:
        if document.get("id") == url:
            return document
    if options.registry is not None:
        local = options.registry.path.parent / LIST_FILE
        try:
            local_document = json.loads(local.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            local_document = None
        if isinstance(local_document, dict) and local_document.get("id") == url:
            return local_document
    if options.fetch is not None:
        try:
            document = options.fetch(url)
        except (OSError, ValueError) as exc:
            notes.append(f"the status list {url} could not be fetched ({exc}); "
                         "revocation not checked")
            return None
        notes.append(f"fetched the status list {url}")
        return document
    notes.append(f"revocation not checked: give the status list published at {url} with "
                 "--status-list FILE, or let pathway fetch it with --fetch")
    return None


def _status_problems(credential: dict[str, Any], signer: str, options: VerifyOptions,
                     notes: list[str]) -> list[str]:
    problems: list[str] = []
    statuses = credential.get("credentialStatus")
    for status in statuses if isinstance(statuses, list) else [statuses]:
        if status is None:
            continue
        if not isinstance(status, dict) or status.get("type") != "BitstringStatusListEntry":
            notes.append("the credential has a status of a kind pathway does not check")
            continue
        if status.get("statusPurpose") != "revocation":
            notes.append(f"status purpose {status.get('statusPurpose')!r} not checked")
            continue
        url = status.get("statusListCredential")
        try:
            index = int(str(status.get("statusListIndex")))
        except ValueError:
            problems.append("the credential's statusListIndex is not a number")
            continue
        if not isinstance(url, str):
            problems.append("the credential's status entry names no status list")
            continue
        document = _status_list(url, options, notes)
        if document is None:
            continue
        try:
            lister = verify_data_integrity(document, _resolver(options, notes))
        except ProofError as exc:
            problems.append(f"the status list {url} does not verify: {exc}")
            continue
        if lister != signer or _issuer_id(document) != signer:
            problems.append(f"the status list {url} is not signed by the credential's issuer")
            continue
        subject = document.get("credentialSubject")
        encoded = subject.get("encodedList") if isinstance(subject, dict) else None
        try:
            bits = decode_list(str(encoded))
            revoked = list_bit(bits, index)
        except (ValueError, IndexError):
            problems.append(f"the status list {url} cannot be read at index {index}")
            continue
        if revoked:
            problems.append(f"revoked: the issuer's status list marks it revoked ({url})")
    return problems


def _registry_problems(credential_id: str | None, options: VerifyOptions) -> list[str]:
    if options.registry is None or credential_id is None:
        return []
    entry = options.registry.entries.get(credential_id)
    if entry is None or entry.revoked is None:
        return []
    return [f"revoked on {entry.revoked.isoformat()} by this caseload: {entry.reason}"]


def verify_file(path: Path, options: VerifyOptions) -> Verification:
    """Check one credential file; every reason it fails is in ``problems``."""
    result = Verification(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE + 1)
    except OSError as exc:
        result.problems.append(f"cannot be read: {exc.strerror}")
        return result
    if len(data) > MAX_FILE:
        result.problems.append("is too large to be a credential")
        return result
    return verify_bytes(data, options, path)


def verify_bytes(data: bytes, options: VerifyOptions, path: Path) -> Verification:
    """Check a credential held in ``data`` (the content of the file ``path``)."""
    result = Verification(path)
    try:
        result.form, text = read_credential(data)
    except BakeError as exc:
        result.problems.append(str(exc))
        return result
    resolve = _resolver(options, result.notes)
    try:
        if result.form.endswith("jwt"):
            credential, signer = verify_jwt(text, resolve)
        else:
            try:
                credential = json.loads(text)
            except json.JSONDecodeError as exc:
                result.problems.append(f"the credential is not valid JSON ({exc.msg}, "
                                       f"line {exc.lineno})")
                return result
            if not isinstance(credential, dict):
                result.problems.append("the credential is not a JSON object")
                return result
            signer = verify_data_integrity(credential, resolve)
    except ProofError as exc:
        result.problems.append(str(exc))
        return result
    except UserError as exc:
        result.problems.append(exc.message)
        return result
    result.credential_id = credential.get("id") if isinstance(credential.get("id"), str) else None
    result.issuer = _issuer_id(credential)
    name = credential.get("name")
    result.name = name if isinstance(name, str) else None
    if result.issuer != signer:
        result.problems.append(f"signed by {signer}, but the credential names "
                               f"{result.issuer} as its issuer")
    result.problems += _schema_problems(credential)
    result.problems += _date_problems(credential, options.today)
    result.problems += _status_problems(credential, signer, options, result.notes)
    result.problems += _registry_problems(result.credential_id, options)
    return result


def verify_files(paths: Sequence[Path], options: VerifyOptions) -> list[Verification]:
    """``verify_file`` for each path, in order."""
    return [verify_file(path, options) for path in paths]


def https_fetch(url: str) -> dict[str, Any]:
    """GET a JSON document over https (used only with ``--fetch``); at most 1 MB, 10 s."""
    import urllib.request

    if not url.startswith("https://"):
        raise ValueError(f"{url} is not an https address")
    request = urllib.request.Request(url, headers={"Accept": "application/json, "  # noqa: S310
                                                   "application/ld+json"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - https only
        body = response.read(1024 * 1024 + 1)
    if len(body) > 1024 * 1024:
        raise ValueError(f"{url} is larger than 1 MB")
    document = json.loads(body)
    if not isinstance(document, dict):
        raise ValueError(f"{url} is not a JSON object")
    return document

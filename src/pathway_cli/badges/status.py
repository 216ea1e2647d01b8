"""Revocation: the caseload's record of issued credentials and the Bitstring Status List.

Every credential issued while ``issuer.url`` is set gets a place (an index) in the
school's status list and carries a ``credentialStatus`` entry (``BitstringStatusListEntry``)
pointing at ``<issuer.url>/badges/status-list.json``. ``pathway badges revoke`` records the
revocation in the caseload (``badges/status.yaml``: which credential, when, why) and writes
the status list as a signed ``BitstringStatusListCredential`` for the school to publish at
that address. A verifier reads the bit at the credential's index: 1 means revoked.

The list has 131,072 places (16 KB before compression, the minimum the W3C specification
asks for, so that one revocation does not single out a learner).
"""

from __future__ import annotations

import base64
import gzip
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from pathway_cli.errors import UserError
from pathway_cli.models import Settings
from pathway_cli.writer import atomic_write

__all__ = [
    "LIST_FILE",
    "LIST_SIZE",
    "REGISTRY_FILE",
    "StatusEntry",
    "StatusRegistry",
    "decode_list",
    "encode_list",
    "list_bit",
    "status_entry",
    "status_list_credential",
    "status_list_url",
]

REGISTRY_FILE = Path("badges") / "status.yaml"
LIST_FILE = "status-list.json"
LIST_SIZE = 131_072
_HEADER = (
    "# Credentials issued with a place in the revocation list, and those revoked.\n"
    "# Written by 'pathway badges' and 'pathway badges revoke': commit it, do not edit it.\n"
)


def status_list_url(settings: Settings) -> str | None:
    """Where the school publishes its status list; None without ``issuer.url``."""
    url = settings.issuer.url if settings.issuer else None
    return f"{url.rstrip('/')}/badges/{LIST_FILE}" if url else None


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    """The ``credentialStatus`` of the credential at ``index`` of the list."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def encode_list(indices: set[int], size: int = LIST_SIZE) -> str:
    """Multibase ``u`` + base64url (no padding) of the gzipped bitstring; bit 0 leftmost."""
    bits = bytearray(size // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_list(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; ValueError when it is not one."""
    if not encoded.startswith("u"):
        raise ValueError("the encodedList is not multibase base64url")
    body = encoded[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        with gzip.GzipFile(fileobj=io.BytesIO(packed)) as handle:
            return handle.read(LIST_SIZE * 8 + 1)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"the encodedList cannot be read ({exc})") from None


def list_bit(bits: bytes, index: int) -> bool:
    """Whether the bit at ``index`` is set; IndexError past the end."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(list_url: str, issuer_did: str, revoked: set[int],
                           today: date) -> dict[str, Any]:
    """The unsigned ``BitstringStatusListCredential`` of the caseload's revocations."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": f"{today.isoformat()}T00:00:00Z",
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(revoked),
        },
    }


@dataclass
class StatusEntry:
    """One issued credential: its place in the list and, once revoked, when and why."""

    index: int | None
    learner: str
    source: str
    revoked: date | None = None
    reason: str | None = None

    def as_yaml(self) -> dict[str, Any]:
        """The entry as written in status.yaml."""
        data: dict[str, Any] = {"index": self.index, "learner": self.learner,
                                "source": self.source}
        if self.index is None:
            del data["index"]
        if self.revoked is not None:
            data["revoked"] = self.revoked.isoformat()
            data["reason"] = self.reason or ""
        return data


def _order(item: tuple[str, StatusEntry]) -> tuple[bool, int]:
    index = item[1].index
    return (index is None, index or 0)


@dataclass
class StatusRegistry:
    """``badges/status.yaml`` of a caseload: credential id -> ``StatusEntry``."""

    path: Path
    entries: dict[str, StatusEntry] = field(default_factory=dict)
    changed: bool = False
    loaded: bytes | None = None  # the file as read, to refuse clobbering a change meanwhile

    @classmethod
    def load(cls, root: Path) -> StatusRegistry:
        """Read the registry (empty when the file does not exist yet)."""
        path = root / REGISTRY_FILE
        registry = cls(path)
        if not path.exists():
            return registry
        try:
            registry.loaded = path.read_bytes()
            data = yaml.safe_load(registry.loaded.decode("utf-8")) or {}
            for key, value in (data.get("credentials") or {}).items():
                revoked = value.get("revoked")
                index = value.get("index")
                registry.entries[str(key)] = StatusEntry(
                    int(index) if index is not None else None, str(value.get("learner", "")),
                    str(value.get("source", "")),
                    date.fromisoformat(str(revoked)) if revoked else None,
                    str(value["reason"]) if value.get("reason") is not None else None)
        except (OSError, yaml.YAMLError, AttributeError, KeyError, TypeError,
                ValueError, UnicodeDecodeError) as exc:
            raise UserError(
                f"{path}: cannot be read ({type(exc).__name__}); it records which "
                "credentials are revoked",
                hint="restore it from git (git checkout -- badges/status.yaml)") from None
        return registry

    def index_for(self, credential_id: str, learner: str, source: str) -> int:
        """The credential's place in the list, given on first issue and kept for good."""
        entry = self.entries.get(credential_id)
        if entry is None:
            index = max((e.index for e in self.entries.values() if e.index is not None),
                        default=-1) + 1
            if index >= LIST_SIZE:
                raise UserError("the revocation list is full (131,072 credentials)")
            entry = StatusEntry(index, learner, source)
            self.entries[credential_id] = entry
            self.changed = True
        if entry.index is None:  # issued before issuer.url was set: give it a place now
            entry.index = max((e.index for e in self.entries.values() if e.index is not None),
                              default=-1) + 1
            self.changed = True
        return entry.index

    def add_unlisted(self, credential_id: str, source: str) -> None:
        """Record a credential of this issuer that has no place in the list (no issuer.url)."""
        self.entries[credential_id] = StatusEntry(None, "", source)
        self.changed = True

    def revoke(self, credential_id: str, day: date, reason: str) -> StatusEntry:
        """Mark a credential revoked; a second revocation keeps the first date and reason."""
        entry = self.entries.get(credential_id)
        if entry is None:
            raise UserError(
                f"credential {credential_id} was not issued from this caseload "
                f"({self.path} does not list it)",
                hint="revoke it in the caseload that issued it")
        if entry.revoked is None:
            entry.revoked, entry.reason = day, reason
            self.changed = True
        return entry

    def revoked_indices(self) -> set[int]:
        """Places of all revoked credentials."""
        return {e.index for e in self.entries.values()
                if e.revoked is not None and e.index is not None}

    def save(self) -> None:
        """Write the registry atomically, if anything changed."""
        if not self.changed:
            return
        body = {"credentials": {k: e.as_yaml() for k, e in sorted(
            self.entries.items(), key=_order)}}
        text = _HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)
        atomic_write(self.path, text.encode("utf-8"), precondition=self._unchanged)
        self.loaded = text.encode("utf-8")
        self.changed = False

    def _unchanged(self) -> None:
        try:
            now: bytes | None = self.path.read_bytes()
        except FileNotFoundError:
            now = None
        if now != self.loaded:
            raise UserError(f"{self.path} changed while pathway was working on it; nothing "
                            "was recorded", hint="run the command again")

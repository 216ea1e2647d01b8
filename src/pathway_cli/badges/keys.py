"""The issuer's Ed25519 key, its decentralised identifier (DID) and DID document.

The key lives in the caseload at ``.pathway/issuer-key.pem`` (PKCS#8 PEM, mode 0600, in a
folder git is told to ignore). The issuer is named by a DID:

- ``did:key:z6Mk...`` by default: the public key itself, so anyone can verify a credential
  with no web server and no lookup;
- ``did:web:school.example`` when ``issuer.url`` is set in pathway.yaml: the school
  publishes ``did.json`` (``pathway badges did-document``) at the address the DID names.

The key's id in both is its ``publicKeyMultibase`` (a Multikey: ``z`` + base58btc of the
multicodec prefix ``0xed01`` and the 32 key bytes).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from pathway_cli.errors import UserError
from pathway_cli.models import Settings

__all__ = [
    "KEY_FILE",
    "IssuerKey",
    "b58decode",
    "b58encode",
    "did_document",
    "did_web",
    "did_web_url",
    "generate_key",
    "issuer_did",
    "load_issuer_key",
    "multikey",
    "public_key_from_multikey",
    "resolve_key",
]

KEY_FILE = Path(".pathway") / "issuer-key.pem"
ED25519_PUB = b"\xed\x01"  # multicodec prefix of an Ed25519 public key
DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_HOST = re.compile(r"^[A-Za-z0-9.-]+$")


def b58encode(data: bytes) -> str:
    """Base58 (bitcoin alphabet), as multibase ``z`` uses it."""
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_B58[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    """Inverse of ``b58encode``; ValueError on a character outside the alphabet."""
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"'{char}' is not a base58 character")
        number = number * 58 + _B58_INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multikey(public: Ed25519PublicKey) -> str:
    """The key's ``publicKeyMultibase``: ``z`` + base58btc(0xed01 + 32 bytes)."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(ED25519_PUB + raw)


def public_key_from_multikey(value: str) -> Ed25519PublicKey:
    """The Ed25519 key of a ``z6Mk...`` multibase value; ValueError if it is not one."""
    if not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    raw = b58decode(value[1:])
    if len(raw) != 34 or not raw.startswith(ED25519_PUB):
        raise ValueError("not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def did_web(url: str) -> str:
    """The ``did:web`` of an https address: host (port as %3A) and path segments."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or not _HOST.match(parts.hostname):
        raise UserError(
            f"pathway.yaml: issuer.url '{url}' is not an https address of a web site",
            hint="use the school's address, e.g. https://bk-rheinstadt.example; a did:web "
            "is published over https",
        )
    host = parts.hostname.lower()
    if parts.port:
        host += quote(f":{parts.port}", safe="")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def did_web_url(did: str) -> str:
    """Where a ``did:web``'s document is published (``/.well-known/did.json`` for a host)."""
    parts = did.split(":")[2:]
    if not parts or not parts[0]:
        raise ValueError(f"{did} is not a did:web")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def issuer_did(public: Ed25519PublicKey, settings: Settings) -> str:
    """``did:web`` from ``issuer.url`` when set, else the key's own ``did:key``."""
    url = settings.issuer.url if settings.issuer else None
    if url:
        return did_web(url)
    return "did:key:" + multikey(public)


@dataclass(frozen=True)
class IssuerKey:
    """The signing key with the DID and verification method that name it."""

    private: Ed25519PrivateKey
    did: str
    path: Path | None = None

    @property
    def public(self) -> Ed25519PublicKey:
        """The public half."""
        return self.private.public_key()

    @property
    def multibase(self) -> str:
        """The public key as ``publicKeyMultibase``."""
        return multikey(self.public)

    @property
    def verification_method(self) -> str:
        """The id of the key within the DID document: ``<did>#<publicKeyMultibase>``."""
        return f"{self.did}#{self.multibase}"


def generate_key(root: Path) -> Path:
    """Make a new issuer key in ``root/.pathway/``; never replaces an existing one."""
    path = root / KEY_FILE
    if path.exists():
        raise UserError(
            f"{path} already exists; pathway never replaces an issuer key",
            hint="a new key would make every credential issued so far unverifiable under "
            "a did:key issuer; move the old key away yourself if you really mean it",
        )
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# pathway's local secrets: never commit them\n*\n", encoding="utf-8")
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UserError(f"{path} already exists; pathway never replaces an issuer key") from None
    except OSError as exc:
        raise UserError(f"cannot create the issuer key {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def load_issuer_key(root: Path | None, settings: Settings) -> IssuerKey:
    """The caseload's issuer key; a message naming ``keygen`` when there is none."""
    if root is None:
        raise UserError("signing needs the caseload root, where the issuer key is kept",
                        hint="run the command inside the caseload or give --caseload")
    path = root / KEY_FILE
    if not path.exists():
        raise UserError(
            f"no issuer key in {root / '.pathway'}: badges are signed, so they need one",
            hint="run 'pathway badges keygen' once for the caseload (or use --unsigned for "
            "unsigned files that no wallet can verify)",
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise UserError(f"{path} is not an Ed25519 private key in PEM form",
                        hint="restore the key from your backup")
    return IssuerKey(key, issuer_did(key.public_key(), settings), path)


def did_document(key: IssuerKey) -> dict[str, Any]:
    """The DID document of the issuer (what a ``did:web`` publishes as ``did.json``)."""
    method = {
        "id": key.verification_method,
        "type": "Multikey",
        "controller": key.did,
        "publicKeyMultibase": key.multibase,
    }
    return {
        "@context": list(DID_CONTEXT),
        "id": key.did,
        "verificationMethod": [method],
        "assertionMethod": [key.verification_method],
        "authentication": [key.verification_method],
    }


def resolve_key(method_id: str, documents: list[dict[str, Any]]) -> tuple[str, Ed25519PublicKey]:
    """The controller DID and public key of a verification method.

    A ``did:key`` is resolved from itself; a ``did:web`` (or any other DID) only from the
    DID documents given. Raises ValueError with the reason when it cannot be resolved.
    """
    did, _, fragment = method_id.partition("#")
    if did.startswith("did:key:"):
        value = did.removeprefix("did:key:")
        if fragment and fragment != value:
            raise ValueError(f"{method_id} names a key other than its did:key")
        return did, public_key_from_multikey(value)
    for document in documents:
        if document.get("id") != did:
            continue
        assertion = [m if isinstance(m, str) else m.get("id") for m in
                     _list(document.get("assertionMethod"))]
        for method in _list(document.get("verificationMethod")):
            if not isinstance(method, dict):
                continue
            mid = str(method.get("id") or "")
            full = did + mid if mid.startswith("#") else mid
            if full != method_id:
                continue
            if full not in assertion and mid not in assertion:
                raise ValueError(f"{method_id} is not listed for assertions in the DID "
                                 "document (assertionMethod)")
            if method.get("controller", did) != did:
                raise ValueError(f"{method_id} is controlled by someone other than {did}")
            multibase = method.get("publicKeyMultibase")
            if isinstance(multibase, str):
                return did, public_key_from_multikey(multibase)
            jwk = method.get("publicKeyJwk")
            if isinstance(jwk, dict) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
                from base64 import urlsafe_b64decode
                x = str(jwk.get("x", ""))
                return did, Ed25519PublicKey.from_public_bytes(
                    urlsafe_b64decode(x + "=" * (-len(x) % 4)))
            raise ValueError(f"{method_id} is not an Ed25519 key")
        raise ValueError(f"the DID document of {did} has no key {method_id}")
    if did.startswith("did:web:"):
        raise ValueError(
            f"the issuer is {did}: give its published DID document with --did-document "
            f"FILE (from {did_web_url(did)}) or let pathway fetch it with --fetch")
    raise ValueError(f"cannot resolve {did}: pathway knows did:key and did:web")


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]

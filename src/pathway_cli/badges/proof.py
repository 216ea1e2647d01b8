"""Signatures: ``eddsa-rdfc-2022`` Data Integrity proofs and the VC-JWT form.

Data Integrity (W3C vc-di-eddsa, ``eddsa-rdfc-2022``): the credential without its proof
and the proof's options (with the credential's ``@context``, without ``proofValue``) are
each canonicalized to N-Quads (RDFC-1.0) and hashed with SHA-256; the Ed25519 signature of
the two hashes, proof options' first, is ``proofValue`` (``z`` + base58btc).

VC-JWT (Open Badges 3.0, section "JSON Web Token Proof Format"): a compact JWS with
``alg: EdDSA``, the key's verification method as ``kid``, and the credential as the ``vc``
claim beside ``iss``, ``jti`` and ``nbf``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pathway_cli.badges.jsonld import canonicalize, undefined_terms
from pathway_cli.badges.keys import IssuerKey, b58decode, b58encode

__all__ = [
    "CRYPTOSUITE",
    "DataIntegritySigner",
    "JwtSigner",
    "KeyResolver",
    "ProofError",
    "decode_jwt",
    "hash_data",
    "sign_data_integrity",
    "sign_jwt",
    "verify_data_integrity",
    "verify_jwt",
]

CRYPTOSUITE = "eddsa-rdfc-2022"
# Finds the controller DID and public key of a verification method id (keys.resolve_key).
KeyResolver = Callable[[str], tuple[str, Ed25519PublicKey]]


class ProofError(Exception):
    """The proof does not hold; the message says why, for the person verifying."""


def hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """SHA-256 of the canonical proof options, then of the canonical document (64 bytes)."""
    config = dict(options)
    config.pop("proofValue", None)
    if "@context" in document:
        config["@context"] = document["@context"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    return (_options_hash(json.dumps(config, sort_keys=True))
            + hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest())


@functools.lru_cache(maxsize=256)
def _options_hash(config: str) -> bytes:
    """SHA-256 of the canonical proof options (the same for every credential of a run)."""
    return hashlib.sha256(canonicalize(json.loads(config)).encode("utf-8")).digest()


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def sign_data_integrity(credential: dict[str, Any], key: IssuerKey,
                        created: date) -> dict[str, Any]:
    """The credential with a ``DataIntegrityProof`` (``eddsa-rdfc-2022``) added."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(created),
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = key.private.sign(hash_data(credential, options))
    # A list: the Open Badges 3.0 schema wants ``proof`` as an array of proofs.
    return credential | {"proof": [options | {"proofValue": "z" + b58encode(signature)}]}


def verify_data_integrity(credential: dict[str, Any], resolve: KeyResolver) -> str:
    """Check the credential's Data Integrity proof; returns the signer's DID.

    Raises ``ProofError`` with the reason when it fails.
    """
    proof = credential.get("proof")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise ProofError(f"the credential has {len(proof)} proofs; pathway checks "
                             "credentials with exactly one")
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ProofError("the credential has no proof: it is unsigned")
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"the proof is not a DataIntegrityProof with {CRYPTOSUITE} "
                         f"(type {proof.get('type')!r}, cryptosuite "
                         f"{proof.get('cryptosuite')!r})")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    method = proof.get("verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(value, str):
        raise ProofError("the proof names no verificationMethod or proofValue")
    try:
        did, public = resolve(method)
    except ValueError as exc:
        raise ProofError(str(exc)) from None
    try:
        signature = b58decode(value[1:]) if value.startswith("z") else b""
    except ValueError:
        signature = b""
    if len(signature) != 64:
        raise ProofError("the proofValue is not an Ed25519 signature in base58btc")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    document = {k: v for k, v in credential.items() if k != "proof"}
    try:
        public.verify(signature, hash_data(document, options))
    except InvalidSignature:
        raise ProofError("the signature does not match: the credential was changed after "
                         "it was signed, or signed by another key") from None
    # Checked after the signature (the cheaper refusal first): a term the contexts do not
    # define is dropped before signing, so text added under one would pass unnoticed.
    undefined = undefined_terms(document | {"proof": options})
    if undefined:
        raise ProofError("the credential uses terms its JSON-LD contexts do not define, which "
                         "the signature does not cover: " + ", ".join(undefined[:5]))
    return did


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict base64url: only the one spelling ``_b64`` writes is accepted, so no changed
    character (outside the alphabet, or in the unused low bits of the last one) goes unseen."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not canonical base64url")
    return data


def _epoch(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def sign_jwt(credential: dict[str, Any], key: IssuerKey) -> str:
    """The credential as a VC-JWT: compact JWS, EdDSA, the credential in the ``vc`` claim."""
    header = {"alg": "EdDSA", "typ": "JWT", "kid": key.verification_method}
    claims: dict[str, Any] = {"iss": key.did, "jti": credential.get("id")}
    nbf = _epoch(credential.get("validFrom"))
    if nbf is not None:
        claims["nbf"] = nbf
    exp = _epoch(credential.get("validUntil"))
    if exp is not None:
        claims["exp"] = exp
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    claims["vc"] = credential
    signing_input = (_b64(json.dumps(header, separators=(",", ":")).encode())
                     + "." + _b64(json.dumps(claims, separators=(",", ":"),
                                             ensure_ascii=False).encode("utf-8")))
    signature = key.private.sign(signing_input.encode("ascii"))
    return signing_input + "." + _b64(signature)


def decode_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, claims, signing input and signature of a compact JWS (not yet verified)."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ProofError("not a compact JWS (three parts separated by dots)")
    try:
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except (ValueError, UnicodeDecodeError):
        raise ProofError("the JWT is damaged: a part is not base64url-encoded JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ProofError("the JWT's header or payload is not a JSON object")
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def verify_jwt(token: str, resolve: KeyResolver) -> tuple[dict[str, Any], str]:
    """Check a VC-JWT's signature; returns the credential (``vc`` claim) and signer's DID."""
    header, claims, signing_input, signature = decode_jwt(token)
    if header.get("alg") != "EdDSA":
        raise ProofError(f"the JWT is signed with {header.get('alg')!r}; pathway checks EdDSA")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise ProofError("the JWT header names no key (kid)")
    try:
        did, public = resolve(kid)
    except ValueError as exc:
        raise ProofError(str(exc)) from None
    try:
        public.verify(signature, signing_input)
    except InvalidSignature:
        raise ProofError("the signature does not match: the credential was changed after "
                         "it was signed, or signed by another key") from None
    credential = claims.get("vc")
    if not isinstance(credential, dict):
        raise ProofError("the JWT carries no credential (vc claim)")
    if claims.get("iss") != did:
        raise ProofError(f"the JWT's issuer {claims.get('iss')!r} is not the key's owner {did}")
    if claims.get("jti") != credential.get("id"):
        raise ProofError("the JWT's jti differs from the credential id")
    return credential, did


class DataIntegritySigner:
    """``Signer`` that adds an ``eddsa-rdfc-2022`` proof (see ``credential.Signer``)."""

    name = "eddsa-rdfc-2022"
    suffix = ".json"

    def __init__(self, key: IssuerKey, created: date) -> None:
        self.key = key
        self.created = created

    def sign(self, credential: dict[str, Any]) -> dict[str, Any]:
        """The credential with its proof."""
        return sign_data_integrity(credential, self.key, self.created)


class JwtSigner:
    """``Signer`` for the VC-JWT form; ``token`` gives the file's text."""

    name = "vc-jwt"
    suffix = ".jwt"

    def __init__(self, key: IssuerKey) -> None:
        self.key = key

    def sign(self, credential: dict[str, Any]) -> dict[str, Any]:
        """The credential unchanged (the JWT wraps it when written)."""
        return credential

    def token(self, credential: dict[str, Any]) -> str:
        """The compact JWS of the credential."""
        return sign_jwt(credential, self.key)


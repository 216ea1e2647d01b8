"""Signed badges: keygen, eddsa-rdfc-2022 and VC-JWT, verify, revocation, baked images.

The independent checks re-do verification without pathway's code: pyld canonicalizes (with
a loader reading the bundled context files), ``cryptography`` checks the Ed25519 signature,
``joserfc`` decodes the JWT, and the PNG and SVG are unpacked by hand.
"""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import struct
import warnings
import xml.etree.ElementTree as ET
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pathway_cli.badges.jsonld import UnknownContext, canonicalize, load_context
from pathway_cli.badges.keys import b58decode, b58encode, did_web, did_web_url, multikey
from pathway_cli.badges.proof import hash_data, verify_data_integrity
from pathway_cli.badges.status import decode_list, encode_list, list_bit
from pathway_cli.badges.verify import VerifyOptions, verify_bytes
from tests.conftest import REPO, TODAY, app

CONTEXTS = REPO / "src" / "pathway_cli" / "badges" / "contexts"
SAMPLE_BADGES = {
    "L-2026-003": "skill-repair-cafe-volunteer-technician",
    "L-2026-004": "skill-youth-first-aider",
    "L-2026-006": "goal-G2",
    "L-2026-008": "goal-G2",
}
# The W3C vc-di-eddsa test vector (TestVectors/eddsa-rdfc-2022/signedDataInt.json and
# keyPair.json of the specification's repository). The private key is the published test
# vector key of the specification, not a key of anyone.
W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_PRIVATE_TEST_VECTOR = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_SIGNED = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://www.w3.org/ns/credentials/examples/v2"],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": "https://vc.example/issuers/5678#" + W3C_PUBLIC,
        "proofPurpose": "assertionMethod",
        "proofValue": "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4Cr"
                      "zcKnHw8V6dvy5pgWYCU5e9",
    },
}
W3C_PROOF_CANON = (
    '_:c14n0 <http://purl.org/dc/terms/created> "2023-02-24T23:36:38Z"^^<http://www.w3.org/'
    '2001/XMLSchema#dateTime> .\n'
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/security#"
    "DataIntegrityProof> .\n"
    '_:c14n0 <https://w3id.org/security#cryptosuite> "eddsa-rdfc-2022"^^<https://w3id.org/'
    'security#cryptosuiteString> .\n'
    "_:c14n0 <https://w3id.org/security#proofPurpose> <https://w3id.org/security#"
    "assertionMethod> .\n"
    "_:c14n0 <https://w3id.org/security#verificationMethod> <https://vc.example/issuers/"
    "5678#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2> .\n"
)


# --- helpers that do not use pathway ----------------------------------------------------

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58_decode(text: str) -> bytes:
    """Base58btc, written out here so the independent check shares no code with pathway."""
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def did_key_public(did: str) -> Ed25519PublicKey:
    """The Ed25519 key of a did:key (multicodec 0xed01)."""
    raw = base58_decode(did.removeprefix("did:key:").split("#")[0][1:])
    assert raw[:2] == b"\xed\x01"
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def independent_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld loader reading the bundled files straight from disk (the index names them)."""
    index = json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))
    document = json.loads((CONTEXTS / index[url]).read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def rdfc(document: dict[str, Any]) -> bytes:
    from pyld import jsonld

    nquads = jsonld.normalize(document, {"algorithm": "URDNA2015",
                                         "format": "application/n-quads",
                                         "documentLoader": independent_loader})
    return str(nquads).encode("utf-8")


def independent_check(credential: dict[str, Any]) -> None:
    """eddsa-rdfc-2022 by the specification's steps; raises InvalidSignature if it fails."""
    proof = credential["proof"][0] if isinstance(credential["proof"], list) else credential["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = credential["@context"]
    document = {k: v for k, v in credential.items() if k != "proof"}
    data = hashlib.sha256(rdfc(config)).digest() + hashlib.sha256(rdfc(document)).digest()
    public = did_key_public(proof["verificationMethod"])
    public.verify(base58_decode(proof["proofValue"][1:]), data)
    assert proof["verificationMethod"].split("#")[0] == credential["issuer"]["id"]


def independent_jwt(token: str) -> dict[str, Any]:
    """Decode and check a VC-JWT with joserfc; returns the claims."""
    from joserfc import jwt
    from joserfc.errors import SecurityWarning
    from joserfc.jwk import OKPKey

    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    public = did_key_public(header["kid"])
    key = OKPKey.import_key(public)
    with warnings.catch_warnings():
        # RFC 9864 prefers the name "Ed25519"; Open Badges 3.0 and VC-JWT verifiers
        # expect "EdDSA", so that is what pathway writes.
        warnings.simplefilter("ignore", SecurityWarning)
        decoded = jwt.decode(token, key, algorithms=["EdDSA"])
    assert decoded.header["alg"] == "EdDSA"
    claims: dict[str, Any] = dict(decoded.claims)
    assert claims["iss"] == header["kid"].split("#")[0] == claims["vc"]["issuer"]["id"]
    return claims


def png_text(data: bytes) -> str:
    """The openbadgecredential iTXt chunk of a PNG, read by hand."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, found = 8, []
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        crc = struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc
        if kind == b"iTXt" and body.startswith(b"openbadgecredential\0"):
            found.append(body)
        position += 12 + length
    assert len(found) == 1
    _keyword, rest = found[0].split(b"\0", 1)
    assert rest[:2] == b"\0\0"  # not compressed
    _language, _translated, text = rest[2:].split(b"\0", 2)
    return text.decode("utf-8")


def svg_text(data: bytes) -> str:
    """The <openbadges:credential> of an SVG: its CDATA body, or its verify attribute."""
    root = ET.fromstring(data)  # noqa: S314 - our own test output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    element = root[0]
    assert element.tag == "{https://purl.imsglobal.org/ob/v3p0}credential"
    return element.get("verify") or (element.text or "").strip()


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def keyed(sample: Path, runner: CliRunner) -> Path:
    """The sample caseload with an issuer key."""
    result = runner.invoke(app, ["badges", "keygen", "--caseload", str(sample)])
    assert result.exit_code == 0, result.stderr
    return sample


@pytest.fixture
def with_url(keyed: Path) -> Path:
    """The keyed sample with issuer.url set: did:web issuer and revocation entries."""
    with (keyed / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("issuer:\n  url: https://bk-rheinstadt.example\n")
    return keyed


def issue(runner: CliRunner, caseload: Path, case_id: str, *args: str) -> Any:
    return runner.invoke(app, ["badges", case_id, "--caseload", str(caseload),
                               "--today", TODAY, *args])


def verify(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, ["badges", "verify", "--today", TODAY, *args])


def options(**kwargs: Any) -> VerifyOptions:
    return VerifyOptions(date.fromisoformat(TODAY), **kwargs)


# --- keygen -----------------------------------------------------------------------------


def test_keygen_makes_a_private_key_only_the_owner_reads(runner: CliRunner, sample: Path) -> None:
    """keygen writes .pathway/issuer-key.pem with mode 0600, git-ignored, and warns to back up."""
    result = runner.invoke(app, ["badges", "keygen", "--caseload", str(sample)])
    assert result.exit_code == 0, result.stderr
    key = sample / ".pathway" / "issuer-key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text(encoding="ascii").startswith("-----BEGIN PRIVATE KEY-----")
    assert (sample / ".pathway" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert "back it up" in result.stderr and "shared drives" in result.stderr
    assert result.stdout.strip().startswith("did:key:z6Mk")


def test_keygen_with_a_wrong_issuer_url_makes_no_key(runner: CliRunner, sample: Path) -> None:
    """An issuer.url that is not https is refused before any key is made."""
    with (sample / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("issuer:\n  url: http://bk-rheinstadt.example\n")
    result = runner.invoke(app, ["badges", "keygen", "--caseload", str(sample)])
    assert result.exit_code == 1
    assert "not an https address" in result.stderr
    assert not (sample / ".pathway" / "issuer-key.pem").exists()


def test_keygen_never_replaces_a_key(runner: CliRunner, keyed: Path) -> None:
    """A second keygen refuses with exit 1 and leaves the key as it was."""
    key = keyed / ".pathway" / "issuer-key.pem"
    before = key.read_bytes()
    result = runner.invoke(app, ["badges", "keygen", "--caseload", str(keyed)])
    assert result.exit_code == 1
    assert "never replaces" in result.stderr
    assert key.read_bytes() == before


def test_a_key_others_can_read_is_pointed_out(runner: CliRunner, keyed: Path) -> None:
    """Issuing with a key file readable by others works and says how to make it private."""
    (keyed / ".pathway" / "issuer-key.pem").chmod(0o644)
    result = issue(runner, keyed, "L-2026-006", "--no-images")
    assert result.exit_code == 0, result.stderr
    assert "chmod 600" in result.stderr


def test_without_a_key_badges_refuse_and_name_keygen(runner: CliRunner, sample: Path) -> None:
    """No key: exit 1 naming keygen, nothing written; --unsigned writes *.unsigned.* files."""
    result = issue(runner, sample, "L-2026-006")
    assert result.exit_code == 1
    assert "pathway badges keygen" in result.stderr
    assert not (sample / "badges").exists()
    result = issue(runner, sample, "L-2026-006", "--unsigned")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (sample / "badges" / "L-2026-006").iterdir()) == [
        "goal-G2.unsigned.json", "goal-G2.unsigned.png", "goal-G2.unsigned.svg"]


def test_unsigned_credential_fails_verify(runner: CliRunner, sample: Path) -> None:
    """An unsigned credential is reported as unsigned by verify, exit 1."""
    issue(runner, sample, "L-2026-006", "--unsigned", "--no-images")
    result = verify(runner, str(sample / "badges" / "L-2026-006" / "goal-G2.unsigned.json"))
    assert result.exit_code == 1
    assert "unsigned" in result.stderr


# --- every sample badge verifies, through pathway and independently ----------------------


@pytest.mark.parametrize("case_id", sorted(SAMPLE_BADGES))
def test_sample_badges_verify_with_pathway_and_independently(
        runner: CliRunner, keyed: Path, case_id: str) -> None:
    """JSON, PNG and SVG of each sample badge pass `badges verify` and a check without pathway."""
    assert issue(runner, keyed, case_id).exit_code == 0
    folder = keyed / "badges" / case_id
    stem = SAMPLE_BADGES[case_id]
    files = [folder / f"{stem}{suffix}" for suffix in (".json", ".png", ".svg")]
    result = verify(runner, *map(str, files))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("verified: ") == 3
    text = files[0].read_text(encoding="utf-8")
    independent_check(json.loads(text))
    for baked in (png_text(files[1].read_bytes()), svg_text(files[2].read_bytes())):
        assert baked == text.strip()
        independent_check(json.loads(baked))


@pytest.mark.parametrize("case_id", sorted(SAMPLE_BADGES))
def test_sample_badges_as_jwt_verify_with_pathway_and_joserfc(
        runner: CliRunner, keyed: Path, case_id: str) -> None:
    """--format jwt: the .jwt, PNG and SVG verify; joserfc decodes the same token from each."""
    assert issue(runner, keyed, case_id, "--format", "jwt").exit_code == 0
    folder = keyed / "badges" / case_id
    stem = SAMPLE_BADGES[case_id]
    files = [folder / f"{stem}{suffix}" for suffix in (".jwt", ".png", ".svg")]
    result = verify(runner, *map(str, files))
    assert result.exit_code == 0, result.stderr
    token = files[0].read_text(encoding="ascii").strip()
    assert png_text(files[1].read_bytes()) == token == svg_text(files[2].read_bytes())
    claims = independent_jwt(token)
    assert "AchievementCredential" in claims["vc"]["type"]
    assert claims["jti"] == claims["vc"]["id"]


def test_jwt_changed_by_one_character_fails_joserfc_and_pathway(runner: CliRunner,
                                                                keyed: Path) -> None:
    """A JWT whose payload has one character changed fails both checks."""
    from joserfc.errors import JoseError

    issue(runner, keyed, "L-2026-006", "--format", "jwt", "--no-images")
    path = keyed / "badges" / "L-2026-006" / "goal-G2.jwt"
    token = path.read_text(encoding="ascii").strip()
    header, payload, signature = token.split(".")
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    forged = f"{header}.{payload[:middle]}{swapped}{payload[middle + 1:]}.{signature}"
    with pytest.raises((JoseError, ValueError)):
        independent_jwt(forged)
    path.write_text(forged + "\n", encoding="ascii")
    result = verify(runner, str(path))
    assert result.exit_code == 1


# --- a changed byte ----------------------------------------------------------------------


def test_every_changed_byte_of_a_signed_credential_fails(runner: CliRunner, keyed: Path) -> None:
    """Changing any one byte of the signed JSON file (its lowest bit) makes verification fail."""
    issue(runner, keyed, "L-2026-006", "--no-images")
    path = keyed / "badges" / "L-2026-006" / "goal-G2.json"
    data = path.read_bytes()
    assert verify_bytes(data, options(), path).ok
    for position in range(len(data)):
        changed = bytearray(data)
        changed[position] ^= 0x01
        result = verify_bytes(bytes(changed), options(), path)
        assert not result.ok, (position, bytes(changed[position - 20:position + 20]))


@pytest.mark.parametrize("where", ["top", "subject", "achievement", "proof", "keyword"])
def test_text_added_under_an_undefined_term_fails(runner: CliRunner, keyed: Path,
                                                  where: str) -> None:
    """A property the contexts do not define, added to a signed credential, fails verify.

    JSON-LD would drop it before checking the signature, so without this check it would
    pass while a reader of the JSON sees it (what a strict "safe mode" verifier refuses).
    """
    issue(runner, keyed, "L-2026-006", "--no-images")
    path = keyed / "badges" / "L-2026-006" / "goal-G2.json"
    credential = json.loads(path.read_text(encoding="utf-8"))
    target = {"top": credential, "subject": credential["credentialSubject"],
              "achievement": credential["credentialSubject"]["achievement"],
              "proof": credential["proof"][0], "keyword": credential}[where]
    target["@note" if where == "keyword" else "grade"] = "A+, with distinction"
    data = json.dumps(credential).encode("utf-8")
    result = verify_bytes(data, options(), path)
    assert not result.ok
    assert "do not define" in result.problems[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_changed_byte_of_a_baked_png_or_jwt_fails(data: st.DataObject) -> None:
    """Any byte of the credential in a baked PNG or SVG, or of a JWT, changed fails verification.

    In a PNG every byte counts (each chunk has a checksum); in an SVG the picture around the
    credential is not signed (Open Badges signs the credential, not the image), so the
    changed byte is drawn from the credential's own text. There, one white-space byte made
    another (a space of the indentation become a tab) leaves the same JSON, so the same
    credential, which rightly verifies; such a change is not drawn.
    """
    path, blob, start, end = data.draw(st.sampled_from(_BAKED))
    position = data.draw(st.integers(start, end - 1))
    blank = b" \t\n\r"
    value = data.draw(st.integers(0, 255).filter(
        lambda v: v != blob[position]
        and not (path.suffix == ".svg" and v in blank and blob[position] in blank)))
    changed = bytearray(blob)
    changed[position] = value
    result = verify_bytes(bytes(changed), options(), path)
    assert not result.ok


def test_a_jwt_signature_spelt_otherwise_fails() -> None:
    """The last character of a JWT's signature carries unused low bits: a character that
    differs only there decodes to the same signature bytes, and is refused all the same."""
    path, blob, _, end = next(b for b in _BAKED if b[0].suffix == ".jwt")
    last = end - 1
    while blob[last:last + 1] in (b"\n", b"\r", b" "):
        last -= 1
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(blob[last]) ^ 1]
    changed = blob[:last] + bytes([twin]) + blob[last + 1:]
    assert not verify_bytes(changed, options(), path).ok


def _span(blob: bytes, payload: str) -> tuple[int, int]:
    start = blob.index(payload.encode("utf-8"))
    return start, start + len(payload.encode("utf-8"))


def _baked_files() -> list[tuple[Path, bytes, int, int]]:
    from pathway_cli.badges.baking import badge_images, bake_png, bake_svg
    from pathway_cli.badges.keys import IssuerKey
    from pathway_cli.badges.proof import sign_data_integrity, sign_jwt

    key = IssuerKey(Ed25519PrivateKey.from_private_bytes(bytes(range(32))), "")
    key = IssuerKey(key.private, "did:key:" + key.multibase)
    credential = json.loads((REPO / "tests" / "fixtures" / "badges" /
                             "credential.json").read_text(encoding="utf-8"))
    credential["issuer"]["id"] = key.did
    signed = sign_data_integrity(credential, key, date(2026, 11, 23))
    text = json.dumps(signed, indent=2)
    token = sign_jwt(credential, key)
    picture = badge_images("School", "Achievement", "Badge", "2026-11-23", None)
    png = bake_png(picture.png, text)
    svg = bake_svg(picture.svg, text, jwt=False)
    jwt_svg = bake_svg(picture.svg, token, jwt=True)
    return [(Path("b.png"), png, 0, len(png)),
            (Path("b.svg"), svg, *_span(svg, text)),
            (Path("b.jwt"), token.encode("ascii"), 0, len(token)),
            (Path("j.svg"), jwt_svg, *_span(jwt_svg, token))]


_BAKED = _baked_files()


def test_baked_fixture_files_verify() -> None:
    """The unchanged baked files of the property test above do verify (so it can fail)."""
    for path, blob, _start, _end in _BAKED:
        result = verify_bytes(blob, options(), path)
        assert result.ok, (path, result.problems)


# --- interoperability: the W3C test vector ---------------------------------------------


def test_w3c_eddsa_rdfc_2022_test_vector_verifies() -> None:
    """The signed example of the W3C vc-di-eddsa specification verifies with pathway's code."""
    public = did_key_public("did:key:" + W3C_PUBLIC)
    did = verify_data_integrity(W3C_SIGNED, lambda m: ("https://vc.example/issuers/5678",
                                                       public))
    assert did == "https://vc.example/issuers/5678"
    proof = W3C_SIGNED["proof"]
    assert isinstance(proof, dict)
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = W3C_SIGNED["@context"]
    assert canonicalize(config) == W3C_PROOF_CANON


def test_w3c_test_vector_key_reproduces_the_published_signature() -> None:
    """Signing the vector's document with the vector's key gives the published proofValue."""
    private_raw = b58decode(W3C_PRIVATE_TEST_VECTOR[1:])
    assert private_raw[:2] == b"\x80\x26"  # multicodec ed25519-priv
    private = Ed25519PrivateKey.from_private_bytes(private_raw[2:])
    assert multikey(private.public_key()) == W3C_PUBLIC
    proof = dict(W3C_SIGNED["proof"])  # type: ignore[call-overload]
    document = {k: v for k, v in W3C_SIGNED.items() if k != "proof"}
    signature = private.sign(hash_data(document, proof))
    assert "z" + b58encode(signature) == proof["proofValue"]


def test_w3c_test_vector_changed_fails() -> None:
    """The W3C vector with one word changed fails with a signature mismatch."""
    public = did_key_public("did:key:" + W3C_PUBLIC)
    forged = W3C_SIGNED | {"name": "Alumni Credentiak"}
    with pytest.raises(Exception, match="signature does not match"):
        verify_data_integrity(forged, lambda m: ("https://vc.example/issuers/5678", public))
    with pytest.raises(InvalidSignature):
        document = {k: v for k, v in forged.items() if k != "proof"}
        proof = W3C_SIGNED["proof"]
        assert isinstance(proof, dict)
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        config["@context"] = forged["@context"]
        data = hashlib.sha256(rdfc(config)).digest() + hashlib.sha256(rdfc(document)).digest()
        public.verify(base58_decode(proof["proofValue"][1:]), data)


def test_1edtech_open_badges_test_vector_canonicalizes_the_same() -> None:
    """The OB 3.0 example credential gives 1EdTech's published canonical N-Quads.

    From the openbadges-specification repository, ob_v3p0/impl/test-vectors/obv3p0/
    document-canon.txt (the Teamwork Badge): the bundled VC 2.0 and OB 3.0.3 contexts map
    every term as 1EdTech's own implementation did.
    """
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "http://example.com/credentials/3527",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/565049", "type": ["Profile"],
                   "url": "https://www.imsglobal.org", "name": "Example Corp"},
        "validFrom": "2010-01-01T00:00:00Z",
        "name": "Teamwork Badge",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.com/achievements/21st-century-skills/teamwork",
                "type": ["Achievement"],
                "criteria": {"narrative": "Team members are nominated for this badge by their "
                             "peers and recognized upon review by Example Corp management."},
                "description": "This badge recognizes the development of the capacity to "
                               "collaborate within a group environment.",
                "name": "Teamwork",
            },
        },
    }
    expected = (REPO / "tests" / "fixtures" / "badges" /
                "1edtech-ob-document-canon.nq").read_text(encoding="utf-8")
    assert canonicalize(credential) == expected


# --- contexts are never fetched ----------------------------------------------------------


def test_loader_serves_bundled_contexts_and_refuses_any_other_url() -> None:
    """The document loader returns the bundled OB 3.0 context and refuses every other URL."""
    document = load_context("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json")
    assert "AchievementCredential" in document["document"]["@context"]
    for url in ("https://www.w3.org/2018/credentials/v1", "https://evil.example/context",
                "file:///etc/passwd", "http://www.w3.org/ns/credentials/v2"):
        with pytest.raises(UnknownContext):
            load_context(url)


def test_credential_with_an_unknown_context_fails_without_fetching(runner: CliRunner,
                                                                   keyed: Path) -> None:
    """A credential naming a context pathway does not hold fails with a message, no fetch."""
    issue(runner, keyed, "L-2026-006", "--no-images")
    path = keyed / "badges" / "L-2026-006" / "goal-G2.json"
    credential = json.loads(path.read_text(encoding="utf-8"))
    credential["@context"].append("https://attacker.example/context.json")
    path.write_text(json.dumps(credential), encoding="utf-8")
    result = verify(runner, str(path))
    assert result.exit_code == 1
    assert "https://attacker.example/context.json" in result.stderr
    assert "does not hold" in result.stderr


# --- dates, schema, issuer ---------------------------------------------------------------


def test_verify_before_valid_from_fails(runner: CliRunner, keyed: Path) -> None:
    """A credential checked on a day before its validFrom is 'not valid yet'."""
    issue(runner, keyed, "L-2026-006", "--no-images")
    path = keyed / "badges" / "L-2026-006" / "goal-G2.json"
    result = runner.invoke(app, ["badges", "verify", str(path), "--today", "2026-04-16"])
    assert result.exit_code == 1
    assert "not valid yet: valid from 2026-04-17" in result.stderr


def test_verify_json_output_lists_each_file(runner: CliRunner, keyed: Path) -> None:
    """--format json prints one object per file with ok, issuer and problems."""
    issue(runner, keyed, "L-2026-006")
    folder = keyed / "badges" / "L-2026-006"
    result = verify(runner, str(folder / "goal-G2.png"), str(folder / "missing.json"),
                    "--format", "json")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [r["ok"] for r in rows] == [True, False]
    assert rows[0]["form"] == "png/json" and rows[0]["issuer"].startswith("did:key:")
    assert "cannot be read" in rows[1]["problems"][0]


def test_credential_signed_by_a_key_not_the_issuers_fails(runner: CliRunner,
                                                          keyed: Path) -> None:
    """A credential re-signed by another key under the original issuer's name fails."""
    from pathway_cli.badges.keys import IssuerKey
    from pathway_cli.badges.proof import sign_data_integrity

    issue(runner, keyed, "L-2026-006", "--no-images")
    path = keyed / "badges" / "L-2026-006" / "goal-G2.json"
    credential = json.loads(path.read_text(encoding="utf-8"))
    del credential["proof"]
    other = Ed25519PrivateKey.generate()
    forger = IssuerKey(other, "did:key:" + multikey(other.public_key()))
    path.write_text(json.dumps(sign_data_integrity(credential, forger, date(2026, 11, 23))),
                    encoding="utf-8")
    result = verify(runner, str(path))
    assert result.exit_code == 1
    assert "but the credential names" in result.stderr


@settings(max_examples=60, deadline=None)
@given(blob=st.binary(max_size=400) | st.text(max_size=200).map(str.encode))
def test_any_file_gives_a_clean_result(blob: bytes) -> None:
    """Arbitrary bytes never raise: verify reports a failure with a reason."""
    for prefix in (b"", b"\x89PNG\r\n\x1a\n", b"<svg ", b"{"):
        result = verify_bytes(prefix + blob, options(), Path("x"))
        assert not result.ok and result.problems


def test_verify_refuses_svg_with_entities(tmp_path: Path) -> None:
    """An SVG declaring entities (a billion-laughs shape) is refused, not expanded."""
    svg = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">]>'
           b'<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')
    result = verify_bytes(svg, options(), tmp_path / "x.svg")
    assert not result.ok
    assert "DOCTYPE" in result.problems[0]


# --- did:web -----------------------------------------------------------------------------


def test_did_web_from_issuer_url() -> None:
    """issuer.url gives the did:web and the address its document is published at."""
    assert did_web("https://bk-rheinstadt.example") == "did:web:bk-rheinstadt.example"
    assert did_web("https://school.example:8443/badges/") == "did:web:school.example%3A8443:badges"
    assert (did_web_url("did:web:bk-rheinstadt.example")
            == "https://bk-rheinstadt.example/.well-known/did.json")
    assert (did_web_url("did:web:school.example%3A8443:badges")
            == "https://school.example:8443/badges/did.json")


def test_did_web_badges_verify_with_the_published_document(
        runner: CliRunner, with_url: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """did-document writes did.json; outside the caseload verify needs it and then passes."""
    assert issue(runner, with_url, "L-2026-006").exit_code == 0
    credential = with_url / "badges" / "L-2026-006" / "goal-G2.png"
    site = tmp_path / "site"
    result = runner.invoke(app, ["badges", "did-document", "-o", str(site),
                                 "--caseload", str(with_url)])
    assert result.exit_code == 0, result.stderr
    assert "https://bk-rheinstadt.example/.well-known/did.json" in result.stderr
    document = json.loads((site / "did.json").read_text(encoding="utf-8"))
    assert document["id"] == "did:web:bk-rheinstadt.example"
    assert document["verificationMethod"][0]["type"] == "Multikey"
    # outside any caseload, without the document
    monkeypatch.chdir(tmp_path)  # outside any caseload
    result = verify(runner, str(credential))
    assert result.exit_code == 1
    assert "--did-document" in result.stderr
    result = verify(runner, str(credential), "--did-document", str(site / "did.json"))
    assert result.exit_code == 0, result.stderr
    assert "revocation not checked" in result.stderr


def test_did_document_without_issuer_url_is_refused(runner: CliRunner, keyed: Path,
                                                    tmp_path: Path) -> None:
    """A did:key issuer needs no document: did-document says so and exits 1."""
    result = runner.invoke(app, ["badges", "did-document", "-o", str(tmp_path),
                                 "--caseload", str(keyed)])
    assert result.exit_code == 1
    assert "issuer.url" in result.stderr


# --- revocation ---------------------------------------------------------------------------


def test_revoked_badge_fails_with_revoked(runner: CliRunner, with_url: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """revoke records it, writes a signed status list; verify then fails with 'revoked'."""
    assert issue(runner, with_url, "L-2026-006").exit_code == 0
    folder = with_url / "badges" / "L-2026-006"
    credential = json.loads((folder / "goal-G2.json").read_text(encoding="utf-8"))
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListCredential"] == ("https://bk-rheinstadt.example/badges/"
                                              "status-list.json")
    site = tmp_path / "site"
    runner.invoke(app, ["badges", "did-document", "-o", str(site), "--caseload", str(with_url)])
    result = runner.invoke(app, ["badges", "revoke", str(folder / "goal-G2.svg"),
                                 "--reason", "issued in error", "--caseload", str(with_url),
                                 "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    status_list = with_url / "badges" / "status-list.json"
    assert result.stdout.strip().endswith("status-list.json")
    record = (with_url / "badges" / "status.yaml").read_text(encoding="utf-8")
    assert "issued in error" in record and f"revoked: '{TODAY}'" in record
    # the status list is a signed credential with the bit set
    document = json.loads(status_list.read_text(encoding="utf-8"))
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    bits = decode_list(document["credentialSubject"]["encodedList"])
    assert len(bits) == 16384
    assert list_bit(bits, int(status["statusListIndex"]))
    # inside the caseload, and outside with the published documents
    for path in ("goal-G2.json", "goal-G2.png", "goal-G2.svg"):
        result = verify(runner, str(folder / path), "--caseload", str(with_url))
        assert result.exit_code == 1
        assert "revoked" in result.stderr
    monkeypatch.chdir(tmp_path)  # outside any caseload
    result = verify(runner, str(folder / "goal-G2.json"), "--did-document", str(site / "did.json"),
                    "--status-list", str(status_list))
    assert result.exit_code == 1
    assert "revoked: the issuer's status list marks it revoked" in result.stderr


def test_other_badges_still_verify_after_a_revocation(runner: CliRunner,
                                                      with_url: Path) -> None:
    """Revoking one credential leaves the others of the caseload valid."""
    issue(runner, with_url, "L-2026-006", "--no-images")
    issue(runner, with_url, "L-2026-008", "--no-images")
    runner.invoke(app, ["badges", "revoke", str(with_url / "badges" / "L-2026-006" /
                                                 "goal-G2.json"),
                        "--reason", "withdrawn", "--caseload", str(with_url), "--today", TODAY])
    result = verify(runner, str(with_url / "badges" / "L-2026-008" / "goal-G2.json"),
                    "--caseload", str(with_url))
    assert result.exit_code == 0, result.stderr


def test_revoke_without_issuer_url_is_recorded_in_the_caseload(runner: CliRunner,
                                                               keyed: Path) -> None:
    """With a did:key issuer the revocation is recorded; verify in the caseload says revoked."""
    issue(runner, keyed, "L-2026-006", "--no-images")
    path = keyed / "badges" / "L-2026-006" / "goal-G2.json"
    result = runner.invoke(app, ["badges", "revoke", str(path), "--reason", "withdrawn",
                                 "--caseload", str(keyed), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert "no status list written" in result.stderr
    result = verify(runner, str(path), "--caseload", str(keyed))
    assert result.exit_code == 1
    assert f"revoked on {TODAY} by this caseload: withdrawn" in result.stderr


def test_revoke_of_a_credential_from_elsewhere_is_refused(runner: CliRunner, with_url: Path,
                                                          tmp_path: Path) -> None:
    """A credential this caseload did not issue cannot be revoked here: exit 1."""
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"id": "urn:uuid:00000000-0000-4000-8000-000000000000"}),
                    encoding="utf-8")
    result = runner.invoke(app, ["badges", "revoke", str(path), "--reason", "x",
                                 "--caseload", str(with_url)])
    assert result.exit_code == 1
    assert "was not issued from this caseload" in result.stderr


def test_status_list_bit_order_and_size() -> None:
    """Index 0 is the leftmost bit; the list has 131,072 places, gzip then base64url."""
    encoded = encode_list({0, 9, 131071})
    assert encoded.startswith("u")
    bits = decode_list(encoded)
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert sum(bin(b).count("1") for b in bits) == 3


def test_status_index_is_kept_across_reissues(runner: CliRunner, with_url: Path) -> None:
    """Re-issuing keeps each credential's place in the list and writes the same bytes."""
    issue(runner, with_url, "L-2026-006", "--no-images")
    issue(runner, with_url, "L-2026-008", "--no-images")
    path = with_url / "badges" / "L-2026-006" / "goal-G2.json"
    before = path.read_bytes()
    issue(runner, with_url, "L-2026-006", "--no-images")
    assert path.read_bytes() == before
    indices = {json.loads((with_url / "badges" / c / "goal-G2.json").read_text(
        encoding="utf-8"))["credentialStatus"]["statusListIndex"]
        for c in ("L-2026-006", "L-2026-008")}
    assert indices == {"0", "1"}


# --- baking ------------------------------------------------------------------------------


def test_caseload_template_image_is_used(runner: CliRunner, keyed: Path) -> None:
    """templates/badge.svg of the caseload is the picture the credential is baked into."""
    template = keyed / "templates"
    template.mkdir(exist_ok=True)
    (template / "badge.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>Our badge</title>'
        "</svg>", encoding="utf-8")
    assert issue(runner, keyed, "L-2026-006").exit_code == 0
    svg = (keyed / "badges" / "L-2026-006" / "goal-G2.svg").read_bytes()
    assert b"<title>Our badge</title>" in svg
    assert verify(runner, str(keyed / "badges" / "L-2026-006" / "goal-G2.svg")).exit_code == 0


def test_png_without_a_credential_is_reported(runner: CliRunner, keyed: Path,
                                              tmp_path: Path) -> None:
    """A plain PNG (no openbadgecredential chunk) fails with a sentence saying so."""
    from pathway_cli.badges.baking import badge_images

    plain = tmp_path / "plain.png"
    plain.write_bytes(badge_images("S", "A", "Badge", "2026", None).png)
    result = verify(runner, str(plain))
    assert result.exit_code == 1
    assert "holds no Open Badges credential" in result.stderr


def test_badges_group_help_and_default_issue(runner: CliRunner) -> None:
    """`pathway badges --help` lists the subcommands; `badges ID` is `badges issue ID`."""
    result = runner.invoke(app, ["badges", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in ("issue", "keygen", "verify", "revoke", "did-document"):
        assert name in result.stdout


def test_fetch_is_used_only_when_given_and_resolves_did_web_and_list(runner: CliRunner,
                                                                     with_url: Path) -> None:
    """With a fetcher (--fetch), verify asks it for did.json and the status list by URL."""
    from pathway_cli.badges.operations import own_did_documents

    issue(runner, with_url, "L-2026-006", "--no-images")
    runner.invoke(app, ["badges", "revoke", str(with_url / "badges" / "L-2026-006" /
                                                 "goal-G2.json"),
                        "--reason", "withdrawn", "--caseload", str(with_url), "--today", TODAY])
    published = {
        "https://bk-rheinstadt.example/.well-known/did.json": own_did_documents(with_url)[0],
        "https://bk-rheinstadt.example/badges/status-list.json": json.loads(
            (with_url / "badges" / "status-list.json").read_text(encoding="utf-8")),
    }
    asked: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        asked.append(url)
        return published[url]

    path = with_url / "badges" / "L-2026-006" / "goal-G2.json"
    result = verify_bytes(path.read_bytes(), options(fetch=fetch), path)
    assert sorted(set(asked)) == sorted(published)
    assert not result.ok
    assert any(p.startswith("revoked: ") for p in result.problems)
    assert not verify_bytes(path.read_bytes(), options(), path).ok  # no key without fetching


def test_a_status_list_changed_to_unrevoke_fails(runner: CliRunner, with_url: Path) -> None:
    """A status list with the revoked bit cleared (by anyone but the issuer) does not verify."""
    from pathway_cli.badges.operations import own_did_documents

    issue(runner, with_url, "L-2026-006", "--no-images")
    path = with_url / "badges" / "L-2026-006" / "goal-G2.json"
    runner.invoke(app, ["badges", "revoke", str(path), "--reason", "withdrawn",
                        "--caseload", str(with_url), "--today", TODAY])
    status_list = json.loads((with_url / "badges" / "status-list.json").read_text(
        encoding="utf-8"))
    status_list["credentialSubject"]["encodedList"] = encode_list(set())
    result = verify_bytes(path.read_bytes(), options(
        did_documents=own_did_documents(with_url), status_lists=[status_list]), path)
    assert any("does not verify" in p for p in result.problems)


def test_https_fetch_refuses_other_schemes() -> None:
    """--fetch only ever asks https addresses."""
    from pathway_cli.badges.verify import https_fetch

    for url in ("http://school.example/did.json", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError, match="not an https address"):
            https_fetch(url)


def test_expired_credential_fails_in_both_forms() -> None:
    """A credential past its validUntil fails as 'expired on', signed as JSON or as a JWT."""
    from pathway_cli.badges.keys import IssuerKey
    from pathway_cli.badges.proof import sign_data_integrity, sign_jwt

    private = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
    key = IssuerKey(private, "did:key:" + multikey(private.public_key()))
    credential = json.loads((REPO / "tests" / "fixtures" / "badges" /
                             "credential.json").read_text(encoding="utf-8"))
    credential["issuer"]["id"] = key.did
    credential["validUntil"] = "2026-06-30T23:59:59Z"
    signed = json.dumps(sign_data_integrity(credential, key, date(2026, 5, 1))).encode()
    token = sign_jwt(credential, key).encode()
    for blob, name in ((signed, "x.json"), (token, "x.jwt")):
        assert verify_bytes(blob, VerifyOptions(date(2026, 6, 30)), Path(name)).ok
        result = verify_bytes(blob, options(), Path(name))
        assert result.problems == ["expired on 2026-06-30"], name


def test_every_data_file_of_the_badges_package_ships_in_the_wheel() -> None:
    """The contexts and the schema are package data (verify needs them installed)."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["pathway_cli.badges"]
    package = REPO / "src" / "pathway_cli" / "badges"
    data = {p for p in package.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
            and "__pycache__" not in p.parts}
    shipped = {p for pattern in patterns for p in package.glob(pattern)}
    assert data and data <= shipped, sorted(str(p.relative_to(package)) for p in data - shipped)


def test_status_record_changed_meanwhile_is_not_clobbered(with_url: Path) -> None:
    """If badges/status.yaml changes between reading and writing, the write is refused."""
    from pathway_cli.badges.status import StatusRegistry
    from pathway_cli.errors import UserError

    registry = StatusRegistry.load(with_url)
    registry.index_for("urn:uuid:1", "L-2026-006", "x")
    registry.save()
    stale = StatusRegistry.load(with_url)
    fresh = StatusRegistry.load(with_url)
    fresh.revoke("urn:uuid:1", date(2026, 11, 23), "withdrawn")
    fresh.save()
    stale.index_for("urn:uuid:2", "L-2026-008", "y")
    with pytest.raises(UserError, match="changed while pathway was working"):
        stale.save()
    assert "withdrawn" in (with_url / "badges" / "status.yaml").read_text(encoding="utf-8")

"""Open Badges 3.0: credentials of recognised achievements, signed, verified, revoked, baked.

The stages, one module each (imports run one way, top to bottom):

- ``credential``: what a credential says (built from the case, privacy rules included);
- ``jsonld``: the bundled JSON-LD contexts and RDF canonicalization;
- ``keys``: the issuer's Ed25519 key, its ``did:key`` / ``did:web`` and DID document;
- ``proof``: ``eddsa-rdfc-2022`` Data Integrity proofs and the VC-JWT form;
- ``status``: revocation, recorded in the caseload and published as a Bitstring Status List;
- ``baking``: the credential inside a PNG or SVG image;
- ``verify``: checking a credential file (JSON, JWT, PNG or SVG) end to end.
"""

from pathway_cli.badges.credential import (
    ACHIEVEMENT_TYPES,
    CONTEXT,
    Badge,
    BadgeSet,
    IssuerProfile,
    Signer,
    Unsigned,
    build_badges,
    identity_hash,
    issuer_profile,
)
from pathway_cli.badges.operations import (
    issue_badges,
    make_key,
    revoke_credential,
    write_did_document,
)
from pathway_cli.badges.verify import Verification, VerifyOptions, verify_files

__all__ = [
    "ACHIEVEMENT_TYPES",
    "CONTEXT",
    "Badge",
    "BadgeSet",
    "IssuerProfile",
    "Signer",
    "Unsigned",
    "Verification",
    "VerifyOptions",
    "build_badges",
    "identity_hash",
    "issue_badges",
    "issuer_profile",
    "make_key",
    "revoke_credential",
    "verify_files",
    "write_did_document",
]

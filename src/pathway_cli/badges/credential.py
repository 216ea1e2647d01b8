"""Recognised achievements as Open Badges 3.0 AchievementCredentials.

Each achieved plan goal with a ``credential`` and each hidden skill with a ``credential``
becomes one credential (JSON-LD, W3C Verifiable Credentials 2.0 data model) that the
official 1EdTech JSON Schema accepts. What goes in, and what never does:

- the issuer is the caseload's organisation (``issuer:`` in pathway.yaml; without an
  ``issuer.id`` a stable ``urn:uuid`` is derived from the organisation name, which is
  fine for unsigned credentials but cannot be resolved by a wallet);
- the learner appears only as a salted SHA-256 hash of their id (an ``IdentityObject``);
  never a name, a birth date or a contact. The salt is per credential, so two
  credentials of one learner do not share a hash. Learner ids are short, so the hash
  confirms an id the learner presents rather than hiding it from someone who tries them
  all: it is the caseload's pseudonym, meaningless without the caseload;
- the achievement's criteria come from the goal's measure and target (a hidden skill's:
  its evidence); a well-being goal's wording stays out, since it may speak of health;
- ids are ``urn:uuid`` v5 names of issuer, learner and goal, so a re-run writes the
  same files byte for byte.

``Signer`` is the seam for the signing step: ``build_badges`` passes every credential
through one (``proof.DataIntegritySigner`` or ``proof.JwtSigner``; ``Unsigned`` leaves it
as it is). Writing, signing and baking are done by ``operations.issue_badges``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from pathway_cli.caseload import Case
from pathway_cli.errors import UserError
from pathway_cli.models import Credential, HiddenSkill, Learner, Settings
from pathway_cli.privacy import Kind, allows
from pathway_cli.validation import Context, case_findings

__all__ = [
    "ACHIEVEMENT_TYPES",
    "CONTEXT",
    "Badge",
    "BadgeSet",
    "IssuerProfile",
    "Signer",
    "Unsigned",
    "build_badges",
    "identity_hash",
    "issuer_profile",
]

CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    # defines 1EdTechJsonSchemaValidator2019 (credentialSchema's type): without it the term
    # is undefined and verifiers that refuse undefined terms (JSON-LD "safe mode") reject it
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
]
CREDENTIAL_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
          "ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
ACHIEVEMENT_TYPES = {
    "badge": "Badge",
    "micro-credential": "MicroCredential",
    "certificate": "Certificate",
    "other": "Achievement",
}
# Namespace of every name-based uuid pathway makes for credentials (fixed forever: changing
# it would change every credential id).
NAMESPACE = uuid.UUID("5b0f3c52-6f3e-5d1b-9a4e-2f5c7d8e9a10")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


class Signer(Protocol):
    """Turns an unsigned credential into a signed one (adds ``proof``, or wraps it as a JWT).

    A signer gets the finished credential as a dict and returns what is written to the
    file. See the README ("Signing badges") for what a real one needs.
    """

    name: str

    def sign(self, credential: dict[str, Any]) -> dict[str, Any]:
        """The credential as it should be written."""
        ...


class Unsigned:
    """The signer used until a team holds an issuing key: leaves the credential as it is."""

    name = "unsigned"

    def sign(self, credential: dict[str, Any]) -> dict[str, Any]:
        """Return the credential unchanged."""
        return credential


@dataclass(frozen=True)
class IssuerProfile:
    """The issuer as the credential names it; ``derived`` when the id was made up locally."""

    id: str
    name: str | None
    url: str | None = None
    email: str | None = None
    derived: bool = False

    def as_json(self) -> dict[str, Any]:
        """The Open Badges ``Profile`` object."""
        profile: dict[str, Any] = {"id": self.id, "type": ["Profile"]}
        for key in ("name", "url", "email"):
            value = getattr(self, key)
            if value:
                profile[key] = value
        return profile


@dataclass(frozen=True)
class Badge:
    """One credential ready to write: where it came from, its file name and its content.

    ``token`` is the compact JWS when the credential is written in its VC-JWT form.
    """

    source: str
    stem: str
    credential: dict[str, Any]
    token: str | None = None
    suffix: str = ".json"

    @property
    def file_name(self) -> str:
        """The credential file's name: ``goal-G2.json``, ``goal-G2.jwt``..."""
        return self.stem + self.suffix

    def text(self) -> str:
        """The file's text: stable key order, UTF-8, final newline (or the JWT)."""
        if self.token is not None:
            return self.token + "\n"
        return json.dumps(self.credential, indent=2, ensure_ascii=False) + "\n"


@dataclass
class BadgeSet:
    """The credentials of one learner, and notes on what was left out and why."""

    learner: str
    issuer: IssuerProfile
    signer: str
    badges: list[Badge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    folder: Path | None = None


def issuer_profile(settings: Settings, did: str | None = None) -> IssuerProfile:
    """The issuer from pathway.yaml, named by ``did`` when the credentials are signed.

    Unsigned credentials use ``issuer.id``, or a ``urn:uuid`` derived from the
    organisation when no id is set.
    """
    issuer = settings.issuer
    name = (issuer.name if issuer else None) or settings.organisation
    url = issuer.url if issuer else None
    email = issuer.email if issuer else None
    if issuer is not None and issuer.id is not None and not _URI.match(issuer.id):
        raise UserError(
            f"pathway.yaml: issuer.id '{issuer.id}' is not a URI",
            hint="use the web address of the issuer profile, e.g. https://school.example"
            "/issuer.json",
        )
    if not name and issuer is None:
        raise UserError(
            "badges need an issuer: pathway.yaml names no organisation and no issuer",
            hint="add 'organisation: NAME' (and, for a did:web issuer, an 'issuer:' block "
            "with 'url: https://...') to pathway.yaml",
        )
    if did is not None:
        return IssuerProfile(did, name, url, email)
    if issuer is not None and issuer.id is not None:
        return IssuerProfile(issuer.id, name, url, email)
    if not name:
        raise UserError(
            "badges need an issuer: pathway.yaml names no organisation and no issuer.id",
            hint="add 'organisation: NAME' to pathway.yaml")
    derived = f"urn:uuid:{uuid.uuid5(NAMESPACE, 'issuer' + chr(0) + name)}"
    return IssuerProfile(derived, name, url, email, derived=True)


def identity_hash(learner_id: str, salt: str) -> str:
    """The Open Badges IdentityHash of a learner id with its salt: ``sha256$<hex>``."""
    digest = hashlib.sha256((learner_id + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def _uuid(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, chr(0).join(parts))}"


def _timestamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "credential"


@dataclass(frozen=True)
class _Achievement:
    key: str
    source: str
    file_stem: str
    credential: Credential
    achieved: date
    description: str
    criteria: str


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _achievements(case: Case, today: date, notes: list[str]) -> Iterator[_Achievement]:
    plan = case.plan
    for goal in plan.goals if plan else []:
        credential = goal.earned_credential(today)
        if credential is None or goal.achieved_on is None:
            if goal.credential is None:
                continue
            if goal.status != "achieved" or goal.achieved_on is None:
                notes.append(f"goal {goal.id} has a credential but is not achieved yet "
                             f"(status {goal.status}); no badge until it is")
            else:
                notes.append(f"goal {goal.id} is achieved on {goal.achieved_on}, after today; "
                             "no badge yet")
            continue
        if goal.area == "wellbeing" and not allows(Kind.WELLBEING_GOAL, "badges"):
            notes.append(f"goal {goal.id} is a well-being goal: its wording stays out of the "
                         "badge, which names only the credential")
            # The credential's own description and evidence link may speak of health too.
            credential = credential.model_copy(update={"description": None, "url": None})
            description = credential.name
            criteria = ("Achieved a goal of the learner's individual plan, agreed with the "
                        "support team.")
        else:
            description = credential.description or (
                f"Achieved a goal of an individual learning plan: {_sentence(goal.goal)}")
            criteria = (f"{_sentence(goal.goal)} Measured by: {goal.measure}. "
                        f"Target: {goal.target}.")
        yield _Achievement(f"goal{chr(0)}{goal.id}", f"goal {goal.id}", f"goal-{goal.id}",
                           credential, goal.achieved_on, description, criteria)
    assessment = case.assessment
    for skill in assessment.hidden_skills if assessment else []:
        credential = skill.credential
        if credential is None:
            continue
        if credential.date > today:
            notes.append(f"hidden skill '{skill.skill}' has a credential dated "
                         f"{credential.date}, after today; no badge yet")
            continue
        yield _Achievement(
            f"skill{chr(0)}{credential.name}{chr(0)}{skill.skill}",
            f"hidden skill '{skill.skill}'", f"skill-{_slug(credential.name)}", credential,
            credential.date, credential.description or _sentence(
                f"Recognises a skill learnt outside formal education: {skill.skill}"),
            _skill_criteria(skill),
        )


def _skill_criteria(skill: HiddenSkill) -> str:
    text = f"The skill was shown in practice: {_sentence(skill.skill)}"
    if skill.evidence:
        text += f" Evidence: {_sentence(skill.evidence)}"
    return text


def _credential(item: _Achievement, learner: Learner, issuer: IssuerProfile) -> dict[str, Any]:
    source = item.credential
    credential_id = _uuid(issuer.id, "credential", learner.id, item.key)
    salt = hashlib.sha256(f"salt{chr(0)}{credential_id}".encode()).hexdigest()[:32]
    achievement: dict[str, Any] = {
        "id": _uuid(issuer.id, "achievement", source.issuer, source.name, item.criteria),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[source.type],
        "name": source.name,
        "description": item.description,
        "criteria": {"narrative": item.criteria},
        "creator": {"id": _uuid("creator", source.issuer), "type": ["Profile"],
                    "name": source.issuer},
    }
    body: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": source.name,
        "description": item.description,
        "issuer": issuer.as_json(),
        "validFrom": _timestamp(item.achieved),
        "awardedDate": _timestamp(item.achieved),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": identity_hash(learner.id, salt),
                "identityType": "identifier",
                "hashed": True,
                "salt": salt,
            }],
            "achievement": achievement,
        },
        "credentialSchema": [dict(CREDENTIAL_SCHEMA)],
    }
    if source.url:
        body["evidence"] = [{"id": source.url, "type": ["Evidence"],
                             "name": f"{source.name}, as issued by {source.issuer}"}]
    return body


def _personal_terms(learner: Learner) -> list[str]:
    """Words that must never appear in a credential: the learner's names, id, birth date."""
    terms = [learner.id, learner.name]
    if learner.preferred_name:
        terms.append(learner.preferred_name)
    terms.extend(part for part in learner.name.split() if len(part) >= 3)
    if learner.date_of_birth:
        born = learner.date_of_birth
        terms += [born.isoformat(), f"{born.day:02d}.{born.month:02d}.{born.year}",
                  f"{born.day}.{born.month}.{born.year}",
                  f"{born.day:02d}/{born.month:02d}/{born.year}"]
    terms.extend(m.name for m in learner.team)
    return sorted(set(terms), key=len, reverse=True)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _leak(credential: dict[str, Any], terms: list[str]) -> str | None:
    patterns = [(t, re.compile(rf"(?<!\w){re.escape(t)}(?!\w)", re.IGNORECASE)) for t in terms]
    for text in _strings(credential):
        for term, pattern in patterns:
            if pattern.search(text):
                return term
    return None


def build_badges(case: Case, settings: Settings, today: date,
                 signer: Signer | None = None, issuer: IssuerProfile | None = None,
                 stem_suffix: str = "") -> BadgeSet:
    """The credentials of one case, each passed through ``signer``, with notes on the rest.

    ``issuer`` replaces the profile from pathway.yaml (a signed credential is issued by
    the key's DID); ``stem_suffix`` marks file names (``.unsigned``).
    """
    learner = case.learner
    if learner is None:
        raise UserError(f"{case.folder / 'learner.yaml'}: missing or not readable",
                        hint="run 'pathway validate' and fix it first")
    errors = [f for f in case_findings(case, Context(settings, None, today)) if f.is_error]
    if errors:
        raise UserError(
            f"{case.id} has {len(errors)} error{'s' if len(errors) != 1 else ''} in its "
            "records; badges are issued only from valid records",
            hint=f"run 'pathway validate {case.folder}' and fix them first",
        )
    issuer = issuer or issuer_profile(settings)
    signer = signer or Unsigned()
    result = BadgeSet(learner.id, issuer, signer.name)
    terms = _personal_terms(learner)
    used: set[str] = set()
    for item in _achievements(case, today, result.notes):
        credential = _credential(item, learner, issuer)
        term = _leak(credential, terms)
        if term is not None:
            result.notes.append(
                f"{item.source}: its wording contains personal data ('{term}'); no badge "
                "until it is reworded (badges name the learner only by a hashed id)")
            continue
        stem, number = item.file_stem, 2
        while stem in used:
            stem, number = f"{item.file_stem}-{number}", number + 1
        used.add(stem)
        result.badges.append(Badge(item.source, stem + stem_suffix, signer.sign(credential)))
    return result


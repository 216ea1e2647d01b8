"""What the ``pathway badges`` commands do: issue, keygen, did-document, revoke.

Issuing runs the stages in order: build the credential (``credential``), give it a place
in the revocation list (``status``), sign it (``proof``), bake it into images (``baking``)
and write every file atomically into one folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pathway_cli.badges.baking import badge_images, bake_png, bake_svg
from pathway_cli.badges.credential import (
    ACHIEVEMENT_TYPES,
    BadgeSet,
    build_badges,
    issuer_profile,
)
from pathway_cli.badges.keys import (
    KEY_FILE,
    IssuerKey,
    did_document,
    did_web,
    did_web_url,
    generate_key,
    load_issuer_key,
)
from pathway_cli.badges.proof import DataIntegritySigner, JwtSigner, sign_data_integrity
from pathway_cli.badges.status import (
    LIST_FILE,
    StatusRegistry,
    status_entry,
    status_list_credential,
    status_list_url,
)
from pathway_cli.badges.verify import read_credential
from pathway_cli.caseload import SETTINGS_FILE, Case, Caseload, load_record
from pathway_cli.errors import UserError
from pathway_cli.models import Settings
from pathway_cli.writer import atomic_write, ensure_inside, refuse_record_area

__all__ = [
    "BADGES_DIR",
    "KEY_FILE",
    "BadgeForm",
    "KeyResult",
    "RevokeResult",
    "default_folder",
    "issue_badges",
    "make_key",
    "own_did_documents",
    "revoke_credential",
    "write_did_document",
]

BADGES_DIR = "badges"
BadgeForm = Literal["json", "jwt"]
_KIND_LABEL = {value: value if value != "MicroCredential" else "Micro-credential"
               for value in ACHIEVEMENT_TYPES.values()}


def _root(caseload: Caseload, what: str) -> Path:
    if caseload.root is None:
        raise UserError(f"{what} needs the caseload root (the folder with pathway.yaml)",
                        hint="run it inside the caseload or give --caseload")
    return caseload.root


def default_folder(caseload: Caseload, case: Case) -> Path:
    """``<caseload>/badges/<ID>/``: inside the caseload, outside cases/ (validate ignores it)."""
    if caseload.root is None:
        raise UserError(
            f"{case.folder} is not inside a caseload, so there is no default badges folder",
            hint="name one with -o DIR",
        )
    return caseload.root / BADGES_DIR / case.id


class _StatusSigner:
    """Gives each credential its place in the revocation list, then signs it."""

    def __init__(self, inner: DataIntegritySigner | JwtSigner,
                 registry: StatusRegistry | None, list_url: str | None,
                 learner: str) -> None:
        self.inner = inner
        self.name = inner.name
        self.registry = registry
        self.list_url = list_url
        self.learner = learner

    def sign(self, credential: dict[str, Any]) -> dict[str, Any]:
        if self.registry is not None and self.list_url is not None:
            index = self.registry.index_for(str(credential["id"]), self.learner,
                                            str(credential.get("name", "")))
            credential = credential | {"credentialStatus": status_entry(self.list_url, index)}
        return self.inner.sign(credential)


def issue_badges(caseload: Caseload, case_id: str, today: date, output: Path | None = None,
                 *, form: BadgeForm = "json", signed: bool = True,
                 images: bool = True) -> BadgeSet:
    """Build, sign and bake one learner's credentials and write them atomically.

    Signed credentials need the caseload's issuer key (``keygen``); ``signed=False``
    writes the unsigned files, marked ``.unsigned`` in their names.
    """
    case = caseload.case(case_id)
    if case is None:
        known = ", ".join(c.id for c in caseload.cases[:5])
        raise UserError(f"no case '{case_id}' in {caseload.root or 'the caseload'}",
                        hint=f"known cases include {known}" if known else None)
    settings = caseload.settings
    folder = output if output is not None else default_folder(caseload, case)
    refuse_record_area(folder, caseload.root)
    key: IssuerKey | None = None
    jwt: JwtSigner | None = None
    registry: StatusRegistry | None = None
    list_url = status_list_url(settings) if signed else None
    if signed:
        key = load_issuer_key(caseload.root, settings)
        jwt = JwtSigner(key) if form == "jwt" else None
        if list_url is not None:
            registry = StatusRegistry.load(_root(caseload, "issuing"))
        learner = case.learner.id if case.learner else case.id
        signer = _StatusSigner(jwt or DataIntegritySigner(key, today), registry, list_url,
                               learner)
        result = build_badges(case, settings, today, signer, issuer_profile(settings, key.did))
        if key.path is not None and key.path.stat().st_mode & 0o077:
            result.notes.append(f"{key.path} can be read by other users of this computer; "
                                "make it private with: chmod 600 " + str(key.path))
    else:
        result = build_badges(case, settings, today, stem_suffix=".unsigned")
    result.folder = folder
    files: list[tuple[str, bytes]] = []
    for index, badge in enumerate(result.badges):
        if jwt is not None:
            badge = replace(badge, token=jwt.token(badge.credential), suffix=".jwt")
            result.badges[index] = badge
        files.append((badge.file_name, badge.text().encode("utf-8")))
        if images:
            files += _baked(badge.stem, badge.token or badge.text().strip(),
                            badge.token is not None, badge.credential, caseload.root)
    if registry is not None and list_url is not None and key is not None:
        registry.save()
        _write_status_list(registry, list_url, key, today, registry.path.parent, only_new=True)
    for name, data in files:
        path = ensure_inside(folder / name, folder)
        atomic_write(path, data)
        result.written.append(folder / name)
    return result


def _baked(stem: str, payload: str, jwt: bool, credential: dict[str, Any],
           root: Path | None) -> list[tuple[str, bytes]]:
    issuer = credential.get("issuer", {})
    subject = credential.get("credentialSubject", {})
    achievement = subject.get("achievement", {}) if isinstance(subject, dict) else {}
    school = str(issuer.get("name") or "") if isinstance(issuer, dict) else ""
    kind = _KIND_LABEL.get(str(achievement.get("achievementType")), "Achievement")
    awarded = str(credential.get("validFrom", ""))[:10]
    picture = badge_images(school, str(achievement.get("name") or credential.get("name", "")),
                           kind, f"Awarded {awarded}",
                           root / "templates" if root is not None else None)
    return [(f"{stem}.png", bake_png(picture.png, payload)),
            (f"{stem}.svg", bake_svg(picture.svg, payload, jwt))]


def own_did_documents(root: Path) -> list[dict[str, Any]]:
    """The caseload's own DID document, when it holds an issuer key (verifying at home).

    Reads only pathway.yaml (for issuer.url), not the cases.
    """
    if not (root / KEY_FILE).exists():
        return []
    settings_path = root / SETTINGS_FILE
    loaded = load_record(settings_path, Settings) if settings_path.is_file() else None
    settings = (loaded.model if loaded is not None else None) or Settings()
    try:
        return [did_document(load_issuer_key(root, settings))]
    except UserError:
        return []


@dataclass
class KeyResult:
    """A new issuer key: where it is and who it makes the issuer."""

    path: Path
    did: str
    did_document_url: str | None
    notes: list[str] = field(default_factory=list)


def make_key(caseload: Caseload) -> KeyResult:
    """``pathway badges keygen``: a new Ed25519 key in ``.pathway/issuer-key.pem``."""
    root = _root(caseload, "keygen")
    issuer = caseload.settings.issuer
    if issuer is not None and issuer.url:
        did_web(issuer.url)  # a wrong issuer.url is refused before a key is made
    path = generate_key(root)
    key = load_issuer_key(root, caseload.settings)
    web = did_web_url(key.did) if key.did.startswith("did:web:") else None
    return KeyResult(path, key.did, web)


def write_did_document(caseload: Caseload, output: Path) -> tuple[Path, str, str]:
    """``pathway badges did-document -o DIR``: ``DIR/did.json`` and where to publish it."""
    key = load_issuer_key(_root(caseload, "did-document"), caseload.settings)
    if not key.did.startswith("did:web:"):
        raise UserError(
            f"the issuer is {key.did}, which needs no published document",
            hint="set issuer.url in pathway.yaml ('issuer: url: https://...') to issue under "
            "a did:web instead",
        )
    refuse_record_area(output, caseload.root)
    path = ensure_inside(output / "did.json", output)
    text = json.dumps(did_document(key), indent=2, ensure_ascii=False) + "\n"
    atomic_write(path, text.encode("utf-8"))
    return output / "did.json", key.did, did_web_url(key.did)


@dataclass
class RevokeResult:
    """A revocation: which credential, when and why, and the status list written."""

    credential_id: str
    revoked: date
    reason: str
    already: bool
    status_list: Path | None
    list_url: str | None
    notes: list[str] = field(default_factory=list)


def _credential_of(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        form, text = read_credential(data)
        if form.endswith("jwt"):
            from pathway_cli.badges.proof import ProofError, decode_jwt

            try:
                credential = decode_jwt(text)[1].get("vc")
            except ProofError as exc:
                raise ValueError(str(exc)) from None
        else:
            credential = json.loads(text)
    except ValueError as exc:
        raise UserError(f"{path}: holds no readable credential ({exc})") from None
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        raise UserError(f"{path}: holds no credential with an id")
    return credential


def _write_status_list(registry: StatusRegistry, list_url: str, key: IssuerKey, today: date,
                       folder: Path, only_new: bool = False) -> Path:
    """The signed status list of the caseload's revocations, as ``folder/status-list.json``."""
    target = ensure_inside(folder / LIST_FILE, folder)
    if only_new and target.exists():
        return folder / LIST_FILE
    document = sign_data_integrity(
        status_list_credential(list_url, key.did, registry.revoked_indices(), today), key, today)
    atomic_write(target, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    return folder / LIST_FILE


def revoke_credential(caseload: Caseload, path: Path, reason: str, today: date,
                      output: Path | None = None) -> RevokeResult:
    """``pathway badges revoke FILE --reason TEXT``: record it and publish the list."""
    root = _root(caseload, "revoke")
    if not reason.strip():
        raise UserError("say why the credential is revoked with --reason TEXT",
                        hint="the reason stays in the caseload; it is not published")
    credential = _credential_of(path)
    registry = StatusRegistry.load(root)
    credential_id = str(credential["id"])
    key = load_issuer_key(root, caseload.settings)
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if credential_id not in registry.entries and issuer_id == key.did:
        registry.add_unlisted(credential_id, str(credential.get("name", "")))
    before = registry.entries.get(credential_id)
    already = before is not None and before.revoked is not None
    entry = registry.revoke(credential_id, today, reason.strip())
    list_url = status_list_url(caseload.settings)
    result = RevokeResult(credential_id, entry.revoked or today, entry.reason or "", already,
                          None, list_url)
    if "credentialStatus" not in credential:
        result.notes.append(
            "this credential carries no status entry (it was issued before issuer.url was "
            "set), so only 'pathway badges verify' in this caseload reports it revoked")
    registry.save()
    if list_url is not None:
        folder = output if output is not None else root / BADGES_DIR
        refuse_record_area(folder, root)
        document = sign_data_integrity(
            status_list_credential(list_url, key.did, registry.revoked_indices(), today),
            key, today)
        target = ensure_inside(folder / LIST_FILE, folder)
        atomic_write(target, (json.dumps(document, indent=2) + "\n").encode("utf-8"))
        result.status_list = folder / LIST_FILE
    else:
        result.notes.append("no status list written: pathway.yaml sets no issuer.url, so "
                            "there is no address to publish one at")
    return result


"""Flat rows for the institution's monitoring: one row a learner, a goal or a review.

An export leaves the team, so even a plain one never carries the date of birth (an
age band instead), private notes, health needs, the well-being plan (nor the words of
its well-being goals), the health professionals around the learner (roles ``health``
and ``psychologist``, whose presence alone is health data) or the learner's own
reflections. ``pseudonymise`` goes further: learner and team ids become keyed hashes
(HMAC-SHA256 with a secret kept in the caseload at ``.pathway/pseudonym.key``, outside
git), so the same learner keeps the same pseudonym from one export to the next, but
nobody without the key can find a learner's pseudonym from a list of ids or names;
names, contacts and every free-text field are dropped.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from pathway_cli.alerts import first_review_due
from pathway_cli.caseload import Case, Caseload
from pathway_cli.csvtext import csv_text
from pathway_cli.errors import UserError
from pathway_cli.models import Learner
from pathway_cli.plaintext import escape_json_controls
from pathway_cli.privacy import Kind, allows, is_health_professional, shown_member
from pathway_cli.summary import LearnerSummary, summarise_caseload

__all__ = [
    "FREE_TEXT",
    "KEY_FILE",
    "ROW_KINDS",
    "Cell",
    "Export",
    "Pseudonymiser",
    "RowKind",
    "age_band",
    "export_caseload",
    "load_or_create_key",
    "to_csv",
    "to_jsonl",
]

RowKind = Literal["learners", "goals", "reviews"]
ROW_KINDS: tuple[RowKind, ...] = ("learners", "goals", "reviews")
Cell = str | int | float | bool | list[str] | None

KEY_FILE = Path(".pathway") / "pseudonym.key"
_KEY_BYTES = 32
_PSEUDONYM_HEX = 16  # 64 bits: no collision in any caseload, short enough for a sheet


# --- pseudonyms --------------------------------------------------------------------------


def load_or_create_key(root: Path) -> tuple[bytes, bool]:
    """The caseload's pseudonym key, made on first use; returns (key, created).

    The key is written to a temporary file, fsynced and then linked into place: ``link``
    fails when the key exists, so a key in use is never replaced, and nobody can read a
    key that is half written. A key that reads short is waited for a moment (another
    program may still be writing it) before it is called damaged.
    """
    path = root / KEY_FILE
    created = False
    if not path.exists():
        created = _create_key(path)
    text = _read_key(path)
    waited = 0.0
    # Empty or a short run of hex digits: being written (by an older pathway, which made
    # the file first and wrote it after); anything else is damage, refused at once.
    while _KEY_BEING_WRITTEN.fullmatch(text) and waited < _KEY_WAIT_SECONDS:
        time.sleep(0.05)
        waited += 0.05
        text = _read_key(path)
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) < _KEY_MIN_BYTES:
        raise UserError(
            f"the pseudonym key {path} is damaged (it should hold {2 * _KEY_BYTES} hex digits)",
            hint="restore it from your backup; a new key would give every learner a new "
            "pseudonym, so earlier exports could no longer be linked",
        )
    return key, created


_KEY_MIN_BYTES = 16
_KEY_WAIT_SECONDS = 5.0
_KEY_BEING_WRITTEN = re.compile(rf"[0-9a-f]{{0,{2 * _KEY_BYTES - 1}}}")


def _create_key(path: Path) -> bool:
    """Make the key file whole or not at all; False when another process made it first."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(prefix=".pseudonym.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(f"cannot create the pseudonym key {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(scratch, path)
    except FileExistsError:
        return False
    except OSError as exc:
        raise UserError(f"cannot create the pseudonym key {path}: {exc.strerror}") from None
    finally:
        with contextlib.suppress(OSError):
            Path(scratch).unlink()
    return True


def _read_key(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return "?"


@dataclass(frozen=True)
class Pseudonymiser:
    """Keyed, stable pseudonyms: ``P-`` for learners, ``T-`` for team members."""

    key: bytes = field(repr=False)

    def _digest(self, kind: bytes, value: str) -> str:
        mac = hmac.new(self.key, kind + b"\x00" + value.encode("utf-8"), hashlib.sha256)
        return mac.hexdigest()[:_PSEUDONYM_HEX]

    def learner(self, learner_id: str) -> str:
        """The pseudonym of a learner id."""
        return "P-" + self._digest(b"learner", learner_id)

    def member(self, member_id: str) -> str:
        """The pseudonym of a team member id."""
        return "T-" + self._digest(b"team", member_id)


def _git_ignores(root: Path, path: Path) -> bool | None:
    """Whether git ignores ``path``; None when ``root`` is not in a git work tree."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "-q", str(path)],
            capture_output=True, check=False, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode == 0:
        return True
    if result.returncode == 1:
        return False
    return None


# --- rows --------------------------------------------------------------------------------


@dataclass
class Export:
    """Rows with the same columns, and what the user should be told about them."""

    kind: RowKind
    columns: tuple[str, ...]
    rows: list[dict[str, Cell]]
    notes: list[str] = field(default_factory=list)


_AGE_BANDS = ((16, "under 16"), (18, "16-17"), (21, "18-20"), (25, "21-24"))


def age_band(born: date | None, on: date) -> str | None:
    """An age band at ``on``: coarse enough not to single anyone out by birthday."""
    if born is None:
        return None
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return next((band for limit, band in _AGE_BANDS if age < limit), "25 and over")


@dataclass(frozen=True)
class _Ids:
    """How ids appear: as they are, or as pseudonyms."""

    pseudonyms: Pseudonymiser | None

    def learner(self, learner_id: str) -> str:
        return self.pseudonyms.learner(learner_id) if self.pseudonyms else learner_id

    def member(self, member_id: str | None) -> str | None:
        if member_id is None or member_id == "learner":
            return member_id
        return self.pseudonyms.member(member_id) if self.pseudonyms else member_id


def _role(learner: Learner, owner: str) -> str | None:
    """The role of a team id; None for a health professional, whose presence is health data."""
    if owner == "learner":
        return "learner"
    member = learner.member(owner)
    if member is None:
        return "unknown"
    if is_health_professional(member) and not allows(Kind.HEALTH_PROFESSIONAL, "export"):
        return None
    return member.role


def _roles(learner: Learner, ids: Iterable[str]) -> list[str]:
    return sorted({role for role in (_role(learner, i) for i in ids) if role is not None})


def _learner_rows(caseload: Caseload, cases: Sequence[Case], summaries: dict[str, LearnerSummary],
                  ids: _Ids, today: date) -> Iterator[dict[str, Cell]]:
    plain = ids.pseudonyms is None
    for case in cases:
        learner = case.learner
        assert learner is not None  # noqa: S101 - only readable learners are exported
        summary = summaries[case.id]
        programme = learner.programme
        reviews = case.reviews
        row: dict[str, Cell] = {"learner": ids.learner(case.id)}
        if plain:
            row |= {
                "name": learner.name,
                "preferred_name": learner.preferred_name,
            }
        # The date of birth is personal (privacy policy: never exported); the age band stays.
        row |= {
            "age_band": age_band(learner.date_of_birth, learner.opened),
            "status": learner.status,
            "opened": learner.opened.isoformat(),
            "closed": learner.closed.isoformat() if learner.closed else None,
            "outcome": learner.outcome,
            "groups": list(learner.groups),
            "languages": list(learner.languages),
        }
        if plain:
            row |= {
                "programme": programme.title if programme else None,
                "provider": programme.provider if programme else None,
            }
        row |= {
            "mode": programme.mode if programme else None,
            "sector": programme.sector if programme else None,
            "key_worker": ids.member(shown_member(learner.team, learner.key_worker, "export")),
            "team_roles": _roles(learner, (m.id for m in learner.team)),
            "consent_given": bool(learner.consent and learner.consent.data_processing
                                  and learner.consent.data_processing.given),
            "goals_total": summary.goals_total,
            "goals_achieved": summary.goals_achieved,
            "goals_at_risk": summary.goals_at_risk,
            "reviews": summary.reviews,
            "last_review": _iso(summary.last_review),
            "next_review": _iso(summary.next_review),
            "attendance": summary.attendance,
            "wellbeing": summary.wellbeing,
            "engagement": next((r.engagement for r in reversed(reviews)
                                if r.engagement is not None), None),
            "risk": summary.risk,
            "red_alerts": summary.red,
            "amber_alerts": summary.amber,
            "alerts": list(summary.alert_rules),
            # The dates the evaluation needs (docs/evaluate.sql).
            "assessed": _iso(case.assessment.date if case.assessment else None),
            "plan_agreed": _iso(case.plan.agreed if case.plan else None),
            "contract_in_force": _iso(case.contract.in_force_on if case.contract else None),
            "first_review_due": _iso(first_review_due(case.plan,
                                                      caseload.settings.review_every_days)),
        }
        # Life after leaving: where the learner went (notes stay in the team).
        last = learner.follow_ups[-1] if learner.follow_ups else None
        row |= {
            "reopened": len(learner.history),
            "follow_ups": len(learner.follow_ups),
            "last_follow_up": last.date.isoformat() if last else None,
            "destination": last.destination if last else None,
        }
        yield row


def _goal_rows(caseload: Caseload, cases: Sequence[Case], summaries: dict[str, LearnerSummary],
               ids: _Ids, today: date) -> Iterator[dict[str, Cell]]:
    plain = ids.pseudonyms is None
    for case in cases:
        learner, plan = case.learner, case.plan
        assert learner is not None  # noqa: S101
        if plan is None:
            continue
        for goal in plan.goals:
            row: dict[str, Cell] = {"learner": ids.learner(case.id), "goal": goal.id,
                                    "area": goal.area}
            owner_role = _role(learner, goal.owner)
            if plain:
                # A well-being goal belongs to the well-being plan: its words stay in the team.
                private = goal.area == "wellbeing" and not allows(Kind.WELLBEING_GOAL,
                                                                  "export")
                row |= {
                    "text": None if private else goal.goal,
                    "measure": None if private else goal.measure,
                    "target": None if private else goal.target,
                    "baseline": None if private else goal.baseline,
                    "owner": shown_member(learner.team, goal.owner, "export"),
                }
            credential = goal.credential
            row |= {
                "owner_role": owner_role,
                "status": goal.status,
                "progress": goal.progress_made,
                "agreed": plan.agreed.isoformat(),
                "due": goal.due.isoformat(),
                "achieved_on": _iso(goal.achieved_on),
                "overdue": goal.is_open and goal.due < today,
                "supports": len(goal.support),
                "credential_type": credential.type if credential else None,
            }
            if plain:
                row["credential"] = credential.name if credential else None
            yield row


def _review_rows(caseload: Caseload, cases: Sequence[Case], summaries: dict[str, LearnerSummary],
                 ids: _Ids, today: date) -> Iterator[dict[str, Cell]]:
    plain = ids.pseudonyms is None
    for case in cases:
        learner = case.learner
        assert learner is not None  # noqa: S101
        due = first_review_due(case.plan, caseload.settings.review_every_days)
        for sequence, review in enumerate(case.reviews, start=1):
            row: dict[str, Cell] = {"learner": ids.learner(case.id),
                                    "date": review.date.isoformat(), "kind": review.kind}
            if plain:
                row["with"] = [m for m in review.with_
                               if shown_member(learner.team, m, "export") is not None]
            row |= {
                "with_roles": _roles(learner, review.with_),
                "attendance": review.attendance,
                "wellbeing": review.wellbeing,
                "engagement": review.engagement,
                "goals_reported": len(review.goals),
                "actions": len(review.actions),
                "actions_open": sum(1 for a in review.actions if not a.done),
                "concerns": len(review.concerns),
                "next_review": review.next_review.isoformat(),
                # When this review was due: the previous review's next_review, or (the
                # first) review_every_days after the plan was agreed.
                "due": _iso(due),
                "sequence": sequence,  # 1 for the learner's first review, in file order
            }
            # Behaviour and course performance: counts and categories; their notes stay.
            incidents, results = review.incidents, review.results
            row |= {
                "incidents": incidents.count if incidents else None,
                "incident_kinds": list(incidents.kinds) if incidents else [],
                "passed": results.passed if results else None,
                "failed": results.failed if results else None,
                "trend": results.trend if results else None,
            }
            if plain:
                row |= {"summary": review.summary, "concern_list": list(review.concerns)}
            due = review.next_review
            yield row


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


_RowMaker = Callable[
    [Caseload, Sequence[Case], dict[str, LearnerSummary], _Ids, date], Iterator[dict[str, Cell]]
]
_ROW_MAKERS: dict[RowKind, _RowMaker] = {
    "learners": _learner_rows,
    "goals": _goal_rows,
    "reviews": _review_rows,
}
# Columns of the plain export whose values are free text written by the team.
FREE_TEXT = frozenset({"name", "preferred_name", "programme", "provider", "text", "measure",
                       "target", "baseline", "credential", "summary", "concern_list"})


def export_caseload(caseload: Caseload, today: date, rows: RowKind = "learners",
                    *, pseudonymise: bool = False) -> Export:
    """Flat rows of one kind over every readable learner of the caseload.

    With ``pseudonymise``, the caseload's key is read (or made on first use); a
    caseload root is needed to keep it.
    """
    notes: list[str] = []
    pseudonyms = None
    if pseudonymise:
        if caseload.root is None:
            raise UserError(
                "a pseudonymised export needs the caseload root, where the pseudonym key is "
                "kept; give the caseload folder rather than single cases or files"
            )
        key, created = load_or_create_key(caseload.root)
        pseudonyms = Pseudonymiser(key)
        key_path = caseload.root / KEY_FILE
        if created:
            notes.append(f"made a new pseudonym key at {key_path}; back it up and never "
                         "commit it: the same key gives the same pseudonyms next time")
        if _git_ignores(caseload.root, key_path) is False:
            notes.append(f"{key_path} is not ignored by git; add '.pathway/' to .gitignore "
                         "so the key is never committed")
    cases = []
    for case in caseload.cases:
        if case.learner is None:
            notes.append(f"{case.id}: learner.yaml could not be read, so the case is left "
                         "out (run 'pathway validate')")
            continue
        unread = [loaded.path.name for loaded in case.files() if loaded.model is None]
        if unread:
            notes.append(f"{case.id}: {', '.join(unread)} could not be read and "
                         f"{'is' if len(unread) == 1 else 'are'} left out")
        cases.append(case)
    summaries = {s.id: s for s in summarise_caseload(caseload, today)}
    made = list(_ROW_MAKERS[rows](caseload, cases, summaries, _Ids(pseudonyms), today))
    columns = tuple(made[0]) if made else ()
    return Export(rows, columns, made, notes)


# --- writing -----------------------------------------------------------------------------


def to_csv(export: Export) -> str:
    """The rows as CSV with a header line; lists joined with ';' (see ``csvtext``)."""
    return csv_text(export.columns, ([row[c] for c in export.columns] for row in export.rows))


def to_jsonl(export: Export) -> str:
    """One JSON object a line."""
    return "".join(escape_json_controls(json.dumps(row, ensure_ascii=False)) + "\n"
                   for row in export.rows)

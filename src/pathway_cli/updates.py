"""Updates to a learner's records: planned, checked with the whole case, then written.

An update never breaks a file. Each operation reads the file's bytes, edits them with
``editing.YamlText`` (only the lines the update is about change; comments, key order,
quoting, blank lines, flow style, CRLF and a BOM stay) and returns the planned
``Change`` objects. ``apply_changes`` then

1. rebuilds each touched case with the new bytes and runs every validation rule on it,
   and refuses the whole update (``UpdateRefused``, exit 1, nothing written) when the
   result has errors (see "Which errors refuse an update" below);
2. writes each file atomically (temporary file in the same folder, fsync, rename; the
   file keeps its permissions), holding the case's update lock (``.pathway/locks/ID.lock``)
   and after checking right before the rename that the file on disk still holds the bytes
   that were read (``ChangedOnDisk`` otherwise: someone else's edit is never
   overwritten); the commands take the lock before reading (``updating_case``), so
   updates of one case run one after the other;
3. optionally commits exactly the update's own lines (a patch applied to HEAD), leaving
   everyone else's uncommitted changes alone.

Public API, for the commands here and for other engines (mentor matching uses it to add
a mentor to a team)::

    from pathway_cli.updates import append_team_member, apply_changes, open_case

    caseload, case = open_case(root, "L-2026-002")    # root None: found from the cwd
    change = append_team_member(case, {"id": "mweber", "name": "Klaus Weber",
                                       "role": "mentor", "independent": True})
    applied = apply_changes([change], caseload, today, dry_run=False,
                            commit_message="L-2026-002: mentor mweber added")
    applied.diff       # unified diff of every change (what --dry-run prints)
    applied.written    # the files written ([] in a dry run)

``apply_changes`` takes changes to any number of cases of one caseload (load the
caseload once, e.g. with ``load_caseload([root])``); all are validated before any file
is written. Each operation below returns an ``Update``: the changes plus a one-line
message saying what changed, which is also the commit message.

- ``update_goal``: status, progress, note of one plan goal; ``achieved`` sets
  ``achieved_on`` (and leaving ``achieved`` removes it).
- ``new_review``: ``reviews/DATE.yaml`` prefilled where the last review left off (open
  goals, actions not done); ``create_review``
  runs the whole flow including an editor session with a safe draft.
- ``sign_contract``: a signature appended to ``contract.yaml``.
- ``set_values``: dotted keys of one record file, values typed by the model.
- ``close_case``: status, ``closed`` and ``outcome`` in ``learner.yaml``.
- ``record_follow_up``: a follow-up (date, destination, note) on a closed case.
- ``reopen_case``: a learner who left comes back; the closing moves to ``history``.
- ``append_team_member``: a member appended to ``learner.yaml``'s ``team:``.

Which errors refuse an update: any error the change would add. Errors the case already
had refuse it too, listed so the user sees why, unless the change fixes at least one of
them (so a case can be repaired step by step with ``pathway set``). Warnings never
refuse an update; new ones are reported.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import os
import re
import subprocess
import tempfile
import typing
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from pathway_cli.actions import agreed_actions
from pathway_cli.caseload import (
    CASE_FILES,
    CASES_DIR,
    REVIEW_NAME_RE,
    REVIEWS_DIR,
    Case,
    Caseload,
    Loaded,
    find_root,
    load_caseload,
    load_record,
    not_started,
    review_sort_key,
)
from pathway_cli.editing import EditError, FieldOrder, YamlText, inline_yaml
from pathway_cli.errors import UserError
from pathway_cli.findings import Finding, KeyPath, sort_findings
from pathway_cli.loader import (
    RecordFileRefused,
    expands_safely,
    load_source,
    parse_text,
    read_record_bytes,
)
from pathway_cli.models import (
    CLOSED_STATUSES,
    ID_PATTERN,
    OPEN_GOAL_STATUSES,
    Contract,
    Learner,
    Plan,
    Record,
    Review,
    TeamMember,
    annotation_at,
    model_at,
    step_annotation,
    unwrap_annotation,
)
from pathway_cli.validation import Context, case_findings
from pathway_cli.writer import (
    atomic_write,
    ensure_inside,
    held_lock,
    remove_stale_temporaries,
)

__all__ = [
    "Applied",
    "Change",
    "ChangedOnDisk",
    "EditorUnavailable",
    "Update",
    "UpdateRefused",
    "append_team_member",
    "apply_changes",
    "apply_update",
    "close_case",
    "create_review",
    "new_review",
    "open_case",
    "record_follow_up",
    "reopen_case",
    "set_values",
    "sign_contract",
    "update_goal",
    "updating_case",
]

Editor = Callable[[Path], None]


# --- values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One file to write: the bytes read (None for a new file) and the bytes to write."""

    path: Path
    old: bytes | None
    new: bytes

    @property
    def is_new(self) -> bool:
        """True when the change makes a new file."""
        return self.old is None

    def diff(self, label: str) -> str:
        """Unified diff of the change, with ``a/label`` and ``b/label`` headers as git has."""
        old = _lines(self.old) if self.old is not None else []
        new = _lines(self.new)
        before = "/dev/null" if self.old is None else f"a/{label}"
        out = []
        for line in difflib.unified_diff(old, new, before, f"b/{label}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


def _lines(raw: bytes) -> list[str]:
    text = raw.decode("utf-8-sig", errors="replace")
    # CR of CRLF files would show as noise in a terminal; the diff is for reading
    return [line.replace("\r\n", "\n") for line in text.splitlines(keepends=True)]


@dataclass(frozen=True)
class Update:
    """A planned update of one case: its changes and a line saying what changed."""

    case_id: str
    changes: tuple[Change, ...]
    message: str

    @property
    def empty(self) -> bool:
        """True when nothing would change."""
        return all(c.old == c.new for c in self.changes)


@dataclass
class Applied:
    """What ``apply_changes`` did (or, in a dry run, would do)."""

    changes: list[Change]
    diff: str
    dry_run: bool
    written: list[Path] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    commit: str | None = None


class UpdateRefused(UserError):
    """The change would leave errors in the case; nothing was written."""

    def __init__(self, message: str, findings: list[Finding], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.findings = findings


class ChangedOnDisk(UserError):
    """The file changed on disk since it was read; it was not overwritten."""


class EditorUnavailable(UserError):
    """The editor could not be started at all (none set, not found, an unreadable setting)."""


# --- finding the case --------------------------------------------------------------------


def open_case(root: Path | None, case_id: str) -> tuple[Caseload, Case]:
    """Load the caseload settings and the one case ``case_id`` (root found from the cwd)."""
    caseload = load_caseload([_case_folder(root, case_id)])
    return caseload, caseload.cases[0]


@contextlib.contextmanager
def updating_case(root: Path | None, case_id: str, *,
                  lock: bool = True) -> Iterator[tuple[Caseload, Case]]:
    """``open_case`` under the case's update lock, held until the block ends.

    Use it around reading, planning and ``apply_changes``: another pathway process that
    updates the same case waits (up to ``LOCK_TIMEOUT`` seconds, then it is refused), so
    every update lands on the version the previous one wrote. ``lock=False`` (a dry run,
    which writes nothing, not even a lock file) only opens the case.
    """
    folder = _case_folder(root, case_id)
    with held_lock(_lock_file(folder), f"case {folder.name}") if lock \
            else contextlib.nullcontext():
        caseload = load_caseload([folder])
        yield caseload, caseload.cases[0]


def _lock_file(folder: Path) -> Path:
    """Where the update lock of a case folder lives: .pathway/locks/ID.lock at the root."""
    if folder.parent.name == CASES_DIR:
        return folder.parent.parent / ".pathway" / "locks" / f"{folder.name}.lock"
    return folder / ".pathway.lock"


def _case_folder(root: Path | None, case_id: str) -> Path:
    if not re.fullmatch(ID_PATTERN, case_id):
        raise UserError(f"'{case_id}' is not a learner id")
    if root is None:
        root = find_root(Path.cwd())
        if root is None:
            raise UserError(
                "no caseload found here or in any parent folder",
                hint="run the command inside the caseload, or give --caseload PATH",
            )
    if root.name == CASES_DIR and not (root / CASES_DIR).is_dir():
        root = root.parent
    folder = root / CASES_DIR / case_id
    if not folder.is_dir():
        known = sorted(p.name for p in (root / CASES_DIR).glob("*") if p.is_dir())
        close = difflib.get_close_matches(case_id, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else None
        raise UserError(f"there is no case {case_id} in {root / CASES_DIR}", hint=hint)
    return folder


# The most pathway.yaml's max_record_bytes allows; the case's own bound is applied when
# the case is loaded (``_refuse_unread``).
_READ_LIMIT = 256 * 1024 * 1024


def _read(path: Path) -> bytes | None:
    try:
        return read_record_bytes(path, _READ_LIMIT)
    except FileNotFoundError:
        return None
    except RecordFileRefused as refused:
        finding = Finding(path, refused.rule, refused.message, line=1, column=1)
        raise UpdateRefused(_refusal_text("refused, nothing written", [finding]),
                            [finding]) from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None


def _refuse_unread(case: Case, path: Path) -> None:
    """Refuse to edit a file the case load did not read (not a plain file, too large)."""
    found = [f for f in case.findings if f.rule in ("file-too-large", "file-not-regular")
             and f.file.absolute() == path.absolute()]
    if found:
        raise UpdateRefused(_refusal_text("refused, nothing written", found), found)


# Loader findings after which a file holds no data an edit could start from.
_UNREADABLE = frozenset({"yaml-alias-bomb", "yaml-syntax", "yaml-too-deep", "yaml-encoding",
                         "yaml-tag", "file-too-large", "file-not-regular"})


def _parsed(path: Path, raw: bytes) -> YamlText:
    """The file to edit; refused with validate's own findings when YAML cannot read it.

    A file that does not parse, or whose aliases never end or expand beyond the bound,
    gets the same ``file:line:col: rule`` lines as ``pathway validate``.
    """
    broken = [f for f in load_source(path, raw).findings if f.rule in _UNREADABLE]
    if broken:
        raise UpdateRefused(
            _refusal_text(f"refused, nothing written: {_shown(path)} cannot be read as a "
                          "record", broken),
            broken,
            hint=f"fix the file by hand first; 'pathway validate {_shown(path)}' shows the same",
        )
    return YamlText(raw, path.name)


def _document(path: Path, what: str, case: Case) -> tuple[YamlText, bytes]:
    _refuse_unread(case, path)
    raw = _read(path)
    if raw is None:
        raise UserError(f"{case.id} has no {what} yet ({path})")
    doc = _parsed(path, raw)
    if not isinstance(doc.data(), dict):
        raise UserError(
            f"{path} is not filled in yet (only comments, or not a 'key: value' record)",
            hint="fill it in by hand first; 'pathway validate' checks it",
        )
    return doc, raw


def _field_names(model: type[BaseModel]) -> list[str]:
    """The model's keys in the format's order, where ``extra:`` comes last."""
    names = [info.alias or name for name, info in model.model_fields.items()]
    return [n for n in names if n != "extra"] + (["extra"] if "extra" in names else [])


def _order_of(model: type[Record]) -> FieldOrder:
    """The model's field order for the mapping at a key path (where a new key goes)."""

    def order(path: KeyPath) -> Sequence[str]:
        found = model_at(model, path)
        return _field_names(found) if found is not None else ()

    return order


def _change(path: Path, old: bytes | None, doc: YamlText) -> Change:
    return Change(path, old, doc.encode())


# --- goal --------------------------------------------------------------------------------


def update_goal(
    case: Case,
    goal_id: str,
    *,
    status: str | None = None,
    progress: int | None = None,
    note: str | None = None,
    on: date | None = None,
    today: date,
) -> Update:
    """Update one goal in plan.yaml; ``achieved`` sets ``achieved_on`` (``on`` or today)
    and ``progress`` 100."""
    if status is None and progress is None and note is None and on is None:
        raise UserError("nothing to change: give --status, --progress, --note or --on")
    path = case.folder / "plan.yaml"
    doc, raw = _document(path, "plan.yaml", case)
    goals = doc.get(("goals",))
    if not isinstance(goals, list):
        raise UserError(f"{path} has no list of goals")
    ids = [g.get("id") for g in goals if isinstance(g, dict)]
    index = next((i for i, g in enumerate(goals) if isinstance(g, dict) and g.get("id") == goal_id),
                 None)
    if index is None:
        close = difflib.get_close_matches(goal_id, [str(i) for i in ids], n=1, cutoff=0.5)
        raise UserError(
            f"plan.yaml of {case.id} has no goal '{goal_id}' (its goals: "
            f"{', '.join(str(i) for i in ids) or 'none'})",
            hint=f"did you mean {close[0]}?" if close else None,
        )
    goal = goals[index]
    order = _order_of(Plan)
    where: KeyPath = ("goals", index)
    said = []
    old_status = goal.get("status")
    new_status = status if status is not None else old_status
    if on is not None and new_status != "achieved":
        raise UserError(
            "--on is the date the goal was achieved; use it with --status achieved",
            hint=f"goal {goal_id} is '{new_status}'",
        )
    if status == "achieved":
        # Achieved is all the way: a plan must never read "achieved, 20% of the way".
        if progress is not None and progress != 100:
            raise UserError(
                f"an achieved goal is 100% of the way, so --progress {progress} contradicts "
                "--status achieved",
                hint="leave out --progress (it becomes 100), or keep the goal in progress",
            )
        progress = 100
    if status is not None and doc.set((*where, "status"), status, order):
        said.append(f"{old_status} -> {status}")
    if progress is not None:
        old = goal.get("progress")
        if doc.set((*where, "progress"), progress, order):
            said.append(f"progress {old} -> {progress}" if old is not None
                        else f"progress {progress}")
    if new_status == "achieved":
        achieved_on = on or (goal.get("achieved_on") if old_status == "achieved" else None) or today
        if doc.set((*where, "achieved_on"), achieved_on, order):
            said.append(f"achieved on {achieved_on.isoformat()}")
    elif "achieved_on" in goal and doc.delete((*where, "achieved_on")):
        said.append("achieved_on removed")
    if note is not None:
        if note.strip():
            if doc.set((*where, "note"), note, order):
                said.append("note updated")
        elif doc.delete((*where, "note")):
            said.append("note removed")
    message = f"{case.id}: goal {goal_id} " + (", ".join(said) if said else "unchanged")
    return Update(case.id, (_change(path, raw, doc),), message)


# --- review ------------------------------------------------------------------------------


def _review_path(case: Case, on: date) -> Path:
    folder = case.folder / REVIEWS_DIR
    base = on.isoformat()
    candidate = folder / f"{base}.yaml"
    suffix = 1
    while candidate.exists():
        suffix += 1
        candidate = folder / f"{base}-{suffix}.yaml"
    return candidate


_REVIEW_KINDS = "mentoring | coaching | progress-review | case-conference | check-in"


def _review_text(case: Case, on: date, kind: str, every: int, schema: str | None) -> str:
    learner = case.learner
    key_worker = learner.key_worker if learner else None
    present = [key_worker] if key_worker else []
    lines = []
    if schema:
        lines.append(f"# yaml-language-server: $schema={schema}")
    def line(text: str, comment: str = "") -> None:
        lines.append(f"{text:<33} # {comment}".rstrip() if comment else text)

    line(f"date: {on.isoformat()}")
    line(f"kind: {inline_yaml(kind)}", _REVIEW_KINDS)
    line(f"with: {inline_yaml(present)}", "team ids present (the learner is implied)")
    line("attendance:", 'rate since the last review: 0.0-1.0 or "87%"')
    line("wellbeing:", "1-5, the learner's own rating")
    line("engagement:", "1-5")
    line("incidents:", "behaviour since the last review: {count: 2, kinds: [lateness]}")
    line("results:", "assessments since the last review: {passed: 1, failed: 0, "
         "trend: steady}")
    plan = case.plan
    if plan is not None:
        reported, since = _reported_goals(case, plan, on)
        open_goals = []
        for goal in plan.goals:
            entry: dict[str, Any] = {"status": goal.status}
            if goal.progress is not None:
                entry["progress"] = goal.progress
            if goal.is_open:  # a goal the plan has closed (achieved, dropped) stays closed
                entry.update(reported.get(goal.id, {}))
            if entry["status"] in OPEN_GOAL_STATUSES:
                open_goals.append((goal.id, entry))
        if open_goals:
            line("goals:", f"open goals as the review on {since} left them; add a note: to each"
                 if since else "progress on the open goals of plan.yaml; add a note: to each")
            for goal_id, entry in open_goals:
                lines.append(f"  {inline_yaml(goal_id, flow=True)}: {inline_yaml(entry)}")
        else:
            line("goals: {}", "no open goals in plan.yaml")
    line("summary:", "shared with the learner; write 'summary: |' and the text below it")
    line("reflection:", "the learner's own words: for the learner and the team only")
    line("private_notes:", "team only: never in learner, guardian or employer reports")
    line("concerns: []")
    carried = [agreed for agreed in agreed_actions(case, until=on) if agreed.open]
    if carried:
        line("actions:", "not done yet, carried over: mark done: true or add new ones")
        for agreed in carried:
            action: dict[str, Any] = {"action": agreed.action.action,
                                      "owner": agreed.action.owner}
            if agreed.action.due is not None:
                action["due"] = agreed.action.due
            action["done"] = False
            lines.append(f"  - {inline_yaml(action)}")
    else:
        line("actions: []", "- {action: ..., owner: TEAM-ID, due: YYYY-MM-DD, done: false}")
    line(f"next_review: {(on + timedelta(days=every)).isoformat()}")
    return "\n".join(lines) + "\n"


def _reported_goals(case: Case, plan: Plan, on: date
                    ) -> tuple[dict[str, dict[str, Any]], date | None]:
    """Goal status and progress as the reviews newer than the plan's last change (and not
    after ``on``) left them, and the date of the latest such review (None: there is none)."""
    changed = plan.revised or plan.agreed
    reported: dict[str, dict[str, Any]] = {}
    since = None
    for review in case.reviews:
        if review.date <= changed or review.date > on:
            continue
        since = review.date
        for goal_id, progress in review.goals.items():
            entry = reported.setdefault(goal_id, {})
            if progress.status is not None:
                entry["status"] = progress.status
            if progress.progress is not None:
                entry["progress"] = progress.progress
    return reported, since


def new_review(caseload: Caseload, case: Case, on: date, kind: str = "progress-review") -> Update:
    """Plan ``reviews/ON.yaml`` (``-2``, ``-3``... when taken) prefilled where the last one
    left off: the open goals with their latest status and progress (from the reviews newer
    than the plan, else the plan) and every action not done, with its owner and due date."""
    if case.learner is None:
        raise UserError(f"{case.id} has no readable learner.yaml; fix it first",
                        hint=f"pathway validate cases/{case.id}")
    path = _review_path(case, on)
    schema = None
    if caseload.root is not None and (caseload.root / "schemas" / "review.schema.json").is_file():
        schema = os.path.relpath(caseload.root / "schemas" / "review.schema.json", path.parent)
    text = _review_text(case, on, kind, caseload.settings.review_every_days, schema)
    message = f"{case.id}: new {kind} on {on.isoformat()} ({REVIEWS_DIR}/{path.name})"
    return Update(case.id, (Change(path, None, text.encode("utf-8")),), message)


def _same_data(edited: bytes, prefilled: bytes) -> bool:
    """True when the edited review holds the same data as the prefilled one (comments and
    layout aside)."""
    try:
        ours, _ = parse_text(prefilled.decode("utf-8"))
        theirs, problems = parse_text(edited.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return False
    return not problems and bool(theirs == ours)


def draft_path(target: Path) -> Path:
    """Where the text of a review being edited is kept (a dot file the loader skips)."""
    return target.with_name(f".{target.stem}.draft.yaml")


def create_review(
    caseload: Caseload,
    case: Case,
    on: date,
    kind: str,
    today: date,
    *,
    edit: Editor | None = None,
    dry_run: bool = False,
    commit: bool = False,
) -> Applied:
    """Write a new review; with ``edit``, let the user edit it first and check what comes back.

    The text being edited lives in a draft next to the review (``.DATE.draft.yaml``).
    If the edited review is refused, the draft stays, the error names it, and running the
    command again reopens it, so the user's text is never lost.
    """
    update = new_review(caseload, case, on, kind)
    if edit is None:
        return apply_update(update, caseload, today, dry_run=dry_run, commit=commit)
    if dry_run:
        raise UserError("--edit and --dry-run do not go together: a dry run writes nothing")
    change = update.changes[0]
    draft = draft_path(change.path)
    ensure_inside(draft, case.folder)
    made = not draft.exists()
    if made:
        atomic_write(draft, change.new)
    try:
        edit(draft)
    except EditorUnavailable:
        if made:  # the user never saw it: nothing of theirs to keep
            draft.unlink(missing_ok=True)
        raise
    except UserError as exc:
        raise UserError(f"{exc.message}; your text is kept in {draft}",
                        hint="run the same command again to continue editing it") from None
    text = draft.read_bytes()
    if not text.strip():
        draft.unlink()
        raise UserError("the review is empty, so nothing was written")
    if _same_data(text, change.new):
        # Saved as it was prefilled: nothing happened at this review that the file says,
        # so it must not count as a review held.
        raise UserError(
            "nothing recorded: the review is still as it was prefilled, so it was not saved "
            f"and does not count as a review held; your draft is kept in {_shown(draft)}",
            hint="fill in what happened (attendance, well-being, a summary, the goals) and run "
            "the same command again; delete the draft to drop the review",
        )
    edited = dataclasses.replace(update, changes=(dataclasses.replace(change, new=text),))
    try:
        applied = apply_update(edited, caseload, today, commit=commit)
    except UpdateRefused as exc:
        findings = [dataclasses.replace(f, file=draft) if f.file == change.path else f
                    for f in exc.findings]
        raise UpdateRefused(
            _refusal_text("the review was not saved", findings, exc.message.split("\n")[0])
            + f"\nyour text is kept in {_shown(draft)}",
            findings,
            hint="run the same command again to reopen and fix it",
        ) from None
    draft.unlink(missing_ok=True)
    return applied


# --- contract ----------------------------------------------------------------------------


def sign_contract(case: Case, party: str, name: str, on: date) -> Update:
    """Append a signature ``{party, name, date}`` to contract.yaml."""
    if not name.strip():
        raise UserError("the name of the person signing is empty")
    path = case.folder / "contract.yaml"
    doc, raw = _document(path, "contract.yaml", case)
    signatures = doc.get(("signatures",)) or []
    for signature in signatures if isinstance(signatures, list) else []:
        if isinstance(signature, dict) and (signature.get("party"), signature.get("name")) == (
            party, name
        ):
            raise UserError(
                f"{name} already signed the contract of {case.id} as {party} "
                f"on {signature.get('date')}"
            )
    signature = {"party": party, "name": name, "date": on}
    doc.append(("signatures",), signature, _order_of(Contract))
    message = f"{case.id}: contract signed by {party} {name} on {on.isoformat()}"
    return Update(case.id, (_change(path, raw, doc),), message)


# --- learner -----------------------------------------------------------------------------


def close_case(case: Case, outcome: str, on: date, status: str | None = None) -> Update:
    """Close the case: status (completed for outcome completed, else left), closed, outcome."""
    path = case.folder / "learner.yaml"
    doc, raw = _document(path, "learner.yaml", case)
    current = doc.get(("status",))
    if current in CLOSED_STATUSES:
        raise UserError(
            f"{case.id} is already closed ({current}, closed {doc.get(('closed',))}, "
            f"outcome {doc.get(('outcome',))})",
            hint="change it with 'pathway set ID learner KEY=VALUE' if it is wrong",
        )
    status = status or ("completed" if outcome == "completed" else "left")
    order = _order_of(Learner)
    doc.set(("status",), status, order)
    doc.set(("closed",), on, order)
    doc.set(("outcome",), outcome, order)
    message = f"{case.id}: case closed on {on.isoformat()} ({status}, outcome {outcome})"
    return Update(case.id, (_change(path, raw, doc),), message)


def record_follow_up(case: Case, destination: str, on: date, note: str | None = None) -> Update:
    """Append a follow-up ``{date, destination, note}`` to ``follow_ups`` in learner.yaml.

    Follow-ups are for closed cases (where is the learner now?); validation refuses one
    dated before the case closed.
    """
    path = case.folder / "learner.yaml"
    doc, raw = _document(path, "learner.yaml", case)
    status = doc.get(("status",))
    if status not in CLOSED_STATUSES:
        raise UserError(
            f"{case.id} is {status}, not closed: a follow-up records where a learner is "
            "after the case closed",
            hint=f"close it first with 'pathway close {case.id} --outcome ...'",
        )
    follow_ups = doc.get(("follow_ups",)) or []
    for item in follow_ups if isinstance(follow_ups, list) else []:
        if isinstance(item, dict) and str(item.get("date")) == on.isoformat() and (
            item.get("destination") == destination
        ):
            raise UserError(f"{case.id} already has a follow-up on {on.isoformat()} "
                            f"({destination})")
    entry: dict[str, Any] = {"date": on, "destination": destination}
    if note is not None and note.strip():
        entry["note"] = note
    doc.append(("follow_ups",), entry, _order_of(Learner))
    message = f"{case.id}: follow-up on {on.isoformat()}: {destination}"
    return Update(case.id, (_change(path, raw, doc),), message)


def reopen_case(case: Case, on: date) -> Update:
    """A learner who left comes back: the case stays one case with its history.

    The current ``closed`` and ``outcome`` move into ``history`` (with ``reopened``), and
    the status becomes active again; ``opened``, the follow-ups and every record stay.
    """
    path = case.folder / "learner.yaml"
    doc, raw = _document(path, "learner.yaml", case)
    status, closed, outcome = (doc.get((key,)) for key in ("status", "closed", "outcome"))
    if status not in CLOSED_STATUSES or closed is None or outcome is None:
        raise UserError(f"{case.id} is {status}, not closed (with a closed date and an "
                        "outcome), so there is nothing to reopen")
    order = _order_of(Learner)
    doc.append(("history",), {"closed": closed, "outcome": outcome, "reopened": on}, order)
    doc.set(("status",), "active", order)
    doc.delete(("closed",))
    doc.delete(("outcome",))
    message = f"{case.id}: case reopened on {on.isoformat()} (closed {closed}, {outcome})"
    return Update(case.id, (_change(path, raw, doc),), message)


def append_team_member(case: Case, member: Mapping[str, Any]) -> Change:
    """Append ``member`` (the fields of a TeamMember) to the team in learner.yaml.

    Keys are written in the model's order; None values are left out. Refuses an id that
    is already in the team. The change still has to go through ``apply_changes``.
    """
    member_id = member.get("id")
    if not isinstance(member_id, str) or not re.fullmatch(ID_PATTERN, member_id):
        raise UserError(f"'{member_id}' is not a valid team id")
    path = case.folder / "learner.yaml"
    doc, raw = _document(path, "learner.yaml", case)
    team = doc.get(("team",)) or []
    if any(isinstance(m, dict) and m.get("id") == member_id for m in team):
        raise UserError(f"{member_id} is already in the team of {case.id}")
    names = _field_names(TeamMember)
    known = [k for k in names if member.get(k) is not None]
    extra = [k for k in member if k not in names and member[k] is not None]
    entry = {k: member[k] for k in [*known, *extra]}
    doc.append(("team",), entry, _order_of(Learner))
    return _change(path, raw, doc)


# --- set ---------------------------------------------------------------------------------


_FILE_WORDS = {name.removesuffix(".yaml"): name for name in CASE_FILES}


def _record_file(case: Case, spec: str) -> tuple[Path, type[Record]]:
    """The file named by ``learner``, ``plan.yaml``, ``review:2026-10-26``, ``review``..."""
    word = spec.strip()
    if word in _FILE_WORDS or word in CASE_FILES:
        name = _FILE_WORDS.get(word, word)
        return case.folder / name, CASE_FILES[name]
    reviews = case.folder / REVIEWS_DIR
    if word in ("review", "review:latest"):
        if not case.review_files:
            raise UserError(f"{case.id} has no reviews yet")
        return case.review_files[-1].path, Review
    review: str | None = None
    if word.startswith("review:"):
        review = word.removeprefix("review:")
        review = review if review.endswith(".yaml") else review + ".yaml"
    elif word.startswith(f"{REVIEWS_DIR}/"):
        review = word.removeprefix(f"{REVIEWS_DIR}/")
    if review is not None and REVIEW_NAME_RE.fullmatch(review):
        name = review
        path = reviews / name
        if not path.is_file():
            have = ", ".join(p.name.removesuffix(".yaml") for p in sorted(reviews.glob("*.yaml")))
            raise UserError(f"{case.id} has no review {name} (its reviews: {have or 'none'})")
        return path, Review
    raise UserError(
        f"'{spec}' is not a record file: use learner, assessment, plan, contract, "
        "review:YYYY-MM-DD or review (the latest)"
    )


_BOOLS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


def _yaml_value(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def _typed_leaf(text: str, annotation: Any) -> Any:
    if annotation is None or annotation is Any:
        return _yaml_value(text)
    candidates = [c for c in unwrap_annotation(annotation) if c is not type(None)]
    plain = text.strip()
    for candidate in candidates:
        if candidate is date:
            try:
                return date.fromisoformat(plain)
            except ValueError:
                continue
        if candidate is bool and plain.lower() in _BOOLS:
            return _BOOLS[plain.lower()]
        if candidate is int and _INT_RE.fullmatch(plain):
            return int(plain)
        if candidate is float and _FLOAT_RE.fullmatch(plain):
            return float(plain)
    if any(c is str or typing.get_origin(c) is typing.Literal for c in candidates):
        return text
    return _yaml_value(text)  # the model will say what is wrong with it


def _typed_tree(value: Any, annotation: Any) -> Any:
    if isinstance(value, list):
        return [_typed_tree(item, step_annotation(annotation, 0)) for item in value]
    if isinstance(value, dict):
        return {
            key: _typed_tree(item, step_annotation(annotation, key)) for key, item in value.items()
        }
    return _typed_leaf(value, annotation)


def typed_value(text: str, annotation: Any) -> Any:
    """The value of ``KEY=text`` as the model types the key (dates, numbers, lists...)."""
    candidates = unwrap_annotation(annotation) if annotation not in (None, Any) else []
    structured = any(
        typing.get_origin(c) in (list, dict)
        or (isinstance(c, type) and issubclass(c, BaseModel))
        for c in candidates
    )
    if annotation in (None, Any) or not structured:
        return _typed_leaf(text, annotation)
    try:
        # strings only, so that each value is typed by the model, not by YAML's guesses
        raw = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - the base loader is safe
    except yaml.YAMLError:
        raise UserError(f"'{text}' is not a value pathway can read: write a list as [a, b] "
                        "and a block as {key: value}") from None
    return _typed_tree(raw, annotation)


def _resolve(data: Any, dotted: str, file: str) -> KeyPath:
    """``goals.G2.due`` -> ``("goals", 1, "due")``: list items by their id (or index)."""
    parts = dotted.split(".")
    if not all(parts):
        raise UserError(f"'{dotted}' is not a key: write dotted keys such as programme.mode")
    path: list[str | int] = []
    current = data
    for part in parts:
        if isinstance(current, list):
            ids = [item.get("id") for item in current if isinstance(item, dict)]
            if part in ids:
                index = ids.index(part)
            elif part.isdigit() and int(part) < len(current):
                index = int(part)
            else:
                shown = ", ".join(str(i) for i in ids if i is not None) or "none with an id"
                where = ".".join(str(p) for p in path)
                raise UserError(f"{file}: '{where}' has no item '{part}' (its ids: {shown})")
            path.append(index)
            current = current[index]
        elif isinstance(current, dict) or current is None:
            path.append(part)
            current = current.get(part) if isinstance(current, dict) else None
        else:
            where = ".".join(str(p) for p in path)
            raise UserError(f"{file}: '{where}' is a single value, so '{dotted}' cannot be set")
    return tuple(path)


def parse_assignment(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` split at the first '='."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UserError(f"'{text}' is not KEY=VALUE (for example programme.mode=dual)")
    return key.strip(), value


def set_values(case: Case, file: str, assignments: Sequence[str]) -> Update:
    """Set dotted keys of one record file; an empty value removes the key."""
    if not assignments:
        raise UserError("nothing to set: give KEY=VALUE pairs")
    path, model = _record_file(case, file)
    _refuse_unread(case, path)
    raw = _read(path)
    doc = _parsed(path, raw) if raw is not None else YamlText(b"", path.name)
    order = _order_of(model)
    said = []
    for assignment in assignments:
        dotted, text = parse_assignment(assignment)
        key_path = _resolve(doc.data(), dotted, path.name)
        if text == "":
            if doc.delete(key_path):
                said.append(f"{dotted} removed")
            continue
        value = typed_value(text, annotation_at(model, key_path))
        if not expands_safely(value):
            raise UserError(f"'{dotted}={text}': a value that refers to itself (an alias "
                            "inside its own anchor) cannot be written")
        try:
            changed = doc.set(key_path, value, order)
        except EditError:
            raise
        if changed:
            said.append(f"{dotted} = {inline_yaml(value)}")
    rel = path.relative_to(case.folder).as_posix()
    message = f"{case.id}: {rel}: " + ("; ".join(said) if said else "unchanged")
    return Update(case.id, (Change(path, raw, doc.encode()),), message)


# --- applying ----------------------------------------------------------------------------


def _case_of(change: Change, caseload: Caseload) -> Case:
    target = change.path.resolve()
    for case in caseload.cases:
        if case.folder.resolve() in target.parents:
            return case
    raise UserError(f"{change.path} is not in a case of this caseload")


def _with_changes(case: Case, changes: Sequence[Change]) -> Case:
    """A copy of ``case`` whose changed files are read from the new bytes."""
    new = dataclasses.replace(case, review_files=list(case.review_files))
    for change in changes:
        rel = change.path.resolve().relative_to(case.folder.resolve())
        if rel.parts[0] == REVIEWS_DIR and len(rel.parts) == 2:
            loaded: Loaded[Any] = load_record(change.path, Review, raw=change.new)
            kept = [r for r in new.review_files if r.path.resolve() != change.path.resolve()]
            if not not_started(loaded):
                kept.append(loaded)
            new.review_files = sorted(kept, key=review_sort_key)
        elif len(rel.parts) == 1 and rel.name in CASE_FILES:
            loaded = load_record(change.path, CASE_FILES[rel.name], raw=change.new)
            attr = rel.name.removesuffix(".yaml") + "_file"
            setattr(new, attr, None if not_started(loaded) else loaded)
        else:
            raise UserError(f"{change.path} is not a record file of case {case.id}")
    return new


def _key(finding: Finding) -> tuple[str, str, Any, str]:
    return (str(finding.file.resolve()), finding.rule, finding.key_path, finding.message)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _place(findings: list[Finding], case: Case) -> list[Finding]:
    sources = {loaded.path.resolve(): loaded.source for loaded in case.files()}
    placed = []
    for finding in findings:
        source = sources.get(finding.file.resolve())
        placed.append(source.place(finding) if source is not None else finding)
    return sort_findings(placed)


def _finding_line(finding: Finding) -> str:
    where = f"{_shown(finding.file)}:{finding.line or 1}:{finding.column or 1}"
    return f"{where}: {finding.rule}: {finding.message}"


def _refusal_text(headline: str, findings: list[Finding], detail: str = "") -> str:
    body = "\n".join("  " + _finding_line(f) for f in findings)
    return f"{headline}{': ' + detail if detail else ''}\n{body}" if body else headline


@dataclass
class _Checked:
    warnings: list[Finding]
    resolved: list[Finding]
    remaining: list[Finding]


def _check(case: Case, changes: Sequence[Change], ctx: Context) -> _Checked:
    """Validate the case with the changes; raise UpdateRefused when it must not be written."""
    before = case_findings(case, ctx)
    changed = _with_changes(case, changes)
    after = case_findings(changed, ctx)
    before_keys = Counter(_key(f) for f in before)
    after_keys = Counter(_key(f) for f in after)
    added = [f for f in after if (after_keys - before_keys)[_key(f)] > 0]
    new_errors = [f for f in added if f.is_error]
    errors_before = [f for f in before if f.is_error]
    errors_after = [f for f in after if f.is_error]
    if new_errors:
        placed = _place(new_errors, changed)
        count = len(placed)
        raise UpdateRefused(
            _refusal_text(f"refused, nothing written: the change would add {count} "
                          f"error{'s' if count != 1 else ''} to {case.id}", placed),
            placed,
        )
    if errors_after and len(errors_after) >= len(errors_before):
        placed = _place(errors_after, changed)
        count = len(placed)
        raise UpdateRefused(
            _refusal_text(f"refused, nothing written: {case.id} already has {count} "
                          f"error{'s' if count != 1 else ''}; fix {'them' if count != 1 else 'it'} "
                          "first", placed),
            placed,
            hint="an update that fixes one of them is accepted, e.g. pathway set ID FILE "
            "KEY=VALUE",
        )
    resolved = [f for f in before if (before_keys - after_keys)[_key(f)] > 0]
    return _Checked(
        warnings=_place([f for f in added if not f.is_error], changed),
        resolved=_place(resolved, case),
        remaining=_place(errors_after, changed),
    )


def _label(path: Path, caseload: Caseload) -> str:
    base = caseload.root or path.parent
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


def _still(change: Change) -> Callable[[], None]:
    def check() -> None:
        current = _read(change.path)
        if current != change.old:
            what = ("was created by someone else meanwhile" if change.old is None
                    else "was removed" if current is None else "changed on disk since it was read")
            raise ChangedOnDisk(
                f"{change.path} {what}; it was not overwritten",
                hint="run the command again to update the current version",
            )

    return check


def apply_changes(
    changes: Sequence[Change],
    caseload: Caseload,
    today: date,
    *,
    dry_run: bool = False,
    commit_message: str | None = None,
) -> Applied:
    """Validate every touched case with its changes, then write them and maybe commit.

    Raises ``UpdateRefused`` (nothing written) when a case would have errors, and
    ``ChangedOnDisk`` when a file changed since it was read. ``commit_message``: stage the
    written files and commit them with this message (the caseload must be in a git work
    tree; checked before anything is written).
    """
    real = [c for c in changes if c.old != c.new]
    ctx = Context(caseload.settings, caseload.mentors, today)
    by_case: dict[str, tuple[Case, list[Change]]] = {}
    for change in real:
        case = _case_of(change, caseload)
        ensure_inside(change.path, case.folder)
        by_case.setdefault(case.id, (case, []))[1].append(change)
    applied = Applied(
        changes=real,
        diff="".join(c.diff(_label(c.path, caseload)) for c in real),
        dry_run=dry_run,
    )
    for case, case_changes in by_case.values():
        checked = _check(case, case_changes, ctx)
        applied.warnings += checked.warnings
        applied.resolved += checked.resolved
        applied.remaining += checked.remaining
    if dry_run or not real:
        return applied
    with contextlib.ExitStack() as locks:
        for case, _ in by_case.values():
            locks.enter_context(held_lock(_lock_file(case.folder), f"case {case.id}"))
            _remove_stale(case)
        _write(real, caseload, applied, commit_message)
    return applied


def _remove_stale(case: Case) -> None:
    """Temporary files of record writes killed before their rename (the lock is held)."""
    remove_stale_temporaries(case.folder, lambda name: name in CASE_FILES)
    remove_stale_temporaries(case.folder / REVIEWS_DIR,
                             lambda name: REVIEW_NAME_RE.fullmatch(name) is not None)


def _write(real: list[Change], caseload: Caseload, applied: Applied,
           commit_message: str | None) -> None:
    git_root = _git_root(caseload, real[0].path) if commit_message is not None else None
    for change in real:
        _still(change)()  # fail before writing anything when one file already changed
    patch = _git_patch(git_root, real) if git_root is not None else None
    for change in real:
        try:
            atomic_write(change.path, change.new, precondition=_still(change))
        except OSError as exc:
            written = ", ".join(str(p) for p in applied.written)
            raise UserError(
                f"could not write {change.path}: {exc.strerror or exc}; the file is unchanged"
                + (f" (already written: {written})" if written else "")
            ) from None
        applied.written.append(change.path)
    if git_root is not None and commit_message is not None and patch is not None:
        applied.commit = _git_commit(git_root, patch, commit_message)


def apply_update(
    update: Update, caseload: Caseload, today: date, *, dry_run: bool = False,
    commit: bool = False,
) -> Applied:
    """``apply_changes`` for one planned update, committing with its message if asked."""
    return apply_changes(update.changes, caseload, today, dry_run=dry_run,
                         commit_message=update.message if commit else None)


# --- git ---------------------------------------------------------------------------------


def _git(cwd: Path, *args: str, env: Mapping[str, str] | None = None,
         stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False,
                                input=stdin, env={**os.environ, **env} if env else None)
    except FileNotFoundError:
        raise UserError("--commit needs git, which is not installed here") from None
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode("utf-8", "replace"),
        result.stderr.decode("utf-8", "replace"))


def _git_root(caseload: Caseload, path: Path) -> Path:
    folder = caseload.root or path.parent
    result = _git(folder, "rev-parse", "--show-toplevel")
    if result.returncode != 0:
        raise UserError(
            f"--commit: {folder} is not in a git repository, so nothing was written",
            hint="leave out --commit, or run 'git init' in the caseload first",
        )
    return Path(result.stdout.strip())


def _byte_lines(raw: bytes) -> list[bytes]:
    """Lines as git counts them: split at LF only (a CR stays part of its line)."""
    lines = [line + b"\n" for line in raw.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _patch_of(change: Change, name: str) -> bytes:
    """The change as a git patch with paths relative to the work tree."""
    old = _byte_lines(change.old) if change.old is not None else []
    before = b"/dev/null" if change.old is None else f"a/{name}".encode()
    header = f"diff --git a/{name} b/{name}\n".encode()
    if change.old is None:
        header += b"new file mode 100644\n"
    body = b""
    for line in difflib.diff_bytes(difflib.unified_diff, old, _byte_lines(change.new),
                                   before, f"b/{name}".encode(), lineterm=b"\n"):
        if line.startswith((b"---", b"+++")) and not body.count(b"@@"):
            body += line if line.endswith(b"\n") else line + b"\n"
            continue
        body += line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n"
    return header + body


@contextlib.contextmanager
def _head_index(root: Path) -> Iterator[dict[str, str]]:
    """A scratch git index holding HEAD's tree: the base of a commit of one update only."""
    with tempfile.TemporaryDirectory(prefix="pathway-index-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        has_head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD").returncode == 0
        _git(root, "read-tree", *(["HEAD"] if has_head else ["--empty"]), env=env)
        yield env


def _git_patch(root: Path, changes: Sequence[Change]) -> bytes:
    """The patch of exactly these changes; refused when it does not apply to HEAD.

    Committing the whole files would take a colleague's uncommitted lines in the same
    file along; a patch of the update's own lines, applied to HEAD, takes only those.
    """
    base = root.resolve()
    patch = b""
    for change in changes:
        try:
            name = change.path.resolve().relative_to(base).as_posix()
        except ValueError:
            raise UserError(f"--commit: {change.path} is outside the git work tree {root}; "
                            "nothing was written") from None
        patch += _patch_of(change, name)
    with _head_index(root) as env:
        check = _git(root, "apply", "--cached", "--check", "-", env=env, stdin=patch)
    if check.returncode != 0:
        names = ", ".join(_shown(c.path) for c in changes)
        raise UserError(
            f"--commit: {names} has uncommitted changes next to or under the lines this "
            "update changes (or is not committed yet), so the update cannot be committed on "
            "its own; nothing was written",
            hint="commit or stash those changes first, or leave out --commit",
        )
    return patch


def _git_commit(root: Path, patch: bytes, message: str) -> str:
    """Commit the patch on top of HEAD, leaving every other change (staged or not) alone."""
    with _head_index(root) as env:
        done = _git(root, "apply", "--cached", "-", env=env, stdin=patch)
        if done.returncode == 0:
            done = _git(root, "commit", "--quiet", "-m", message, env=env)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise UserError(
            "the files are written but git could not commit them: "
            + (reason[-1] if reason else "unknown reason"),
            hint="commit them by hand (git config user.name / user.email may be missing)",
        )
    # The real index gets the same lines, so git status does not show them as undone.
    if _git(root, "apply", "--cached", "-", stdin=patch).returncode != 0:
        names = re.findall(rb"^diff --git a/(.*) b/", patch, flags=re.MULTILINE)
        _git(root, "reset", "--quiet", "--", *(n.decode() for n in names))
    return _git(root, "rev-parse", "--short", "HEAD").stdout.strip()

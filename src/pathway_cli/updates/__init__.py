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

The modules (imports run one way: the operations use ``documents`` and ``changes``;
``applying`` validates and writes; ``reviews.create_review`` applies its own review):

- ``changes``: ``Change``, ``Update``, ``Applied`` and the refusals;
- ``cases``: finding the case, and its update lock;
- ``documents``: reading a record file to edit (``YamlText``) and the model's key order;
- ``goals``, ``reviews``, ``contract``, ``learner``, ``assignments``: the operations, by
  record file (``assignments`` is ``pathway set``);
- ``applying``: ``apply_changes``: validate, lock, write atomically, maybe commit;
- ``git``: the commit of exactly the update's own lines.

This package re-exports the public API listed in ``__all__``.
"""

from pathway_cli.updates.applying import apply_changes, apply_update
from pathway_cli.updates.assignments import set_values
from pathway_cli.updates.cases import open_case, updating_case
from pathway_cli.updates.changes import (
    Applied,
    Change,
    ChangedOnDisk,
    EditorUnavailable,
    Update,
    UpdateRefused,
)
from pathway_cli.updates.contract import sign_contract
from pathway_cli.updates.goals import update_goal
from pathway_cli.updates.learner import (
    append_team_member,
    close_case,
    record_follow_up,
    reopen_case,
)
from pathway_cli.updates.reviews import create_review, new_review

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

"""The update API other commands build on: add a team member, apply changes to many cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pathway_cli.caseload import load_caseload
from pathway_cli.errors import UserError
from pathway_cli.updates import (
    UpdateRefused,
    append_team_member,
    apply_changes,
    update_goal,
)
from tests.update_helpers import changed_lines, snapshot

TODAY = date(2026, 11, 23)
MENTOR = {"id": "kweber", "name": "Klaus Weber", "role": "mentor",
          "organisation": "Senior Experts Rheinstadt e.V.", "independent": True,
          "trained": date(2026, 6, 15), "contact": None}


def test_append_team_member_adds_a_block_item(sample: Path) -> None:
    """A new team member is appended after the last one, keys in the model's order."""
    caseload = load_caseload([sample])
    case = caseload.case("L-2026-008")
    assert case is not None
    learner = case.folder / "learner.yaml"
    before = learner.read_bytes()
    change = append_team_member(case, {**MENTOR, "name": "Klaus Weber", "id": "kweber"})
    applied = apply_changes([change], caseload, TODAY, commit_message=None)
    assert applied.written == [learner]
    assert changed_lines(before, learner.read_bytes()) == [
        "+  - id: kweber",
        "+    name: Klaus Weber",
        "+    role: mentor",
        "+    organisation: Senior Experts Rheinstadt e.V.",
        "+    independent: true",
        "+    trained: 2026-06-15",
    ]


def test_append_team_member_refuses_a_known_id(sample: Path) -> None:
    """A member whose id is already in the team is refused."""
    case = load_caseload([sample]).case("L-2026-002")
    assert case is not None
    with pytest.raises(UserError, match="already in the team"):
        append_team_member(case, {"id": "hbrandt", "name": "Heinz Brandt", "role": "mentor"})


def test_changes_to_many_cases_are_all_checked_before_any_is_written(sample: Path) -> None:
    """When one case of a batch would become invalid, no case is written."""
    caseload = load_caseload([sample])
    good = caseload.case("L-2026-008")
    bad = caseload.case("L-2026-001")
    assert good is not None and bad is not None
    changes = [
        append_team_member(good, MENTOR),
        append_team_member(bad, {"id": "x1", "name": "X", "role": "wizard"}),
    ]
    before = snapshot(sample)
    with pytest.raises(UpdateRefused) as refused:
        apply_changes(changes, caseload, TODAY)
    assert [f.rule for f in refused.value.findings] == ["invalid-choice"]
    assert snapshot(sample) == before


def test_dry_run_returns_the_diff_of_every_case(sample: Path) -> None:
    """A dry run validates and returns one diff for all changes, writing nothing."""
    caseload = load_caseload([sample])
    cases = [caseload.case(i) for i in ("L-2026-008", "L-2026-003")]
    changes = [append_team_member(c, MENTOR) for c in cases if c is not None]
    before = snapshot(sample)
    applied = apply_changes(changes, caseload, TODAY, dry_run=True)
    assert applied.written == []
    assert applied.diff.count("+++ b/cases/") == 2
    assert "+++ b/cases/L-2026-003/learner.yaml" in applied.diff
    assert snapshot(sample) == before


def test_planned_update_says_what_changes(sample: Path) -> None:
    """An Update carries one line saying what changed, used as the commit message."""
    case = load_caseload([sample]).case("L-2026-001")
    assert case is not None
    update = update_goal(case, "G2", status="achieved", progress=100, today=TODAY)
    assert update.message == (
        "L-2026-001: goal G2 in-progress -> achieved, progress 70 -> 100, achieved on 2026-11-23"
    )
    assert not update.empty

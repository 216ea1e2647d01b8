"""A review continues the last one (issue 9, section 2): goals and open actions carry over,
actions count once, and a review saved as prefilled is not a review held."""

from __future__ import annotations

import json
import shlex
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import TODAY, app
from tests.update_helpers import run

CASE = Path("cases/L-2026-002")
LATEST = CASE / "reviews/2026-10-26.yaml"


def _prefilled(runner: CliRunner, sample: Path, *args: str) -> dict[str, Any]:
    result = run(runner, sample, "review", "new", "L-2026-002", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = yaml.safe_load(
        (sample / CASE / "reviews/2026-11-23.yaml").read_text(encoding="utf-8"))
    return data


def _edit_latest(sample: Path, old: str, new: str) -> None:
    path = sample / LATEST
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_goals_start_from_the_latest_review(runner: CliRunner, sample: Path) -> None:
    """Status and progress come from the latest review when it is newer than the plan."""
    _edit_latest(sample, "G2: {status: at-risk, progress: 40,", "G2: {status: in-progress, "
                 "progress: 65,")
    _edit_latest(sample, "G3: {status: in-progress, progress: 20,",
                 "G3: {status: achieved, progress: 100,")
    data = _prefilled(runner, sample)
    assert data["goals"] == {
        "G1": {"status": "at-risk", "progress": 30},
        "G2": {"status": "in-progress", "progress": 65},
    }


def test_goal_closed_in_the_plan_stays_closed(runner: CliRunner, sample: Path) -> None:
    """A goal achieved in the plan after the latest review is not prefilled again."""
    assert run(runner, sample, "goal", "L-2026-002", "G3", "--status", "achieved").exit_code == 0
    assert list(_prefilled(runner, sample)["goals"]) == ["G1", "G2"]


def test_goals_come_from_the_plan_when_it_is_newer(runner: CliRunner, sample: Path) -> None:
    """A plan revised after the latest review is where the new review starts."""
    _edit_latest(sample, "G2: {status: at-risk, progress: 40,", "G2: {status: in-progress, "
                 "progress: 65,")
    plan = sample / CASE / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "revised: 2026-10-12", "revised: 2026-11-10"), encoding="utf-8")
    data = _prefilled(runner, sample)
    assert data["goals"]["G2"] == {"status": "at-risk", "progress": 40}


def test_open_actions_carry_over_with_owner_and_due(runner: CliRunner, sample: Path) -> None:
    """Every action not done is in the new review with its owner and due date; done ones not."""
    data = _prefilled(runner, sample)
    assert data["actions"] == [
        {"action": "hold mediated talk with foreman and journeyman", "owner": "uroth",
         "due": date(2026, 11, 6), "done": False},
        {"action": "call Mrs Zielińska about mornings and the night job", "owner": "mbauer",
         "due": date(2026, 10, 30), "done": False},
    ]


def _overdue(runner: CliRunner, sample: Path) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["alerts", str(sample / CASE), "--format", "json",
                                 "--today", TODAY])
    return [a for a in json.loads(result.stdout)["alerts"] if a["rule"] == "action-overdue"]


def _carried_by_hand(sample: Path) -> None:
    """A review on 2026-11-10 that repeats both open actions (one with other spacing)."""
    (sample / CASE / "reviews/2026-11-10.yaml").write_text(
        "date: 2026-11-10\nkind: check-in\nwith: [mbauer]\nactions:\n"
        "  - {action: hold mediated talk with foreman and journeyman, owner: uroth, "
        "due: 2026-11-06, done: false}\n"
        "  - {action: 'Call Mrs Zielińska about  mornings and the night job', owner: mbauer, "
        "due: 2026-10-30, done: false}\n"
        "next_review: 2026-11-24\n", encoding="utf-8")


def test_alerts_count_a_carried_action_once(runner: CliRunner, sample: Path) -> None:
    """A carried-over action is one alert, agreed on the date of its first mention."""
    before = _overdue(runner, sample)
    _carried_by_hand(sample)
    _prefilled(runner, sample)
    after = _overdue(runner, sample)
    assert len(after) == len(before) == 2
    assert all("agreed on 2026-10-26" in a["message"] for a in after), after


def test_action_marked_done_in_the_new_review_is_no_longer_open(
    runner: CliRunner, sample: Path
) -> None:
    """Marking a carried action done in the new review clears its alert."""
    _prefilled(runner, sample)
    new = sample / CASE / "reviews/2026-11-23.yaml"
    text = new.read_text(encoding="utf-8")
    new.write_text(text.replace("owner: mbauer, due: 2026-10-30, done: false",
                                "owner: mbauer, due: 2026-10-30, done: true"), encoding="utf-8")
    left = _overdue(runner, sample)
    assert len(left) == 1
    assert left[0]["message"].startswith("'hold mediated talk with foreman")


def test_reports_list_a_carried_action_once(runner: CliRunner, sample: Path) -> None:
    """The progress and case reports list a carried-over action once."""
    _carried_by_hand(sample)
    for template in ("progress", "case"):
        result = runner.invoke(app, ["render", str(sample / CASE), "--template", template,
                                     "--audience", "team", "--today", TODAY])
        assert result.exit_code == 0, result.output
        assert result.stdout.count("hold mediated talk with foreman and journeyman") == 1
        assert result.stdout.count("about mornings and the night job") == 1


def _editor_true(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} -c pass")


def test_review_saved_as_prefilled_is_not_a_review_held(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EDITOR=true on review new --edit: refused as nothing recorded; the draft is kept."""
    _editor_true(monkeypatch)
    before = _overdue(runner, sample)
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 1
    assert "nothing recorded" in result.stderr
    reviews = sample / CASE / "reviews"
    assert not (reviews / "2026-11-23.yaml").exists()
    assert (reviews / ".2026-11-23.draft.yaml").exists()
    late = runner.invoke(app, ["alerts", str(sample / CASE), "--format", "json",
                               "--today", TODAY])
    assert "review-overdue" in late.stdout
    assert _overdue(runner, sample) == before


def test_layout_changes_alone_record_nothing(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting the comments of the prefilled review still records nothing."""
    script = tmp_path / "strip.py"
    script.write_text(
        "import sys, re\nfrom pathlib import Path\np = Path(sys.argv[1])\n"
        "p.write_text(re.sub(r' +#.*', '', p.read_text(encoding='utf-8')), encoding='utf-8')\n",
        encoding="utf-8")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 1
    assert "nothing recorded" in result.stderr

"""Plan quality and mentoring warnings of validate, on both sides of each line, and the
bounds of the new risk settings."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import TODAY, app

BASE = Path(__file__).parent / "fixtures" / "validate" / "base"


def _edit(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def rules(runner: CliRunner, root: Path) -> set[str]:
    """The rule ids validate reports on the caseload."""
    result = runner.invoke(app, ["validate", str(root), "--format", "json", "--today", TODAY])
    return {f["rule"] for f in json.loads(result.stdout)["findings"]}


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A copy of the clean validate fixture."""
    root = tmp_path / "caseload"
    shutil.copytree(BASE, root)
    return root


def mentor_until(until: str) -> Callable[[Any], None]:
    def change(learner: Any) -> None:
        learner["team"][1]["until"] = until
    return change


@pytest.mark.parametrize(("until", "warned"), [
    ("2026-11-16", False),  # 14 days after the review on 2026-11-02 with Klaus Weber
    ("2026-11-17", True),   # 15 days
    ("2026-10-19", False),  # 14 days before it
    ("2026-10-18", True),   # 15 days before it (and no review with him before)
    ("2026-11-24", False),  # not ended yet: tomorrow
])
def test_mentor_ending_needs_a_closing_review(runner: CliRunner, base: Path, until: str,
                                             warned: bool) -> None:
    """A mentor's end is a warning unless a review with them is within 14 days of it."""
    _edit(base / "cases/L-1/learner.yaml", mentor_until(until))
    assert ("mentor-ended-no-review" in rules(runner, base)) is warned


def low_then(actions: list[dict[str, Any]], goals: dict[str, Any]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        _edit(root / "cases/L-1/reviews/2026-10-05.yaml", lambda r: r.update(attendance=0.69))
        _edit(root / "cases/L-1/reviews/2026-11-02.yaml",
              lambda r: r.update(actions=actions, goals=goals))
    return change


@pytest.mark.parametrize(("change", "warned"), [
    (low_then([], {"G1": {"status": "in-progress"}}), True),
    (low_then([{"action": "daily call about attendance", "owner": "tkeller"}],
              {"G1": {"status": "in-progress"}}), False),
    (low_then([], {"G2": {"status": "in-progress"}}), False),  # the attendance goal
], ids=["nothing", "an action", "the attendance goal"])
def test_attendance_below_red_needs_a_response(runner: CliRunner, base: Path,
                                               change: Callable[[Path], None],
                                               warned: bool) -> None:
    """69% (under the red line) needs an attendance action or goal at the next review."""
    change(base)
    assert ("attendance-no-response" in rules(runner, base)) is warned


def test_attendance_on_the_red_line_needs_no_response(runner: CliRunner, base: Path) -> None:
    """70% is on the red line, not below it: no warning even with nothing done."""
    low_then([], {"G1": {"status": "in-progress"}})(base)
    _edit(base / "cases/L-1/reviews/2026-10-05.yaml", lambda r: r.update(attendance=0.70))
    assert "attendance-no-response" not in rules(runner, base)


@pytest.mark.parametrize(("level", "warned"), [(3, False), (2, True), (1, True)])
def test_weak_skill_needs_a_goal(runner: CliRunner, base: Path, level: int,
                                 warned: bool) -> None:
    """A social skill at 2 or 1 with no social goal is a warning; at 3 it is not."""
    _edit(base / "cases/L-1/assessment.yaml",
          lambda a: a["skills"].update(social={"level": level}))
    assert ("skill-no-goal" in rules(runner, base)) is warned


def test_weak_skill_named_by_a_goal_is_addressed(runner: CliRunner, base: Path) -> None:
    """A goal that names the skill addresses it, whatever its area."""
    _edit(base / "cases/L-1/assessment.yaml",
          lambda a: a["skills"].update(teamwork={"level": 1}))
    assert "skill-no-goal" in rules(runner, base)
    _edit(base / "cases/L-1/plan.yaml",
          lambda p: p["goals"][1].update(goal="Attend regularly and build teamwork"))
    assert "skill-no-goal" not in rules(runner, base)


def test_need_addressed_by_a_wellbeing_action(runner: CliRunner, base: Path) -> None:
    """A need named only by a well-being action is addressed; unnamed, it is a warning."""
    assert "need-not-addressed" not in rules(runner, base)
    _edit(base / "cases/L-1/plan.yaml", lambda p: p["wellbeing"]["actions"][0].pop("needs"))
    assert "need-not-addressed" in rules(runner, base)


@pytest.mark.parametrize(("setting", "value"), [
    ("tighter_attendance", 0.51), ("tighter_attendance", True), ("first_year_days", 3651),
    ("follow_up_months", [0]), ("follow_up_months", [121]), ("incidents_amber", 0),
    ("engagement_drop", 5), ("failed_red", 100),
])
def test_new_risk_settings_have_bounds(runner: CliRunner, base: Path, setting: str,
                                       value: Any) -> None:
    """A new risk setting out of its bounds is an error of validate, not a crash."""
    _edit(base / "pathway.yaml", lambda s: s.update(risk={setting: value}))
    result = runner.invoke(app, ["validate", str(base), "--today", TODAY])
    assert result.exit_code == 1
    assert "pathway.yaml:" in result.stderr and "Traceback" not in result.stderr


def test_new_fields_are_optional(runner: CliRunner, base: Path) -> None:
    """The base caseload (v1 records, none of the new fields) validates clean with --strict."""
    result = runner.invoke(app, ["validate", str(base), "--strict", "--today", TODAY])
    assert result.exit_code == 0, result.stderr


def test_warning_rules_only_ever_warn(tmp_path: Path) -> None:
    """Every rule the records-invalid alert skips (WARNING_RULES) gives only warnings, on the
    sample and on every validate fixture, so skipping them never hides an error."""
    from datetime import date

    from pathway_cli.caseload import load_caseload
    from pathway_cli.validation import WARNING_RULES, Context
    from tests.conftest import SAMPLE
    from tests.test_validate_fixtures import CASES, _build

    roots = [SAMPLE]
    for name in CASES:
        root = tmp_path / name
        _build(name, root)
        roots.append(root)
    seen = 0
    for root in roots:
        caseload = load_caseload([root])
        ctx = Context(caseload.settings, caseload.mentors, date.fromisoformat(TODAY))
        for case in caseload.cases:
            for rule in WARNING_RULES:
                for finding in rule(case, ctx):
                    assert not finding.is_error, (root.name, rule.__name__, finding)
                    seen += 1
    assert seen >= 10

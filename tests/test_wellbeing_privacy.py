"""A well-being goal's wording stays with the team and the learner: not in badges or timelines."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import TODAY, app


def _make_wellbeing_goal(sample: Path) -> None:
    plan = sample / "cases/L-2026-008/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("    area: learning\n    goal: Apply the five safety rules",
                        "    area: wellbeing\n    goal: Apply the five safety rules", 1)
    text = text.replace(
        'credential: {type: badge, name: "Safety first: the five safety rules", ',
        'credential: {type: badge, name: "Safety first: the five safety rules", '
        "description: Managed panic attacks in the workshop, "
        "url: https://example.org/evidence/panic-plan, ", 1)
    plan.write_text(text, encoding="utf-8")


def test_badge_of_a_wellbeing_goal_names_only_the_credential(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """Neither the goal's wording nor the credential's description or link reach the badge.

    Checked in the signed JSON and in the baked PNG and SVG, which carry the same credential.
    """
    _make_wellbeing_goal(sample)
    assert runner.invoke(app, ["badges", "keygen", "--caseload", str(sample)]).exit_code == 0
    out = tmp_path / "badges"
    result = runner.invoke(app, ["badges", "L-2026-008", "--caseload", str(sample), "-o",
                                 str(out), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    text = (out / "goal-G2.json").read_text(encoding="utf-8")
    assert "Safety first" in json.loads(text)["name"]
    for name in ("goal-G2.json", "goal-G2.png", "goal-G2.svg"):
        data = (out / name).read_bytes()
        for leak in ("panic", "Apply the five safety rules", "evidence"):
            assert leak.encode() not in data, (name, leak)


def test_timeline_shows_a_wellbeing_goal_by_id_only(runner: CliRunner, sample: Path) -> None:
    """An achieved well-being goal appears in the timeline without its wording."""
    _make_wellbeing_goal(sample)
    result = runner.invoke(app, ["timeline", "L-2026-008", "--caseload", str(sample),
                                 "--today", TODAY, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert "Apply the five safety rules" not in result.stdout
    events = json.loads(result.stdout)["events"]
    assert any(e["kind"] == "goal-achieved" and "G2" in e["text"] for e in events)

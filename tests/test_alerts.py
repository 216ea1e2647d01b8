"""pathway alerts: each rule fires where it should and nowhere else, at the right level."""

from __future__ import annotations

import datetime
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from pathway_cli.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_cases"
TODAY = "2026-11-23"
FIXTURE = Path(__file__).parent / "fixtures" / "alerts" / "caseload"
DAY = datetime.date.fromisoformat(TODAY)

# Every alert the fixture caseload raises on 2026-11-23: (learner, rule, level).
# Each case's learner.yaml says in a comment why it raises what it raises.
EXPECTED = {
    ("att-red", "attendance-low", "red"),
    ("att-amber", "attendance-low", "amber"),
    ("att-drop", "attendance-drop", "amber"),
    ("wb-amber", "wellbeing-drop", "amber"),
    ("wb-red", "wellbeing-drop", "red"),
    ("review-amber", "review-overdue", "amber"),
    ("review-red", "review-overdue", "red"),
    ("no-reviews", "review-overdue", "red"),
    ("goal-amber", "goal-overdue", "amber"),
    ("goal-red", "goal-overdue", "red"),
    ("risk-amber", "goal-at-risk", "amber"),
    ("risk-red", "goal-at-risk", "red"),
    ("risk-review", "goal-at-risk", "amber"),
    ("unsigned", "contract-unsigned", "amber"),
    ("no-contract", "contract-unsigned", "amber"),
    ("plan-amber", "no-plan", "amber"),
    ("plan-red", "no-plan", "red"),
    ("action-amber", "action-overdue", "amber"),
    ("action-red", "action-overdue", "red"),
    ("paused-review", "review-overdue", "red"),
    ("broken-plan", "records-invalid", "amber"),
    ("broken-learner", "records-invalid", "amber"),
    ("behaviour-red", "behaviour-incidents", "red"),
    ("behaviour-red", "course-failure", "red"),
    ("engagement-red", "engagement-drop", "red"),
    ("follow-up", "follow-up-due", "amber"),
}
QUIET = ("healthy", "action-carried", "paused", "referred", "closed-completed", "closed-left")


def run_alerts(runner: CliRunner, *args: str) -> Any:
    """Run ``pathway alerts --format json`` and return the parsed document."""
    result = runner.invoke(app, ["alerts", *args, "--today", TODAY, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def fired(document: Any) -> set[tuple[str, str, str]]:
    """The (learner, rule, level) triples of an alerts document."""
    return {(a["learner"], a["rule"], a["level"]) for a in document["alerts"]}


def test_each_rule_fires_exactly_where_it_should(runner: CliRunner) -> None:
    """On the fixture caseload every expected alert fires and no other alert does."""
    assert fired(run_alerts(runner, str(FIXTURE))) == EXPECTED


def test_healthy_closed_paused_and_referred_cases_are_quiet(runner: CliRunner) -> None:
    """Healthy, closed, paused (on-hold rules) and referred cases raise nothing."""
    learners = {a["learner"] for a in run_alerts(runner, str(FIXTURE))["alerts"]}
    assert learners.isdisjoint(QUIET)


def test_every_rule_of_the_cli_contract_is_exercised() -> None:
    """The fixture covers each rule id of CLI.md at least once, red and amber where both exist."""
    rules = {rule for _, rule, _ in EXPECTED}
    assert rules >= {
        "attendance-low", "attendance-drop", "wellbeing-drop", "review-overdue", "goal-overdue",
        "goal-at-risk", "contract-unsigned", "no-plan", "action-overdue",
        "behaviour-incidents", "course-failure", "engagement-drop", "follow-up-due",
    }


def test_json_shape(runner: CliRunner) -> None:
    """The JSON document has as_of and alerts with learner, level, rule, message, file, line."""
    document = run_alerts(runner, str(FIXTURE / "cases" / "att-red"))
    assert document["as_of"] == TODAY
    (alert,) = document["alerts"]
    assert set(alert) >= {"learner", "level", "rule", "message", "file", "line"}
    assert alert["file"].endswith("cases/att-red/reviews/2026-11-17.yaml")
    assert alert["message"] == (
        "attendance 65% at the review on 2026-11-17, below the red line of 70%"
    )
    assert alert["value"] == "65%" and alert["threshold"] == "70%"


def test_lines_point_at_the_record_behind_the_alert(runner: CliRunner) -> None:
    """Each alert's file:line is the line holding the value that raised it."""
    document = run_alerts(runner, str(FIXTURE))
    expected_key = {
        "attendance-low": "attendance:", "attendance-drop": "attendance:",
        "wellbeing-drop": "wellbeing:", "goal-overdue": "due:", "goal-at-risk": "status:",
        "no-plan": "opened:", "action-overdue": "done:",
    }
    checked = 0
    for alert in document["alerts"]:
        key = expected_key.get(alert["rule"])
        if key is None:
            continue
        line = Path(alert["file"]).read_text(encoding="utf-8").splitlines()[alert["line"] - 1]
        assert key in line, (alert, line)
        checked += 1
    assert checked >= 12


def test_sample_alerts_tell_the_story(runner: CliRunner) -> None:
    """On sample_cases: Łukasz is red on attendance, well-being, review and actions; Rania has
    no plan; José, whose mentor left, is red on engagement after a check-in with three
    incidents and a failed quiz, and his 88% is under the first-year line; Sasha's attendance
    is amber (first-year line); Giulia has not signed."""
    alerts = fired(run_alerts(runner, str(SAMPLE)))
    assert alerts == {
        ("L-2026-001", "engagement-drop", "red"),
        ("L-2026-001", "behaviour-incidents", "amber"),
        ("L-2026-001", "course-failure", "amber"),
        ("L-2026-001", "attendance-low", "amber"),
        ("L-2026-002", "attendance-low", "red"),
        ("L-2026-002", "wellbeing-drop", "red"),
        ("L-2026-002", "review-overdue", "red"),
        ("L-2026-002", "action-overdue", "red"),
        ("L-2026-002", "attendance-drop", "amber"),
        ("L-2026-002", "goal-at-risk", "amber"),
        ("L-2026-009", "no-plan", "red"),
        ("L-2026-001", "goal-overdue", "amber"),
        ("L-2026-003", "attendance-low", "amber"),
        ("L-2026-005", "contract-unsigned", "amber"),
    }


def test_sample_red_alerts_come_first(runner: CliRunner) -> None:
    """Red alerts are listed before amber ones, and Łukasz's attendance leads his list."""
    alerts = run_alerts(runner, str(SAMPLE))["alerts"]
    levels = [a["level"] for a in alerts]
    assert levels == sorted(levels, key=lambda level: level != "red")
    first = next(a for a in alerts if a["learner"] == "L-2026-002")
    assert first["rule"] == "attendance-low"


def test_sample_overdue_actions_are_both_listed(runner: CliRunner) -> None:
    """Both undone actions of Łukasz's case conference are overdue, each with its owner."""
    alerts = run_alerts(runner, str(SAMPLE))["alerts"]
    actions = [a["message"] for a in alerts if a["rule"] == "action-overdue"]
    assert len(actions) == 2
    assert any("(uroth, agreed on 2026-10-26)" in m and "17 days overdue" in m for m in actions)
    assert any("(mbauer, agreed on 2026-10-26)" in m and "24 days overdue" in m for m in actions)


@pytest.mark.parametrize(
    ("fail_on", "path", "code"),
    [
        ("red", "cases/L-2026-002", 1),
        ("amber", "cases/L-2026-002", 1),
        ("red", "cases/L-2026-003", 0),
        ("amber", "cases/L-2026-003", 1),
        ("amber", "cases/L-2026-008", 0),
        ("red", "cases/L-2026-008", 0),
    ],
)
def test_fail_on_exit_codes(runner: CliRunner, fail_on: str, path: str, code: int) -> None:
    """--fail-on exits 1 only when an alert at that level or louder exists."""
    result = runner.invoke(app, ["alerts", str(SAMPLE / path), "--today", TODAY,
                                 "--fail-on", fail_on])
    assert result.exit_code == code, result.stderr


def test_without_fail_on_alerts_exit_zero(runner: CliRunner) -> None:
    """Alerts alone do not fail the command; only --fail-on does."""
    result = runner.invoke(app, ["alerts", str(SAMPLE), "--today", TODAY])
    assert result.exit_code == 0


def test_bad_fail_on_is_a_usage_error(runner: CliRunner) -> None:
    """An unknown --fail-on level is a usage error (exit 2)."""
    result = runner.invoke(app, ["alerts", str(SAMPLE), "--fail-on", "orange"])
    assert result.exit_code == 2


def test_table_lists_level_rule_message_and_place(runner: CliRunner) -> None:
    """The table shows level, learner, rule, the sentence and file:line; counts go to stderr."""
    result = runner.invoke(app, ["alerts", str(SAMPLE / "cases" / "L-2026-003"),
                                 "--today", TODAY], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "amber" in out and "L-2026-003" in out and "attendance-low" in out
    assert "below the amber line of 90% (tighter than the usual 85%: day 71 of the first 365" in out
    assert "reviews/2026-11-10.yaml:4" in out
    assert "0 red, 1 amber alert for 1 of 1 learner" in result.stderr
    assert "\x1b[" not in result.stdout


def test_no_alerts_message(runner: CliRunner) -> None:
    """A healthy caseload prints no table and says so on stderr."""
    result = runner.invoke(app, ["alerts", str(SAMPLE / "cases" / "L-2026-008"),
                                 "--today", TODAY])
    assert result.exit_code == 0
    assert result.stdout.strip() == ""
    assert "0 red, 0 amber alerts for 0 of 1 learner" in result.stderr


def test_key_worker_filter(runner: CliRunner) -> None:
    """--key-worker keeps only the alerts of that key worker's learners."""
    alerts = run_alerts(runner, str(SAMPLE), "--key-worker", "lfischer")["alerts"]
    assert {a["learner"] for a in alerts} == {"L-2026-003", "L-2026-005", "L-2026-009"}


def test_status_and_group_filters(runner: CliRunner) -> None:
    """--status and --group narrow the alerts to matching cases."""
    alerts = run_alerts(runner, str(SAMPLE), "--group", "early-leaver")["alerts"]
    assert {a["learner"] for a in alerts} == {"L-2026-001"}
    assert run_alerts(runner, str(SAMPLE), "--status", "paused")["alerts"] == []


def test_missing_caseload_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    """A path that does not exist gives a message and exit 1, not a traceback."""
    result = runner.invoke(app, ["alerts", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_today_changes_what_is_due(runner: CliRunner) -> None:
    """Every date rule counts from --today: a month earlier Łukasz's review is not yet due."""
    result = runner.invoke(app, ["alerts", str(SAMPLE / "cases" / "L-2026-002"),
                                 "--today", "2026-10-27", "--format", "json"])
    rules = {a["rule"] for a in json.loads(result.stdout)["alerts"]}
    assert "review-overdue" not in rules and "action-overdue" not in rules
    assert "attendance-low" in rules


def test_thresholds_come_from_pathway_yaml(runner: CliRunner, tmp_path: Path) -> None:
    """A stricter attendance_amber in pathway.yaml turns a healthy 93% into an amber alert."""
    root = single_case(tmp_path)
    settings = root / "pathway.yaml"
    settings.write_text(settings.read_text().replace("attendance_amber: 0.85",
                                                     "attendance_amber: 0.95"))
    alerts = run_alerts(runner, str(root))["alerts"]
    assert [(a["rule"], a["level"]) for a in alerts] == [("attendance-low", "amber")]
    assert "below the amber line of 95%" in alerts[0]["message"]


def test_records_invalid_names_the_unreadable_file(runner: CliRunner) -> None:
    """A case with an unreadable plan says so, pointing at the broken line."""
    (alert,) = run_alerts(runner, str(FIXTURE / "cases" / "broken-plan"))["alerts"]
    assert alert["rule"] == "records-invalid"
    assert "plan.yaml could not be read" in alert["message"]
    assert alert["file"].endswith("broken-plan/plan.yaml") and alert["line"] == 5


# --- boundaries --------------------------------------------------------------------------


def single_case(tmp_path: Path) -> Path:
    """A caseload with only the fixture's healthy case, free to change."""
    root = tmp_path / "caseload"
    (root / "cases").mkdir(parents=True)
    shutil.copy(FIXTURE / "pathway.yaml", root / "pathway.yaml")
    shutil.copytree(FIXTURE / "cases" / "healthy", root / "cases" / "healthy")
    return root


def _dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates(v) for v in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return datetime.date.fromisoformat(value)
    return value


def edit(case: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Load one record of ``case``, change it in place and write it back."""
    path = case / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(_dates(data), sort_keys=False, allow_unicode=True),
                    encoding="utf-8")


def days(n: int) -> str:
    """The date n days after today (before it when negative)."""
    return (DAY + datetime.timedelta(days=n)).isoformat()


def set_attendance(before: float, after: float) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "reviews/2026-10-20.yaml", lambda r: r.update(attendance=before))
        edit(case, "reviews/2026-11-17.yaml", lambda r: r.update(attendance=after))
    return apply


def set_wellbeing(before: int, after: int) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "reviews/2026-10-20.yaml", lambda r: r.update(wellbeing=before))
        edit(case, "reviews/2026-11-17.yaml", lambda r: r.update(wellbeing=after))
    return apply


def review_due(offset: int) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        (case / "reviews" / "2026-11-17.yaml").unlink()
        edit(case, "reviews/2026-10-20.yaml", lambda r: r.update(next_review=days(offset)))
    return apply


def goal(**changes: Any) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "plan.yaml", lambda p: p["goals"][1].update(changes))
    return apply


def action_due(offset: int) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "reviews/2026-11-17.yaml",
             lambda r: r["actions"][0].update(due=days(offset)))
    return apply


def opened_without_plan(offset: int) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        for name in ("plan.yaml", "contract.yaml"):
            (case / name).unlink()
        shutil.rmtree(case / "reviews")
        edit(case, "learner.yaml", lambda learner: learner.update(opened=days(offset)))
    return apply


def unsigned_since(offset: int) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "plan.yaml", lambda p: p.update(agreed=days(offset)))
        edit(case, "contract.yaml", lambda c: c.update(start=days(offset),
                                                       signatures=c["signatures"][1:]))
    return apply


BOUNDARIES = [
    ("attendance on the amber line", set_attendance(0.90, 0.85), set()),
    ("attendance just under amber", set_attendance(0.90, 0.84), {("attendance-low", "amber")}),
    ("attendance on the red line", set_attendance(0.80, 0.70), {("attendance-low", "amber")}),
    ("attendance just under red", set_attendance(0.80, 0.69), {("attendance-low", "red")}),
    ("attendance fall of 14 points", set_attendance(0.99, 0.85), set()),
    ("attendance fall of 15 points", set_attendance(0.95, 0.80),
     {("attendance-drop", "amber"), ("attendance-low", "amber")}),
    ("attendance fall of 29 points", set_attendance(0.99, 0.70),
     {("attendance-drop", "amber"), ("attendance-low", "amber")}),
    ("attendance fall of 30 points", set_attendance(1.0, 0.70),
     {("attendance-drop", "red"), ("attendance-low", "amber")}),
    ("attendance rises", set_attendance(0.60, 0.90), set()),
    ("well-being falls 1", set_wellbeing(4, 3), set()),
    ("well-being falls 2 to 3", set_wellbeing(5, 3), {("wellbeing-drop", "amber")}),
    ("well-being falls 2 to 2", set_wellbeing(4, 2), {("wellbeing-drop", "red")}),
    ("well-being falls 3 to 1", set_wellbeing(4, 1), {("wellbeing-drop", "red")}),
    ("review late by the grace", review_due(-7), set()),
    ("review one day past grace", review_due(-8), {("review-overdue", "amber")}),
    ("review 14 days late", review_due(-14), {("review-overdue", "amber")}),
    ("review 15 days late", review_due(-15), {("review-overdue", "red")}),
    ("goal due today", goal(due=days(0)), set()),
    ("goal due yesterday", goal(due=days(-1)), {("goal-overdue", "amber")}),
    ("goal overdue one cycle", goal(due=days(-28)), {("goal-overdue", "amber")}),
    ("goal overdue past a cycle", goal(due=days(-29)), {("goal-overdue", "red")}),
    ("achieved goal past due", goal(due=days(-60), status="achieved",
                                    achieved_on="2026-10-01"), set()),
    ("dropped goal past due", goal(due=days(-60), status="dropped"), set()),
    ("at risk, 15 days left", goal(status="at-risk", due=days(15)), {("goal-at-risk", "amber")}),
    ("at risk, 14 days left", goal(status="at-risk", due=days(14)), {("goal-at-risk", "red")}),
    ("at risk, due today", goal(status="at-risk", due=days(0)), {("goal-at-risk", "red")}),
    ("at risk and overdue", goal(status="at-risk", due=days(-1)), {("goal-overdue", "amber")}),
    ("action due today", action_due(0), set()),
    ("action due yesterday", action_due(-1), {("action-overdue", "amber")}),
    ("action 14 days overdue", action_due(-14), {("action-overdue", "amber")}),
    ("action 15 days overdue", action_due(-15), {("action-overdue", "red")}),
    ("no plan, 28 days open", opened_without_plan(-28), set()),
    ("no plan, 29 days open", opened_without_plan(-29), {("no-plan", "amber")}),
    ("no plan, 56 days open", opened_without_plan(-56), {("no-plan", "amber")}),
    ("no plan, 57 days open", opened_without_plan(-57), {("no-plan", "red")}),
    ("unsigned 21 days after the plan", unsigned_since(-21), set()),
    ("unsigned 22 days after the plan", unsigned_since(-22), {("contract-unsigned", "amber")}),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in BOUNDARIES],
                         ids=[name for name, _, _ in BOUNDARIES])
def test_boundaries(runner: CliRunner, tmp_path: Path, change: Callable[[Path], None],
                    expected: set[tuple[str, str]]) -> None:
    """At a threshold nothing fires (or the quieter level); one step past it, the alert does."""
    root = single_case(tmp_path)
    change(root / "cases" / "healthy")
    check = runner.invoke(app, ["validate", str(root), "--today", TODAY])
    assert check.exit_code == 0, check.stderr
    alerts = run_alerts(runner, str(root))["alerts"]
    assert {(a["rule"], a["level"]) for a in alerts} == expected


def test_a_rate_just_under_the_line_is_not_rounded_onto_it(runner: CliRunner,
                                                          tmp_path: Path) -> None:
    """84.9% is shown as 84.9%, not as "85%, below the amber line of 85%"."""
    root = single_case(tmp_path)
    set_attendance(0.90, 0.849)(root / "cases" / "healthy")
    (alert,) = run_alerts(runner, str(root))["alerts"]
    assert alert["message"].startswith("attendance 84.9% at the review on 2026-11-17")


def test_sample_first_year_line_says_why_it_is_tighter(runner: CliRunner) -> None:
    """José's 88% is amber only because he is in the first year of his programme, and the
    alert says so; with first_year_days 0 it is not an alert."""
    alerts = run_alerts(runner, str(SAMPLE / "cases" / "L-2026-001"))["alerts"]
    (low,) = [a for a in alerts if a["rule"] == "attendance-low"]
    assert low["message"] == (
        "attendance 88% at the review on 2026-11-03, below the amber line of 90% (tighter than "
        "the usual 85%: day 64 of the first 365 of the programme, which started on 2026-09-01)")
    assert low["threshold"] == "90%"


def test_sample_follow_up_falls_due_in_january(runner: CliRunner) -> None:
    """João's 3-month follow-up is recorded, so nothing is due in November; his 6-month
    follow-up falls due on 2027-01-10 and is an amber alert from that day."""
    case = str(SAMPLE / "cases" / "L-2026-006")
    assert run_alerts(runner, case)["alerts"] == []
    result = runner.invoke(app, ["alerts", case, "--today", "2027-01-10", "--format", "json"])
    (alert,) = json.loads(result.stdout)["alerts"]
    assert (alert["rule"], alert["level"]) == ("follow-up-due", "amber")
    assert alert["message"].startswith(
        "the 6-month follow-up was due on 2027-01-10 (6 months after the case closed on "
        "2026-07-10) and none is recorded")
    result = runner.invoke(app, ["alerts", case, "--today", "2027-01-09", "--format", "json"])
    assert json.loads(result.stdout)["alerts"] == []


def test_new_thresholds_come_from_pathway_yaml(runner: CliRunner, sample: Path) -> None:
    """incidents_amber, failed_red, engagement_drop and first_year_days are read from risk:."""
    settings = sample / "pathway.yaml"
    settings.write_text(settings.read_text().replace(
        "  no_plan_days: 28",
        "  no_plan_days: 28\n  incidents_amber: 4\n  failed_red: 1\n  engagement_drop: 3\n"
        "  first_year_days: 0", 1))
    alerts = fired(run_alerts(runner, str(sample / "cases" / "L-2026-001")))
    assert alerts == {("L-2026-001", "course-failure", "red"),
                      ("L-2026-001", "goal-overdue", "amber")}


# --- boundaries of the new rules ---------------------------------------------------------


def latest(**changes: Any) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "reviews/2026-11-17.yaml", lambda r: r.update(changes))
    return apply


def set_engagement(before: int, after: int) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "reviews/2026-10-20.yaml", lambda r: r.update(engagement=before))
        edit(case, "reviews/2026-11-17.yaml", lambda r: r.update(engagement=after))
    return apply


def in_transition(then: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "learner.yaml", lambda learner: learner.update(groups=["transition"]))
        then(case)
    return apply


def programme_day(day: int, on: str, then: Callable[[Path], None]) -> Callable[[Path], None]:
    """The programme started so that ``on`` is its day ``day`` (day 1 is the start)."""
    start = datetime.date.fromisoformat(on) - datetime.timedelta(days=day - 1)

    def apply(case: Path) -> None:
        edit(case, "learner.yaml", lambda learner: learner.update(
            opened="2025-01-06", programme={"title": "Retail (EQF 3)", "start": start}))
        then(case)
    return apply


def closed_on(closed: str, *follow_ups: str) -> Callable[[Path], None]:
    def apply(case: Path) -> None:
        edit(case, "learner.yaml", lambda learner: learner.update(
            opened="2025-01-06", status="completed", closed=closed, outcome="completed",
            follow_ups=[{"date": d, "destination": "employment"} for d in follow_ups]))
    return apply


NEW_BOUNDARIES = [
    ("2 incidents", latest(incidents={"count": 2}), set()),
    ("3 incidents, on the amber line", latest(incidents={"count": 3, "kinds": ["lateness"]}),
     {("behaviour-incidents", "amber")}),
    ("5 incidents", latest(incidents={"count": 5}), {("behaviour-incidents", "amber")}),
    ("6 incidents, on the red line", latest(incidents={"count": 6}),
     {("behaviour-incidents", "red")}),
    ("nothing failed", latest(results={"passed": 2, "failed": 0}), set()),
    ("grades steady", latest(results={"passed": 1, "trend": "steady"}), set()),
    ("1 failed, on the amber line", latest(results={"passed": 1, "failed": 1}),
     {("course-failure", "amber")}),
    ("grades falling", latest(results={"trend": "falling"}), {("course-failure", "amber")}),
    ("2 failed, on the red line", latest(results={"failed": 2}), {("course-failure", "red")}),
    ("engagement falls 1", set_engagement(4, 3), set()),
    ("engagement falls 2 to 3", set_engagement(5, 3), {("engagement-drop", "amber")}),
    ("engagement falls 2 to 2", set_engagement(4, 2), {("engagement-drop", "red")}),
    ("engagement rises", set_engagement(2, 5), set()),
    ("transition, attendance on the tighter amber line", in_transition(set_attendance(0.9, 0.9)),
     set()),
    ("transition, attendance just under the tighter amber line",
     in_transition(set_attendance(0.9, 0.89)), {("attendance-low", "amber")}),
    ("transition, attendance on the tighter red line",
     in_transition(set_attendance(0.8, 0.75)), {("attendance-low", "amber")}),
    ("transition, attendance just under the tighter red line",
     in_transition(set_attendance(0.8, 0.74)), {("attendance-low", "red")}),
    ("transition, review late by the tighter grace", in_transition(review_due(-3)), set()),
    ("transition, review one day past the tighter grace", in_transition(review_due(-4)),
     {("review-overdue", "amber")}),
    ("first year, day 365: tighter", programme_day(365, "2026-11-17", set_attendance(0.9, 0.88)),
     {("attendance-low", "amber")}),
    ("first year over, day 366", programme_day(366, "2026-11-17", set_attendance(0.9, 0.88)),
     set()),
    ("first year, review 4 days late on day 365", programme_day(365, TODAY, review_due(-4)),
     {("review-overdue", "amber")}),
    ("review 4 days late on day 366", programme_day(366, TODAY, review_due(-4)), set()),
    ("closed, 3 months tomorrow", closed_on("2026-08-24"), set()),
    ("closed, 3 months today", closed_on("2026-08-23"), {("follow-up-due", "amber")}),
    ("follow-up 30 days before it was due", closed_on("2026-08-23", "2026-10-24"), set()),
    ("follow-up 31 days before it was due", closed_on("2026-08-23", "2026-10-23"),
     {("follow-up-due", "amber")}),
    ("12-month follow-up, 89 days missed", closed_on("2025-08-26"),
     {("follow-up-due", "amber")}),
    ("12-month follow-up, 90 days missed: no longer chased", closed_on("2025-08-25"), set()),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in NEW_BOUNDARIES],
                         ids=[name for name, _, _ in NEW_BOUNDARIES])
def test_new_rule_boundaries(runner: CliRunner, tmp_path: Path, change: Callable[[Path], None],
                             expected: set[tuple[str, str]]) -> None:
    """On a line the new rules fire at its level; one step short of it, they do not."""
    root = single_case(tmp_path)
    change(root / "cases" / "healthy")
    check = runner.invoke(app, ["validate", str(root), "--today", TODAY])
    assert check.exit_code == 0, check.stderr
    alerts = run_alerts(runner, str(root))["alerts"]
    assert {(a["rule"], a["level"]) for a in alerts} == expected


def test_tighter_review_grace_says_why(runner: CliRunner, tmp_path: Path) -> None:
    """A review 4 days late for a learner in the transition group is amber, and the alert
    names the usual grace and the reason for the tighter one."""
    root = single_case(tmp_path)
    in_transition(review_due(-4))(root / "cases" / "healthy")
    (alert,) = run_alerts(runner, str(root))["alerts"]
    assert "4 days late, past the grace of 3 days (tighter than the usual 7 days: the learner " \
        "is in the transition group)" in alert["message"]


def test_engagement_drop_points_at_the_engagement_line(runner: CliRunner,
                                                       tmp_path: Path) -> None:
    """engagement-drop names both ratings and points at the engagement line of the review."""
    root = single_case(tmp_path)
    set_engagement(4, 2)(root / "cases" / "healthy")
    (alert,) = run_alerts(runner, str(root))["alerts"]
    line = Path(alert["file"]).read_text(encoding="utf-8").splitlines()[alert["line"] - 1]
    assert line.startswith("engagement:")
    assert "from 4 (2026-10-20) to 2 of 5 (2026-11-17)" in alert["message"]

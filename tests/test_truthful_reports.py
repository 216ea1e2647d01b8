"""Reports say only what is true, to the reader they are for (issue 9, section 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tests.conftest import SAMPLE, TODAY, app

CREDENTIAL = ("goals.G1.credential={type: certificate, name: telc Deutsch B1, "
              "issuer: telc gGmbH, date: 2027-02-27}")


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, [*args, "--today", TODAY])
    assert result.exit_code == 0, result.output
    return result.stdout


def _with_pending_credential(runner: CliRunner, sample: Path) -> None:
    """L-2026-003's goal G1 (in progress) names the certificate it will lead to."""
    _run(runner, "set", "L-2026-003", "plan", CREDENTIAL, "--caseload", str(sample))


def _render(runner: CliRunner, folder: Path, template: str, audience: str) -> str:
    return _run(runner, "render", str(folder), "--template", template, "--audience", audience)


# --- a credential is earned only by an achieved goal ---------------------------------------


def test_progress_report_does_not_claim_a_credential_of_an_open_goal(
    runner: CliRunner, sample: Path
) -> None:
    """A goal in progress with a credential: the progress report lists no badge earned."""
    _with_pending_credential(runner, sample)
    text = _render(runner, sample / "cases" / "L-2026-003", "progress", "learner")
    assert "telc Deutsch B1" not in text
    assert "**Repair Café volunteer technician**" in text  # a hidden skill's is earned


def test_plan_names_a_pending_credential_as_what_the_goal_leads_to(
    runner: CliRunner, sample: Path
) -> None:
    """The plan shows the credential of an open goal as what it leads to, not as recognition."""
    _with_pending_credential(runner, sample)
    text = _render(runner, sample / "cases" / "L-2026-003", "plan", "team")
    assert "**Leads to:** telc Deutsch B1" in text
    assert "Recognised by:** telc Deutsch B1" not in text


def test_timeline_lists_no_badge_for_an_open_goal(runner: CliRunner, sample: Path) -> None:
    """The timeline has no badge event for the credential of a goal not yet achieved."""
    _with_pending_credential(runner, sample)
    document = json.loads(_run(runner, "timeline", "L-2026-003", "--caseload", str(sample),
                               "--format", "json"))
    assert not [e for e in document["events"] if e["kind"] == "badge" and "telc" in e["text"]]


def test_timeline_and_report_list_a_credential_once_the_goal_is_achieved(
    runner: CliRunner, sample: Path
) -> None:
    """After goal --status achieved, report, timeline and badges all show the credential."""
    _with_pending_credential(runner, sample)
    _run(runner, "goal", "L-2026-003", "G1", "--status", "achieved", "--on", "2026-11-20",
         "--caseload", str(sample))
    text = _render(runner, sample / "cases" / "L-2026-003", "progress", "learner")
    assert "**telc Deutsch B1**" in text
    document = json.loads(_run(runner, "timeline", "L-2026-003", "--caseload", str(sample),
                               "--format", "json"))
    assert [e for e in document["events"] if e["kind"] == "badge" and "telc" in e["text"]]
    out = sample / "badges-out"
    keygen = runner.invoke(app, ["badges", "keygen", "--caseload", str(sample)])
    assert keygen.exit_code == 0, keygen.output  # badges are signed
    _run(runner, "badges", "L-2026-003", "--caseload", str(sample), "-o", str(out))
    assert [p.name for p in out.rglob("*.json") if "goal-G1" in p.name]


# --- achieved is all the way -----------------------------------------------------------------


def test_goal_achieved_writes_progress_100(runner: CliRunner, sample: Path) -> None:
    """goal --status achieved sets progress to 100 in plan.yaml, changing only that line."""
    plan = sample / "cases" / "L-2026-003" / "plan.yaml"
    before = plan.read_text(encoding="utf-8").splitlines()
    _run(runner, "goal", "L-2026-003", "G2", "--status", "achieved", "--on", "2026-11-20",
         "--caseload", str(sample))
    after = plan.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=False) if a != b]
    assert ("    progress: 55", "    progress: 100") in changed
    assert "    status: achieved" in after
    assert len(after) == len(before) + 1  # achieved_on is the one line added


def test_goal_achieved_refuses_a_progress_below_100(runner: CliRunner, sample: Path) -> None:
    """--status achieved --progress 60 contradicts itself and is refused, nothing written."""
    plan = sample / "cases" / "L-2026-003" / "plan.yaml"
    before = plan.read_bytes()
    result = runner.invoke(app, ["goal", "L-2026-003", "G2", "--status", "achieved",
                                 "--progress", "60", "--caseload", str(sample),
                                 "--today", TODAY])
    assert result.exit_code == 1
    assert "100" in result.stderr
    assert plan.read_bytes() == before


def test_plan_shows_an_achieved_goal_as_all_the_way(runner: CliRunner, sample: Path) -> None:
    """A goal achieved in the file with an old progress still reads 100% in the plan."""
    plan = sample / "cases" / "L-2026-003" / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("    status: in-progress\n    progress: 55",
                                 "    status: achieved\n    progress: 55\n"
                                 "    achieved_on: 2026-11-20"), encoding="utf-8")
    report = _render(runner, sample / "cases" / "L-2026-003", "plan", "team")
    assert "achieved, 100% of the way" in report
    assert "55% of the way" not in report


# --- wording for each reader --------------------------------------------------------------------


def test_progress_for_a_guardian_names_the_learner(runner: CliRunner) -> None:
    """The guardian's progress report speaks of Jonas by name, never to him as 'you'."""
    text = _render(runner, SAMPLE / "cases" / "L-2026-008", "progress", "guardian")
    assert "Hello" not in text
    assert "speak to" not in text
    assert "how Jonas's learning is going" in text
    assert "## What Jonas has achieved" in text
    assert "## Your badges" not in text and "How your goals" not in text
    assert "Your next meeting" not in text


def test_progress_for_an_employer_names_the_learner(runner: CliRunner) -> None:
    """The employer's progress report addresses the employer and names the learner."""
    text = _render(runner, SAMPLE / "cases" / "L-2026-008", "progress", "employer")
    assert "Hello Jonas" not in text
    assert "please contact Sabine Krause" in text
    assert "for your career" not in text


def test_badge_line_quotes_the_goal(runner: CliRunner) -> None:
    """A badge line names the goal it was earned for as a quoted goal, readable as a sentence."""
    text = _render(runner, SAMPLE / "cases" / "L-2026-006", "progress", "learner")
    assert "for the goal “Get the forklift licence”" in text


def test_learner_progress_still_speaks_to_the_learner(runner: CliRunner) -> None:
    """The learner's own report keeps 'you' and the greeting."""
    text = _render(runner, SAMPLE / "cases" / "L-2026-008", "progress", "learner")
    assert "Hello Jonas," in text
    assert "## What you have achieved" in text


# --- one policy: reflection, health professionals, signatures ----------------------------------


def test_reflection_is_not_given_to_the_guardian(runner: CliRunner) -> None:
    """The learner's own reflection reaches the learner and the team, never the guardian."""
    words = "Honestly I don't see the point some days"
    case = SAMPLE / "cases" / "L-2026-002"
    assert words not in _render(runner, case, "review", "guardian")
    assert words in _render(runner, case, "review", "learner")
    assert words in _render(runner, case, "review", "team")


def _psychologist_key_worker(sample: Path) -> None:
    learner = sample / "cases" / "L-2026-004" / "learner.yaml"
    learner.write_text(learner.read_text(encoding="utf-8").replace(
        "key_worker: kschmitt", "key_worker: jberger"), encoding="utf-8")


def test_export_does_not_name_a_health_professional_as_key_worker(
    runner: CliRunner, sample: Path
) -> None:
    """A psychologist as key worker is left out of the plain export like in every other column."""
    _psychologist_key_worker(sample)
    rows = [json.loads(line) for line in _run(
        runner, "export", str(sample), "--format", "jsonl").splitlines()]
    row = next(r for r in rows if r["learner"] == "L-2026-004")
    assert row["key_worker"] is None
    assert "jberger" not in json.dumps(rows)


def test_summarise_does_not_name_a_health_professional_as_key_worker(
    runner: CliRunner, sample: Path
) -> None:
    """summarise (JSON and CSV) leaves a psychologist key worker out."""
    _psychologist_key_worker(sample)
    rows: list[dict[str, Any]] = json.loads(_run(runner, "summarise", str(sample),
                                                 "--format", "json"))
    assert next(r for r in rows if r["id"] == "L-2026-004")["key_worker"] is None
    assert "jberger" not in _run(runner, "summarise", str(sample), "--format", "csv")


def test_employer_plan_does_not_name_the_guardian(runner: CliRunner) -> None:
    """The employer's plan and contract carry no guardian signature row or name."""
    case = SAMPLE / "cases" / "L-2026-002"
    for template in ("plan", "contract"):
        text = _render(runner, case, template, "employer")
        assert "Agnieszka" not in text and "Zielińska" not in text.replace(
            "Łukasz Zieliński", "")
        assert "Parent or guardian" not in text
    guardian = _render(runner, case, "plan", "guardian")
    assert "Parent or guardian" in guardian


def test_alerts_keep_the_words_of_a_wellbeing_goal_out(runner: CliRunner, sample: Path) -> None:
    """An overdue well-being goal is named by id and kind in alerts, without its words."""
    plan = sample / "cases" / "L-2026-004" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "due: 2027-01-15", "due: 2026-11-01"), encoding="utf-8")
    learner = sample / "cases" / "L-2026-004" / "learner.yaml"
    learner.write_text(learner.read_text(encoding="utf-8").replace(
        "status: paused", "status: active"), encoding="utf-8")
    result = runner.invoke(app, ["alerts", str(sample), "--format", "json", "--today", TODAY])
    text = result.stdout
    assert "goal G1 (well-being)" in text
    assert "Sleep at least seven hours" not in text


# --- items marked sensitive ------------------------------------------------------------------


def test_contract_items_marked_personal_stay_out_of_the_employer_contract(
    runner: CliRunner,
) -> None:
    """L-2026-004's health commitments (marked personal) reach Elif and the team only."""
    case = SAMPLE / "cases" / "L-2026-004"
    employer = _render(runner, case, "contract", "employer")
    for words in ("panic", "psychology", "Berger"):
        assert words not in employer
    assert "tell the practice in good time" in employer
    learner = _render(runner, case, "contract", "learner")
    assert "panic diary" in learner and "psychology sessions" in learner


def _mark(sample: Path, old: str, new: str) -> None:
    plan = sample / "cases" / "L-2026-004" / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert old in text
    plan.write_text(text.replace(old, new), encoding="utf-8")


def test_support_item_marked_private_is_for_the_team_only(
    runner: CliRunner, sample: Path
) -> None:
    """A support item and a well-being action marked private are left out of the learner's
    plan and kept in the team's."""
    _mark(sample, "{action: fortnightly mentor meetings, owner: mkowalczyk, needs: [N4]}",
          "{action: fortnightly mentor meetings, owner: mkowalczyk, needs: [N4], "
          "sensitive: private}")
    _mark(sample, "{action: graded-return plan with the practice, owner: kschmitt}",
          "{action: graded-return plan with the practice, owner: kschmitt, sensitive: private}")
    case = sample / "cases" / "L-2026-004"
    learner = _render(runner, case, "plan", "learner")
    assert "fortnightly mentor meetings" not in learner
    assert "graded-return plan with the practice" not in learner
    assert "weekly outpatient therapy" in learner
    team = _render(runner, case, "plan", "team")
    assert "fortnightly mentor meetings" in team
    assert "graded-return plan with the practice" in team


def test_a_wrong_sensitivity_mark_is_a_clear_error(runner: CliRunner, sample: Path) -> None:
    """sensitive: secret is refused with the allowed words, at its line."""
    _mark(sample, "{action: fortnightly mentor meetings, owner: mkowalczyk, needs: [N4]}",
          "{action: fortnightly mentor meetings, owner: mkowalczyk, needs: [N4], "
          "sensitive: secret}")
    result = runner.invoke(app, ["validate", str(sample / "cases" / "L-2026-004"),
                                 "--today", TODAY])
    assert result.exit_code == 1
    assert ("'secret' is not allowed for 'sensitive'; use one of: personal, private"
            in result.stderr)


def test_export_shows_an_achieved_goal_as_all_the_way(runner: CliRunner, sample: Path) -> None:
    """A goal achieved in the file with an old progress exports progress 100."""
    plan = sample / "cases" / "L-2026-003" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "    status: in-progress\n    progress: 55",
        "    status: achieved\n    progress: 55\n    achieved_on: 2026-11-20"), encoding="utf-8")
    rows = [json.loads(line) for line in _run(
        runner, "export", str(sample), "--rows", "goals", "--format", "jsonl").splitlines()]
    row = next(r for r in rows if r["learner"] == "L-2026-003" and r["goal"] == "G2")
    assert row["status"] == "achieved" and row["progress"] == 100


def test_no_output_reaches_into_the_report_code_for_privacy() -> None:
    """export, summary, timeline, alerts and badges take their privacy rules from privacy.py,
    never from the report code's redaction module (summary and alerts through the facts of
    each case, which name only whom they may)."""
    source = Path(__file__).resolve().parents[1] / "src" / "pathway_cli"
    for name in ("export", "facts", "timeline", "alerts/schedule", "badges/credential",
                 "validation/text"):
        text = (source / f"{name}.py").read_text(encoding="utf-8")
        assert "pathway_cli.redaction" not in text, name
        assert "from pathway_cli.privacy import" in text, name


def test_alerts_and_summarise_do_not_name_a_health_professional(
    runner: CliRunner, sample: Path
) -> None:
    """An overdue action owned by the psychologist is raised without naming her."""
    review = sample / "cases" / "L-2026-004" / "reviews" / "2026-11-02.yaml"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "{action: draft graded-return hours, owner: saydin, due: 2026-12-01, done: false}",
        "{action: send the return report, owner: jberger, due: 2026-11-10, done: false}"),
        encoding="utf-8")
    alerts = _run(runner, "alerts", str(sample), "--format", "json")
    assert "a health professional of the team" in alerts
    assert "jberger" not in alerts
    summary = _run(runner, "summarise", str(sample), "--format", "json")
    assert "a health professional of the team" in summary
    assert "jberger" not in summary

"""One run of `validate` reports every problem it can, each in words that lead to the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from pathway_cli.cli import app

from .conftest import TODAY

LEARNER = """\
id: L-1
name: Jonas Weber
status: active
opened: 2026-09-01
key_worker: akoch
team:
  - {id: akoch, name: Anna Koch, role: coach}
  - {id: mschmidt, name: Monika Schmidt, role: mentor, trained: 2026-01-10}
consent:
  data_processing: {given: true, date: 2026-09-01, by: learner}
"""

PLAN = """\
agreed: 2026-09-15
goals:
  - id: G1
    area: learning
    goal: Pass maths
    measure: test
    target: pass
    baseline: fail
    due: 2027-01-31
    owner: learner
    status: in-progress
    progress: 20
    support:
      - {action: tutoring, owner: akoch}
"""

# A plan rests on an assessment (plan-no-assessment warns otherwise).
ASSESSMENT = """\
date: 2026-09-10
assessor: akoch
"""

REVIEW = """\
date: 2026-10-05
kind: coaching
with: [akoch]
goals:
  G1: {status: in-progress}
next_review: 2026-11-02
"""


def make_case(root: Path, **files: str) -> Path:
    """A caseload with one case L-1; ``files`` replace the defaults (review= the review)."""
    case = root / "cases" / "L-1"
    (case / "reviews").mkdir(parents=True)
    (root / "pathway.yaml").write_text("review_every_days: 60\n", encoding="utf-8")
    texts = {"learner": LEARNER, "assessment": ASSESSMENT, "plan": PLAN, **files}
    review = texts.pop("review", REVIEW)
    for kind, text in texts.items():
        (case / f"{kind}.yaml").write_text(text, encoding="utf-8")
    (case / "reviews" / "2026-10-05.yaml").write_text(review, encoding="utf-8")
    return root


def findings(runner: CliRunner, root: Path, today: str = TODAY) -> list[dict[str, Any]]:
    """The findings of `validate --format json` on ``root``."""
    result = runner.invoke(app, ["validate", str(root), "--today", today, "--format", "json"])
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


def rules(found: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(file name, rule) of each finding."""
    return {(Path(f["file"]).name, f["rule"]) for f in found}


def test_the_clean_case_is_clean(runner: CliRunner, tmp_path: Path) -> None:
    """The fixture case itself has no findings, so each test sees only its own mistake."""
    assert findings(runner, make_case(tmp_path)) == []


def test_an_invalid_plan_date_does_not_hide_a_reviews_unknown_goal(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An impossible date in plan.yaml and a review's unknown goal are both reported."""
    review = REVIEW.replace("G1: {status", "G2: {status")
    root = make_case(tmp_path, plan=PLAN.replace("2026-09-15", "2026-09-31"), review=review)
    assert {("plan.yaml", "invalid-date"), ("2026-10-05.yaml", "goal-unknown")} <= rules(
        findings(runner, root))


def test_a_missing_field_does_not_hide_a_wrong_id(runner: CliRunner, tmp_path: Path) -> None:
    """A learner.yaml without `opened` and with another learner's id gets both errors."""
    learner = LEARNER.replace("id: L-1", "id: L-2").replace("opened: 2026-09-01\n", "")
    found = rules(findings(runner, make_case(tmp_path, learner=learner)))
    assert {("learner.yaml", "missing-field"), ("learner.yaml", "id-mismatch")} <= found


def test_a_shape_error_in_a_review_does_not_hide_its_unknown_participant(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A misspelt kind in a review does not hide `with: [Monika]`, which gets a name hint."""
    review = REVIEW.replace("kind: coaching", "kind: coachin").replace("[akoch]", "[Monika]")
    found = findings(runner, make_case(tmp_path, review=review))
    assert ("2026-10-05.yaml", "invalid-choice") in rules(found)
    unknown = [f for f in found if f["rule"] == "team-unknown"]
    assert len(unknown) == 1
    assert "did you mean 'mschmidt' (Monika Schmidt)?" in unknown[0]["message"]


def test_an_unreadable_plan_is_named_where_references_could_not_be_checked(
    runner: CliRunner, tmp_path: Path
) -> None:
    """An unclosed bracket in plan.yaml: the review says its goals could not be checked."""
    root = make_case(tmp_path, plan=PLAN.replace("owner: akoch}", "owner: akoch"))
    found = findings(runner, root)
    assert ("plan.yaml", "yaml-syntax") in rules(found)
    unchecked = [f for f in found if f["rule"] == "reference-unchecked"]
    assert [Path(f["file"]).name for f in unchecked] == ["2026-10-05.yaml"]
    assert "plan.yaml could not be read" in unchecked[0]["message"]
    assert unchecked[0]["severity"] == "warning"


def test_an_unquoted_comma_in_braces_asks_for_quotes(runner: CliRunner, tmp_path: Path) -> None:
    """`note: failed the test on 20 Nov, resit in January` inside {...} says: use quotes."""
    review = REVIEW.replace(
        "G1: {status: in-progress}",
        "G1: {status: in-progress, note: failed the test on 20 Nov, resit in January}")
    found = findings(runner, make_case(tmp_path, review=review))
    assert [f["rule"] for f in found] == ["text-needs-quotes"]
    assert "put the whole text in quotes" in found[0]["message"]
    assert "is not a field;" not in found[0]["message"]


def test_a_credential_given_as_text_lists_the_keys_it_needs(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`credential: Driving licence B` names type, name, issuer and date."""
    plan = PLAN + "    credential: Driving licence B\n"
    found = findings(runner, make_case(tmp_path, plan=plan))
    assert len(found) == 1
    assert "with type, name, issuer and date" in found[0]["message"]


def test_by_and_owner_are_one_word_for_who_does_an_action(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Review actions accept the older `by:` and plan support `owner:`; `by:` warns."""
    review = REVIEW + "actions:\n  - {action: book resit, by: akoch}\n"
    plan = PLAN.replace("owner: akoch}", "by: akoch}")
    found = findings(runner, make_case(tmp_path, plan=plan, review=review))
    assert rules(found) == {("plan.yaml", "owner-word"), ("2026-10-05.yaml", "owner-word")}
    assert all(f["severity"] == "warning" and "write 'owner:'" in f["message"] for f in found)


def test_a_wrong_word_for_owner_suggests_owner(runner: CliRunner, tmp_path: Path) -> None:
    """`by:` on a goal (which has no such field) suggests `owner`."""
    plan = PLAN.replace("    owner: learner\n", "    by: learner\n")
    messages = [f["message"] for f in findings(runner, make_case(tmp_path, plan=plan))]
    assert any("'by' is not a field" in m and "did you mean 'owner'?" in m for m in messages)


def test_no_raw_pydantic_words_reach_the_user(runner: CliRunner, tmp_path: Path) -> None:
    """Two owners that differ are reported in plain words, without 'Value error'."""
    plan = PLAN.replace("owner: akoch}", "owner: akoch, by: mschmidt}")
    found = findings(runner, make_case(tmp_path, plan=plan))
    text = " ".join(f["message"] for f in found)
    assert "give one 'owner:' only" in text
    assert "Value error" not in text and "Input should" not in text


def test_goal_progress_out_of_range_is_plain(runner: CliRunner, tmp_path: Path) -> None:
    """`pathway goal --progress 120` says what is allowed, not pydantic's sentence."""
    root = make_case(tmp_path)
    result = runner.invoke(app, ["goal", "L-1", "G1", "--progress", "120", "--caseload",
                                 str(root), "--today", TODAY], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "give a whole number from 0 to 100" in result.stderr
    assert "Input should" not in result.stderr


def test_dates_that_cannot_be_right_are_warned_about(runner: CliRunner, tmp_path: Path) -> None:
    """A signature before the case opened, a closing and a review after today are warnings."""
    contract = """\
version: 1
start: 2026-09-15
end: 2027-06-30
learner_commits: [attend]
provider_commits: [coach]
signatures:
  - {party: learner, name: Jonas Weber, date: 2026-08-01}
  - {party: provider, name: Anna Koch, date: 2026-09-10}
"""
    learner = LEARNER.replace("status: active", "status: left\noutcome: completed\n"
                              "closed: 2026-12-20")
    root = make_case(tmp_path, contract=contract, learner=learner)
    found = findings(runner, root, today="2026-11-23")
    implausible = " | ".join(f["message"] for f in found if f["rule"] == "date-implausible")
    assert implausible.count(" | ") == 2
    assert "the learner signed on 2026-08-01, before the case was opened" in implausible
    assert "the provider signed on 2026-09-10, before the contract starts" in implausible
    assert "closed on 2026-12-20, which is after today" in implausible
    assert any(f["rule"] == "case-outcome-status" for f in found)
    future_review = findings(runner, make_case(tmp_path / "b"), today="2026-10-01")
    assert [f["rule"] for f in future_review] == ["date-implausible"]
    assert "after today" in future_review[0]["message"]


def test_set_can_correct_an_impossible_date(runner: CliRunner, tmp_path: Path) -> None:
    """`pathway set` edits a plan whose date is impossible, the very mistake it is there to fix."""
    root = make_case(tmp_path, plan=PLAN.replace("2026-09-15", "2026-09-31"))
    result = runner.invoke(app, ["set", "L-1", "plan", "agreed=2026-09-30", "--caseload",
                                 str(root), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert "agreed: 2026-09-30" in (root / "cases" / "L-1" / "plan.yaml").read_text()


def test_a_tab_does_not_hide_an_invalid_status_in_the_same_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A tab used for indentation in plan.yaml and a misspelt status there are both reported."""
    plan = PLAN.replace("    area: learning", "\tarea: learning").replace(
        "status: in-progress", "status: in-progres")
    found = findings(runner, make_case(tmp_path, plan=plan))
    assert [(f["rule"], f["line"]) for f in found] == [("yaml-syntax", 4),
                                                       ("invalid-choice", 11)]
    assert "did you mean 'in-progress'?" in found[1]["message"]


def test_a_file_indented_with_tabs_still_has_its_references_checked(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A review's unknown goal is found even when plan.yaml is indented with tabs."""
    plan = PLAN.replace("    area: learning", "\tarea: learning")
    review = REVIEW.replace("G1: {status", "G7: {status")
    found = findings(runner, make_case(tmp_path, plan=plan, review=review))
    assert ("2026-10-05.yaml", "goal-unknown") in rules(found)
    assert ("2026-10-05.yaml", "reference-unchecked") not in rules(found)


def test_an_action_owned_by_a_health_professional_stays_hidden_with_owner(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """With `owner:`, support by the school psychologist still never reaches the employer."""
    plan = sample / "cases/L-2026-004/plan.yaml"
    assert "owner: jberger" in plan.read_text(encoding="utf-8")
    result = runner.invoke(app, ["render", str(sample / "cases/L-2026-004"), "--template", "plan",
                                 "--audience", "employer", "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert "psychology sessions" not in result.stdout
    assert "Berger" not in result.stdout


def test_by_learner_in_a_review_action_also_asks_for_owner(
    runner: CliRunner, tmp_path: Path
) -> None:
    """`by: learner` on a review action is read as the learner's action, with the same warning."""
    review = REVIEW + "actions:\n  - {action: book resit, by: learner}\n"
    found = findings(runner, make_case(tmp_path, review=review))
    assert [f["rule"] for f in found] == ["owner-word"]


def test_a_shape_error_does_not_hide_dates_out_of_order(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A misspelt status in plan.yaml does not hide a plan agreed before the case was opened."""
    plan = PLAN.replace("2026-09-15", "2026-08-15").replace("status: in-progress",
                                                            "status: in-progres")
    found = findings(runner, make_case(tmp_path, plan=plan))
    assert {f["rule"] for f in found} == {"invalid-choice", "date-order"}

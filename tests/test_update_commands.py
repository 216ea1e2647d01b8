"""The update commands on the sample caseload: exactly the intended lines change."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.update_helpers import changed_lines, run, snapshot

CASE2 = Path("cases/L-2026-002")
CASE5 = Path("cases/L-2026-005")


def test_goal_changes_only_status_and_progress_lines(runner: CliRunner, sample: Path) -> None:
    """`goal` rewrites the goal's status and progress lines and nothing else."""
    plan = sample / CASE2 / "plan.yaml"
    before = plan.read_bytes()
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--status", "in-progress",
                 "--progress", "55")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, plan.read_bytes()) == [
        "-    status: at-risk",
        "-    progress: 30",
        "+    status: in-progress",
        "+    progress: 55",
    ]
    assert "goal G1 at-risk -> in-progress, progress 30 -> 55" in result.stderr


def test_goal_achieved_adds_achieved_on_after_progress(runner: CliRunner, sample: Path) -> None:
    """Marking a goal achieved writes achieved_on (today by default) after its progress."""
    plan = sample / CASE2 / "plan.yaml"
    before = plan.read_bytes()
    result = run(runner, sample, "goal", "L-2026-002", "G3", "--status", "achieved",
                 "--progress", "100")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, plan.read_bytes()) == [
        "-    status: in-progress",
        "-    progress: 20",
        "+    status: achieved",
        "+    progress: 100",
        "+    achieved_on: 2026-11-23",
    ]
    text = plan.read_text(encoding="utf-8")
    assert "    achieved_on: 2026-11-23\ncareer:" in text


def test_goal_on_date_and_note(runner: CliRunner, sample: Path) -> None:
    """--on sets the achievement date and --note adds a note line to the goal."""
    plan = sample / CASE2 / "plan.yaml"
    before = plan.read_bytes()
    result = run(runner, sample, "goal", "L-2026-002", "G3", "--status", "achieved",
                 "--on", "2026-11-20", "--note", "talk held on 19 November")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, plan.read_bytes()) == [
        "-    status: in-progress",
        "-    progress: 20",
        "+    status: achieved",
        "+    progress: 100",
        "+    note: talk held on 19 November",
        "+    achieved_on: 2026-11-20",
    ]


def test_goal_leaving_achieved_removes_the_date(runner: CliRunner, sample: Path) -> None:
    """A goal moved back from achieved loses its achieved_on line."""
    plan = sample / "cases/L-2026-006/plan.yaml"
    before = plan.read_bytes()
    result = run(runner, sample, "goal", "L-2026-006", "G1", "--status", "in-progress")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, plan.read_bytes()) == [
        "-    status: achieved",
        "+    status: in-progress",
        "-    achieved_on: 2026-06-19",
    ]


def test_goal_unknown_is_refused_with_the_known_ids(runner: CliRunner, sample: Path) -> None:
    """An unknown goal id is a clear error naming the goals there are."""
    before = snapshot(sample)
    result = run(runner, sample, "goal", "L-2026-002", "G9", "--status", "dropped")
    assert result.exit_code == 1
    assert "no goal 'G9'" in result.stderr and "G1, G2, G3" in result.stderr
    assert snapshot(sample) == before


def test_goal_without_changes_is_an_error(runner: CliRunner, sample: Path) -> None:
    """`goal` with nothing to change says so and exits 1."""
    result = run(runner, sample, "goal", "L-2026-002", "G1")
    assert result.exit_code == 1
    assert "nothing to change" in result.stderr


def test_goal_same_values_write_nothing(runner: CliRunner, sample: Path) -> None:
    """Setting the values a goal already has leaves the file untouched."""
    before = snapshot(sample)
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--status", "at-risk",
                 "--progress", "30")
    assert result.exit_code == 0
    assert "nothing to change" in result.stderr
    assert snapshot(sample) == before


def test_progress_out_of_range_is_a_usage_error(runner: CliRunner, sample: Path) -> None:
    """--progress outside 0-100 is refused by the option parser (exit 2)."""
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--progress", "140")
    assert result.exit_code == 2


def test_on_without_achieved_is_refused(runner: CliRunner, sample: Path) -> None:
    """--on only makes sense for an achieved goal."""
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--on", "2026-11-20")
    assert result.exit_code == 1
    assert "--on is the date the goal was achieved" in result.stderr


def test_dry_run_prints_the_diff_and_writes_nothing(runner: CliRunner, sample: Path) -> None:
    """--dry-run prints a unified diff on stdout and leaves every file as it was."""
    before = snapshot(sample)
    result = run(runner, sample, "goal", "L-2026-002", "G2", "--progress", "45", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "--- a/cases/L-2026-002/plan.yaml",
        "+++ b/cases/L-2026-002/plan.yaml",
        "@@ -27,7 +27,7 @@",
    ]
    assert "-    progress: 40\n+    progress: 45\n" in result.stdout
    assert "dry run: nothing written" in result.stderr
    assert snapshot(sample) == before


def test_sign_appends_one_line_in_the_flow_style(runner: CliRunner, sample: Path) -> None:
    """`sign` adds one flow-style signature line after the existing one."""
    contract = sample / CASE5 / "contract.yaml"
    before = contract.read_bytes()
    result = run(runner, sample, "sign", "L-2026-005", "--party", "learner",
                 "--name", "Giulia Esposito")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, contract.read_bytes()) == [
        "+  - {party: learner, name: Giulia Esposito, date: 2026-11-23}",
    ]
    assert "resolved" in result.stderr and "contract-no-learner-signature" in result.stderr


def test_sign_twice_is_refused(runner: CliRunner, sample: Path) -> None:
    """The same person cannot sign twice for the same party."""
    before = snapshot(sample)
    result = run(runner, sample, "sign", "L-2026-002", "--party", "learner",
                 "--name", "Łukasz Zieliński")
    assert result.exit_code == 1
    assert "already signed" in result.stderr
    assert snapshot(sample) == before


@pytest.mark.parametrize("name", ["Ana\nEvil", "Ana\tEvil", "Ana\x1b[31mEvil", "Ana\u2028Evil"])
def test_sign_refuses_a_name_over_lines(runner: CliRunner, sample: Path, name: str) -> None:
    """A signing name with a line break, a tab or an escape sequence is refused; nothing is
    written."""
    before = snapshot(sample)
    result = run(runner, sample, "sign", "L-2026-002", "--party", "guardian", "--name", name)
    assert result.exit_code == 1
    assert "must be one line of text" in result.stderr
    assert snapshot(sample) == before


def test_sign_without_contract_is_refused(runner: CliRunner, sample: Path) -> None:
    """A case with no contract.yaml cannot be signed."""
    result = run(runner, sample, "sign", "L-2026-009", "--party", "learner", "--name", "X")
    assert result.exit_code == 1
    assert "has no contract.yaml" in result.stderr


def test_close_sets_status_closed_and_outcome(runner: CliRunner, sample: Path) -> None:
    """`close` changes the status line and adds closed and outcome after opened."""
    learner = sample / CASE5 / "learner.yaml"
    before = learner.read_bytes()
    result = run(runner, sample, "close", "L-2026-005", "--outcome", "transferred",
                 "--date", "2026-11-20")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, learner.read_bytes()) == [
        "-status: active",
        "+status: left",
        "+closed: 2026-11-20",
        "+outcome: transferred",
    ]
    assert "opened: 2026-09-20\nclosed: 2026-11-20\noutcome: transferred\n" in (
        learner.read_text(encoding="utf-8")
    )


def test_close_completed_outcome_means_completed(runner: CliRunner, sample: Path) -> None:
    """Outcome completed closes the case with status completed."""
    learner = sample / CASE2 / "learner.yaml"
    result = run(runner, sample, "close", "L-2026-002", "--outcome", "completed")
    assert result.exit_code == 0, result.stderr
    assert "\nstatus: completed\n" in learner.read_text(encoding="utf-8")


def test_close_before_opening_is_refused(runner: CliRunner, sample: Path) -> None:
    """A closing date before the case opened is refused and nothing is written."""
    before = snapshot(sample)
    result = run(runner, sample, "close", "L-2026-005", "--outcome", "other",
                 "--date", "2026-01-01")
    assert result.exit_code == 1
    assert "refused, nothing written" in result.stderr
    assert "learner.yaml:10:9: date-order" in result.stderr
    assert snapshot(sample) == before


def test_close_twice_is_refused(runner: CliRunner, sample: Path) -> None:
    """A closed case cannot be closed again."""
    result = run(runner, sample, "close", "L-2026-006", "--outcome", "completed")
    assert result.exit_code == 1
    assert "already closed" in result.stderr


def test_set_dotted_keys_and_list_items_by_id(runner: CliRunner, sample: Path) -> None:
    """`set` addresses list items by id and types dates and lists by the model."""
    plan = sample / CASE2 / "plan.yaml"
    before = plan.read_bytes()
    result = run(runner, sample, "set", "L-2026-002", "plan", "goals.G2.due=2027-02-01",
                 "goals.G2.target=>= 85%", "career.next_steps=[resit registration, taster day]")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, plan.read_bytes()) == [
        '-    target: ">= 90%"',
        '+    target: ">= 85%"',
        "-    due: 2027-01-29",
        "+    due: 2027-02-01",
        "-  next_steps: [resit registration with the chamber by January]",
        "+  next_steps: [resit registration, taster day]",
    ]


def test_set_inserts_a_new_key_in_model_order(runner: CliRunner, sample: Path) -> None:
    """A key that is not there yet goes after its predecessor in the model."""
    learner = sample / CASE5 / "learner.yaml"
    before = learner.read_bytes()
    result = run(runner, sample, "set", "L-2026-005", "learner", "programme.mode=dual",
                 "team.lfischer.trained=2026-06-01")
    assert result.exit_code == 0, result.stderr
    lines = changed_lines(before, learner.read_bytes())
    assert lines == ["-  mode: school-based", "+  mode: dual", "+    trained: 2026-06-01"]


def test_set_text_stays_text(runner: CliRunner, sample: Path) -> None:
    """A value for a text field is written so that YAML reads it back as that text."""
    learner = sample / CASE5 / "learner.yaml"
    before = learner.read_bytes()
    result = run(runner, sample, "set", "L-2026-005", "learner", "programme.sector=yes",
                 "preferred_name=2026")
    assert result.exit_code == 0, result.stderr
    lines = changed_lines(before, learner.read_bytes())
    assert '+preferred_name: "2026"' in lines and '+  sector: "yes"' in lines


def test_set_review_by_date_and_empty_value_removes(runner: CliRunner, sample: Path) -> None:
    """review:DATE picks a review file; KEY= with no value removes the key."""
    review = sample / CASE2 / "reviews/2026-10-12.yaml"
    before = review.read_bytes()
    result = run(runner, sample, "set", "L-2026-002", "review:2026-10-12", "engagement=",
                 "goals.G1.note=drawing exercises done")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(before, review.read_bytes()) == [
        "-engagement: 3",
        "-  G1: {status: in-progress, progress: 30}",
        "+  G1: {status: in-progress, progress: 30, note: drawing exercises done}",
    ]


def test_set_unknown_key_is_refused_by_validation(runner: CliRunner, sample: Path) -> None:
    """A misspelt key is refused with the unknown-field finding and a suggestion."""
    before = snapshot(sample)
    result = run(runner, sample, "set", "L-2026-002", "learner", "programme.sectr=metal")
    assert result.exit_code == 1
    assert "unknown-field" in result.stderr and "did you mean 'sector'" in result.stderr
    assert snapshot(sample) == before


def test_set_invalid_value_is_refused(runner: CliRunner, sample: Path) -> None:
    """A value of the wrong kind is refused with the model's message; the file is untouched."""
    before = snapshot(sample)
    result = run(runner, sample, "set", "L-2026-002", "plan", "goals.G1.progress=lots")
    assert result.exit_code == 1
    assert "plan.yaml:16:15: invalid-type" in result.stderr
    assert snapshot(sample) == before


@pytest.mark.parametrize("assignment", ["goals.G1.due=2027-02-29", "agreed=2026-13-01"])
def test_set_an_impossible_date_is_refused_in_plain_words(runner: CliRunner, sample: Path,
                                                          assignment: str) -> None:
    """A date that is not in the calendar is refused with invalid-date, not a crash."""
    before = snapshot(sample)
    result = run(runner, sample, "set", "L-2026-002", "plan", assignment)
    assert result.exit_code == 1
    assert not isinstance(result.exception, ValueError)
    assert "invalid-date" in result.stderr and "not a real calendar date" in result.stderr
    assert snapshot(sample) == before


def test_set_unknown_list_item_names_the_ids(runner: CliRunner, sample: Path) -> None:
    """An id not in the list is reported with the ids that are."""
    result = run(runner, sample, "set", "L-2026-002", "plan", "goals.G7.due=2027-01-01")
    assert result.exit_code == 1
    assert "has no item 'G7' (its ids: G1, G2, G3)" in result.stderr


def test_set_needs_key_value_pairs(runner: CliRunner, sample: Path) -> None:
    """An argument without '=' is a usage error."""
    result = run(runner, sample, "set", "L-2026-002", "plan", "agreed")
    assert result.exit_code == 2


def test_set_unknown_file_is_refused(runner: CliRunner, sample: Path) -> None:
    """FILE must name a record file of the case."""
    result = run(runner, sample, "set", "L-2026-002", "notes", "a=b")
    assert result.exit_code == 1
    assert "not a record file" in result.stderr


def test_unknown_case_suggests_a_close_id(runner: CliRunner, sample: Path) -> None:
    """A mistyped learner id gets a suggestion."""
    result = run(runner, sample, "goal", "L-2026-02", "G1", "--progress", "5")
    assert result.exit_code == 1
    assert "no case L-2026-02" in result.stderr and "L-2026-00" in result.stderr


def test_update_keeps_file_permissions(runner: CliRunner, sample: Path) -> None:
    """The rewritten file keeps its permission bits."""
    plan = sample / CASE2 / "plan.yaml"
    plan.chmod(0o600)
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--progress", "35")
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(plan.stat().st_mode) == 0o600


def test_update_leaves_no_temporary_files(runner: CliRunner, sample: Path) -> None:
    """After an update the case folder holds the same file names as before."""
    names = set(snapshot(sample))
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--progress", "35")
    assert result.exit_code == 0
    assert set(snapshot(sample)) == names


def test_already_invalid_case_refuses_unrelated_updates(runner: CliRunner, sample: Path) -> None:
    """An update on a case with errors is refused and shows the errors already there."""
    review = sample / CASE2 / "reviews/2026-10-12.yaml"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "engagement: 3", "engagement: 9"), encoding="utf-8")
    before = snapshot(sample)
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--progress", "35")
    assert result.exit_code == 1
    assert "already has 1 error" in result.stderr
    assert "2026-10-12.yaml:6:13: out-of-range" in result.stderr
    assert snapshot(sample) == before


def test_update_that_fixes_an_error_is_accepted(runner: CliRunner, sample: Path) -> None:
    """An update that repairs one of the case's errors is written, and says what it fixed."""
    review = sample / CASE2 / "reviews/2026-10-12.yaml"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "engagement: 3", "engagement: 9"), encoding="utf-8")
    result = run(runner, sample, "set", "L-2026-002", "review:2026-10-12", "engagement=3")
    assert result.exit_code == 0, result.stderr
    assert "resolved" in result.stderr and "out-of-range" in result.stderr
    assert "engagement: 3\n" in review.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ("goal", "L-2026-002", "G1", "--progress", "35"),
        ("sign", "L-2026-005", "--party", "learner", "--name", "Giulia Esposito"),
        ("set", "L-2026-008", "learner", "programme.mode=dual"),
        ("close", "L-2026-009", "--outcome", "transferred"),
        ("review", "new", "L-2026-002"),
    ],
)
def test_every_update_keeps_the_caseload_valid(
    runner: CliRunner, sample: Path, args: tuple[str, ...]
) -> None:
    """After each command the caseload still validates with no errors."""
    result = run(runner, sample, *args)
    assert result.exit_code == 0, result.stderr
    from pathway_cli.cli import app
    from tests.update_helpers import TODAY

    check = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    assert check.exit_code == 0, check.stderr


def test_set_of_a_new_extra_key_puts_extra_last(runner: CliRunner, sample: Path) -> None:
    """`set ... extra.x=1` on a file without extra: adds the block at the end, as the format has."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    result = run(runner, sample, "set", "L-2026-002", "learner", "extra.x=1")
    assert result.exit_code == 0, result.stderr
    lines = learner.read_text(encoding="utf-8").rstrip("\n").splitlines()
    assert lines[-2:] == ["extra:", "  x: 1"]
    assert lines[0].startswith("id:") or not lines[0].startswith("extra")


def test_updates_lock_the_case_but_a_dry_run_writes_no_lock(
    runner: CliRunner, sample: Path
) -> None:
    """A dry run leaves no trace; a real update leaves only its lock file, ignored by git."""
    result = run(runner, sample, "goal", "L-2026-002", "G3", "--progress", "25", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert not (sample / ".pathway").exists()
    result = run(runner, sample, "goal", "L-2026-002", "G3", "--progress", "25")
    assert result.exit_code == 0, result.stderr
    locks = sample / ".pathway/locks"
    assert sorted(p.name for p in locks.iterdir()) == [".gitignore", "L-2026-002.lock"]
    assert (locks / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"

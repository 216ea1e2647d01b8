"""`pathway review new`: the prefilled review, its file name, and editing it safely."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.update_helpers import run, snapshot

REVIEWS = Path("cases/L-2026-002/reviews")


def _editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    """Point EDITOR at a small Python script that edits the file it is given."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\npath = Path(sys.argv[1])\n"
        "text = path.read_text(encoding='utf-8')\n" + body,
        encoding="utf-8",
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    return script


def test_review_new_is_prefilled(runner: CliRunner, sample: Path) -> None:
    """The new review has the key worker, the open goals as in the plan and the next date."""
    result = run(runner, sample, "review", "new", "L-2026-002")
    assert result.exit_code == 0, result.stderr
    path = sample / REVIEWS / "2026-11-23.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["date"].isoformat() == "2026-11-23"
    assert data["kind"] == "progress-review"
    assert data["with"] == ["mbauer"]
    assert data["goals"] == {
        "G1": {"status": "at-risk", "progress": 30},
        "G2": {"status": "at-risk", "progress": 40},
        "G3": {"status": "in-progress", "progress": 20},
    }
    assert data["next_review"].isoformat() == "2026-12-21"
    assert "wrote cases/L-2026-002/reviews/2026-11-23.yaml" in result.stderr.replace(
        str(sample) + "/", ""
    )


def test_review_new_leaves_out_achieved_goals(runner: CliRunner, sample: Path) -> None:
    """Only open goals (planned, in progress, at risk) are prefilled."""
    assert run(runner, sample, "goal", "L-2026-002", "G3", "--status", "achieved").exit_code == 0
    assert run(runner, sample, "review", "new", "L-2026-002").exit_code == 0
    data = yaml.safe_load((sample / REVIEWS / "2026-11-23.yaml").read_text(encoding="utf-8"))
    assert list(data["goals"]) == ["G1", "G2"]


def test_second_and_third_review_on_one_day(runner: CliRunner, sample: Path) -> None:
    """A second review on one day is DATE-2.yaml, a third DATE-3.yaml."""
    for _ in range(3):
        result = run(runner, sample, "review", "new", "L-2026-002", "--kind", "check-in")
        assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (sample / REVIEWS).iterdir())
    assert names[-3:] == ["2026-11-23-2.yaml", "2026-11-23-3.yaml", "2026-11-23.yaml"]


def test_review_date_kind_and_interval(runner: CliRunner, sample: Path) -> None:
    """--date and --kind are used, and next_review follows the caseload's interval."""
    settings = sample / "pathway.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "review_every_days: 28", "review_every_days: 14"), encoding="utf-8")
    result = run(runner, sample, "review", "new", "L-2026-002", "--date", "2026-11-30",
                 "--kind", "case-conference")
    assert result.exit_code == 0, result.stderr
    text = (sample / REVIEWS / "2026-11-30.yaml").read_text(encoding="utf-8")
    assert "kind: case-conference " in text and "next_review: 2026-12-14\n" in text


def test_review_for_a_case_without_plan(runner: CliRunner, sample: Path) -> None:
    """A case with no plan gets a review without goals."""
    result = run(runner, sample, "review", "new", "L-2026-009")
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(
        (sample / "cases/L-2026-009/reviews/2026-11-23.yaml").read_text(encoding="utf-8"))
    assert "goals" not in data


def test_review_before_the_case_opened_is_refused(runner: CliRunner, sample: Path) -> None:
    """A review dated before the case opened is refused and no file is made."""
    before = snapshot(sample)
    result = run(runner, sample, "review", "new", "L-2026-002", "--date", "2026-01-05")
    assert result.exit_code == 1
    assert "date-order" in result.stderr
    assert snapshot(sample) == before


def test_review_dry_run_shows_the_new_file(runner: CliRunner, sample: Path) -> None:
    """--dry-run prints the new file as a diff from /dev/null and writes nothing."""
    before = snapshot(sample)
    result = run(runner, sample, "review", "new", "L-2026-002", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "--- /dev/null\n+++ b/cases/L-2026-002/reviews/2026-11-23.yaml\n@@ -0,0 +1,20 @@\n"
        "+date: 2026-11-23\n"
    )
    # The new file asks for behaviour and results too (they may stay empty).
    assert "+incidents:  " in result.stdout and "+results:  " in result.stdout
    assert snapshot(sample) == before


def test_edit_writes_what_the_editor_saved(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--edit opens $EDITOR; a valid result is written and the draft is removed."""
    _editor(tmp_path, monkeypatch,
            "path.write_text(text.replace('wellbeing:   ', 'wellbeing: 3'), encoding='utf-8')\n")
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 0, result.stderr
    review = sample / REVIEWS / "2026-11-23.yaml"
    assert yaml.safe_load(review.read_text(encoding="utf-8"))["wellbeing"] == 3
    assert not any(p.name.startswith(".") for p in (sample / REVIEWS).iterdir())


def test_invalid_edit_is_refused_and_the_text_kept(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invalid edited review is not saved; the text stays in a draft that reopens next time."""
    _editor(tmp_path, monkeypatch,
            "path.write_text(text.replace('wellbeing:   ', 'wellbeing: 9')"
            ".replace('summary:   ', 'summary: Long talk about the resit.'), "
            "encoding='utf-8')\n")
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 1
    draft = sample / REVIEWS / ".2026-11-23.draft.yaml"
    assert not (sample / REVIEWS / "2026-11-23.yaml").exists()
    assert "Long talk about the resit." in draft.read_text(encoding="utf-8")
    assert ".2026-11-23.draft.yaml:5:12: out-of-range" in result.stderr
    assert result.stderr.count("out-of-range") == 1  # each finding once
    assert "your text is kept in" in result.stderr

    # the next run reopens the draft, with the user's text, and saves it once it is valid
    _editor(tmp_path, monkeypatch,
            "assert 'Long talk about the resit.' in text\n"
            "path.write_text(text.replace('wellbeing: 9', 'wellbeing: 2'), encoding='utf-8')\n")
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 0, result.stderr
    saved = yaml.safe_load((sample / REVIEWS / "2026-11-23.yaml").read_text(encoding="utf-8"))
    assert saved["wellbeing"] == 2 and saved["summary"] == "Long talk about the resit."
    assert not draft.exists()


def test_failing_editor_keeps_the_draft(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor that exits with an error writes no review and keeps the draft."""
    _editor(tmp_path, monkeypatch, "raise SystemExit(3)\n")
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 1
    assert "exited with code 3" in result.stderr and "your text is kept" in result.stderr
    assert not (sample / REVIEWS / "2026-11-23.yaml").exists()
    assert (sample / REVIEWS / ".2026-11-23.draft.yaml").exists()


def test_emptied_review_is_not_written(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting all text in the editor cancels the review."""
    _editor(tmp_path, monkeypatch, "path.write_text('', encoding='utf-8')\n")
    before = snapshot(sample)
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 1
    assert "the review is empty" in result.stderr
    assert snapshot(sample) == before


def test_edit_needs_an_editor(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without $EDITOR, --edit says how to set one."""
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 1
    assert "set EDITOR" in result.stderr


def test_edit_and_dry_run_do_not_mix(runner: CliRunner, sample: Path) -> None:
    """--edit with --dry-run is refused before anything happens."""
    before = snapshot(sample)
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit", "--dry-run")
    assert result.exit_code == 1
    assert snapshot(sample) == before


def test_review_in_a_new_caseload_points_at_the_schema(
    runner: CliRunner, tmp_path: Path
) -> None:
    """In a caseload made by `init`, the review's first line links the JSON Schema."""
    from pathway_cli.cli import app

    root = tmp_path / "load"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    result = run(runner, root, "new", "L-1", "--name", "Ana", "--key-worker", "tk",
                 "--key-worker-name", "Tina Keller")
    assert result.exit_code == 0, result.stderr
    result = run(runner, root, "review", "new", "L-1")
    assert result.exit_code == 0, result.stderr
    text = (root / "cases/L-1/reviews/2026-11-23.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/review.schema.json\n")
    assert "with: [tk]" in text


@pytest.mark.parametrize("editor", ['vim "', "no-such-editor-anywhere", "   "])
def test_an_editor_that_cannot_start_is_a_message_and_leaves_no_draft(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch, editor: str
) -> None:
    """An unreadable or missing $EDITOR is a plain message; nothing, not even a draft, stays."""
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    before = snapshot(sample)
    result = run(runner, sample, "review", "new", "L-2026-002", "--edit")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "editor" in result.stderr.lower() and "internal error" not in result.stderr
    assert snapshot(sample) == before

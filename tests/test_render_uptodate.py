"""A batch brings a folder of reports up to date: only reports whose inputs changed are made."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY, app
from tests.test_startup import fresh_run

BASE = ["-t", "plan", "--to", "md", "--today", TODAY, "--status", "all"]


@pytest.fixture(autouse=True)
def _settled(sample: Path) -> None:
    """The copied sample, let settle: a case folder changed within a clock tick or two of a
    batch is not recorded (it is made again next time, as git treats racily clean files)."""
    time.sleep(0.05)


def _batch(runner: CliRunner, caseload: Path, out: Path, *args: str,
           jobs: str = "1", cache: bool = True) -> tuple[int, str]:
    """Exit code and stderr of a batch (with ``out`` shown as OUT)."""
    options = ["--jobs", jobs] + ([] if cache else ["--no-cache"])
    result = runner.invoke(app, [*options, "render", str(caseload), "-o", str(out),
                                 *(args or BASE)])
    return result.exit_code, result.output.replace(str(out.resolve()), "OUT").replace(
        str(out), "OUT")


def _state(out: Path) -> dict[str, tuple[int, int, int]]:
    """Each report's inode, size and mtime_ns (what a rewrite would change)."""
    return {p.name: (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(out.iterdir()) if not p.name.startswith("index-")}


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _summary(output: str) -> str:
    return next(line for line in output.splitlines() if "written to" in line)


def _rewritten(before: dict[str, tuple[int, int, int]], out: Path) -> set[str]:
    after = _state(out)
    return {name for name, state in after.items() if before.get(name) != state}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_second_batch_with_nothing_changed_writes_nothing(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    jobs: str,
) -> None:
    """Run again with nothing changed, a batch writes no report, rewrites the same index,
    says how many were up to date, and leaves the folder as a batch without the cache does."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")  # workers and the two halves, too
    out = tmp_path / "out"
    code, first = _batch(runner, sample, out, jobs=jobs)
    assert code == 0, first
    assert _summary(first).startswith("7 reports written to OUT")
    before, index = _state(out), (out / "index-plan-team.md").read_bytes()
    code, second = _batch(runner, sample, out, jobs=jobs)
    assert code == 0, second
    assert _summary(second) == ("0 reports written to OUT (index: OUT/index-plan-team.md); "
                                "7 up to date; 2 skipped:")
    assert "wrote" not in second
    assert "L-2026-007 (nothing to report): there is no plan yet" in second  # said again
    assert _state(out) == before
    assert (out / "index-plan-team.md").read_bytes() == index
    fresh = tmp_path / "fresh"
    assert _batch(runner, sample, fresh, jobs=jobs, cache=False)[0] == 0
    assert _files(fresh) == _files(out)


def test_an_edited_case_rewrites_only_its_report(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """After one case file is edited, only that case's report is made and written again."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    before = _state(out)
    plan = sample / "cases" / "L-2026-002" / "plan.yaml"
    plan.write_text(plan.read_text("utf-8").replace("status: in-progress", "status: at-risk",
                                                    1), "utf-8")
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert _summary(output).startswith("1 report written to OUT (index: OUT/index-plan-team.md)"
                                       "; 6 up to date")
    assert "wrote OUT/L-2026-002-plan-team.md" in output
    assert _rewritten(before, out) == {"L-2026-002-plan-team.md"}


@pytest.mark.parametrize("change", ["deleted", "edited", "replaced"])
def test_a_report_deleted_or_edited_by_hand_is_made_again(
    runner: CliRunner, sample: Path, tmp_path: Path, change: str
) -> None:
    """A report file removed, edited (even keeping its size and mtime) or replaced by
    another file is made again; the others stay as they are."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    report = out / "L-2026-003-plan-team.md"
    original = report.read_bytes()
    if change == "deleted":
        report.unlink()
    elif change == "edited":
        info = report.stat()
        with report.open("r+b") as handle:  # in place: same inode, same size
            handle.write(b"X")
        os.utime(report, ns=(info.st_atime_ns, info.st_mtime_ns))
    else:
        spare = out / "spare.tmp"
        spare.write_bytes(original)
        spare.replace(report)
    before = _state(out)
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert "wrote OUT/L-2026-003-plan-team.md" in output
    assert _summary(output).startswith("1 report written")
    assert report.read_bytes() == original
    assert _rewritten(before, out) == {"L-2026-003-plan-team.md"}


@pytest.mark.parametrize(("changed", "kept"), [
    (["--today", "2026-11-24"], False),
    (["--lang", "de"], False),
    (["-a", "learner"], True),
    (["--to", "html"], True),
], ids=["today", "lang", "audience", "format"])
def test_each_option_makes_its_reports_again(
    runner: CliRunner, sample: Path, tmp_path: Path, changed: list[str], kept: bool
) -> None:
    """Another --today or --lang makes every report again; another audience or format is a
    batch of its own, whose entries live beside the first batch's (which stays up to date)."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    args = list(BASE)
    flag = changed[0]
    if flag in args:
        args[args.index(flag) + 1] = changed[1]
    else:
        args += changed
    code, output = _batch(runner, sample, out, *args)
    assert code == 0, output
    assert "up to date" not in output
    assert int(_summary(output).split()[0]) > 0
    code, again = _batch(runner, sample, out)
    assert code == 0, again
    assert ("7 up to date" in _summary(again)) is kept


@pytest.mark.parametrize("name", ["pathway.yaml", "mentors.yaml"])
def test_changed_settings_make_every_report_again(
    runner: CliRunner, sample: Path, tmp_path: Path, name: str
) -> None:
    """A change to pathway.yaml or mentors.yaml (here a comment) makes every report again."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    with (sample / name).open("a", encoding="utf-8") as handle:
        handle.write("# reviewed at the team meeting\n")
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert _summary(output).startswith("7 reports written")
    assert "up to date" not in output


def test_a_caseload_template_added_or_edited_makes_reports_again(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A plan template added to the caseload's templates/, then edited, is used at once:
    every report is made again each time."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    own = sample / "templates" / "plan.md.j2"
    own.parent.mkdir()
    own.write_text("# Plan of {{ learner.name }}\n\nFirst words.\n", "utf-8")
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert _summary(output).startswith("7 reports written")
    assert "First words." in (out / "L-2026-001-plan-team.md").read_text("utf-8")
    own.write_text("# Plan of {{ learner.name }}\n\nSecond words.\n", "utf-8")
    from pathway_cli.rendering.templates import template_environment

    template_environment.cache_clear()  # a run is a process: this one keeps its templates
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert _summary(output).startswith("7 reports written")
    assert "Second words." in (out / "L-2026-001-plan-team.md").read_text("utf-8")


def _set(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_withdrawn_consent_removes_the_old_report(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """When a learner withdraws consent, the next batch skips the case, removes its old
    guardian report, says so, and leaves it out of the index; run again, it is up to date
    and the skip is still reported."""
    out = tmp_path / "out"
    args = ["-t", "progress", "-a", "guardian", "--to", "md", "--today", TODAY]
    code, output = _batch(runner, sample, out, *args)
    assert code == 0, output
    report = out / "L-2026-003-progress-guardian.md"
    assert report.is_file()
    _set(sample / "cases" / "L-2026-003" / "learner.yaml", "share_with: [guardian]",
         "share_with: []")
    code, output = _batch(runner, sample, out, *args)
    assert code == 0, output
    assert not report.exists()
    assert re.search(r"L-2026-003 \(no consent\): .*its old report "
                     r"OUT/L-2026-003-progress-guardian.md was removed", output)
    assert "L-2026-003" not in (out / "index-progress-guardian.md").read_text("utf-8")
    index = (out / "index-progress-guardian.md").read_bytes()
    code, again = _batch(runner, sample, out, *args)
    assert code == 0, again
    assert "0 reports written" in _summary(again) and "up to date" in _summary(again)
    assert "L-2026-003 (no consent)" in again and "was removed" not in again
    assert (out / "index-progress-guardian.md").read_bytes() == index
    fresh = tmp_path / "fresh"
    _batch(runner, sample, fresh, *args, cache=False)
    assert _files(fresh) == _files(out)


def test_a_case_that_becomes_invalid_is_skipped_and_its_report_removed(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A case whose records now have an error is skipped with the reason, its old report
    removed and left out of the index; the other reports stay up to date."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    _set(sample / "cases" / "L-2026-005" / "plan.yaml", "status: ", "status: unheard-of-")
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert re.search(r"L-2026-005 \(records have errors\): .*was removed", output)
    assert not (out / "L-2026-005-plan-team.md").exists()
    assert _summary(output).startswith("0 reports written") and "6 up to date" in output
    index = (out / "index-plan-team.md").read_text("utf-8")
    assert "| L-2026-005 |" in index.split("## Not rendered")[1]


def test_status_selection_is_right_on_a_warm_run(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A warm batch picks cases by --status from their entries, and a case whose status
    changed since is picked by its new status."""
    out = tmp_path / "out"
    paused = ["-t", "progress", "--to", "md", "--today", TODAY, "--status", "paused"]
    code, output = _batch(runner, sample, out, *paused)
    assert code == 0, output
    assert "1 report written" in _summary(output)
    code, output = _batch(runner, sample, out, *paused)
    assert code == 0, output
    assert _summary(output).startswith("0 reports written") and "1 up to date" in output
    _set(sample / "cases" / "L-2026-005" / "learner.yaml", "status: active", "status: paused")
    code, output = _batch(runner, sample, out, *paused)
    assert code == 0, output
    index = (out / "index-progress-team.md").read_text("utf-8")
    assert "| L-2026-004 |" in index and "| L-2026-005 |" in index
    assert "1 up to date" in _summary(output)
    active = [*paused[:-1], "active"]
    code, output = _batch(runner, sample, out, *active)
    assert code == 0, output
    assert "L-2026-005" not in (out / "index-progress-team.md").read_text("utf-8")


def test_a_case_changed_just_before_the_batch_is_made_again_next_time(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A case folder changed within a clock tick or two of the batch's look at it is not
    recorded as up to date (a second change in the same tick would keep its times): the
    next batch makes its report again, and the one after finds it up to date."""
    from pathway_cli.rendering import uptodate

    out = tmp_path / "out"
    _batch(runner, sample, out)
    plan = sample / "cases" / "L-2026-002" / "plan.yaml"
    _set(plan, "status: in-progress", "status: at-risk")
    changed = plan.stat().st_ctime_ns
    with monkeypatch.context() as patch:
        patch.setattr(uptodate, "_now", lambda: changed + 1_000_000)  # looked 1 ms later
        code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert _summary(output).startswith("1 report written") and "6 up to date" in output
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert "wrote OUT/L-2026-002-plan-team.md" in output
    assert _summary(output).startswith("1 report written") and "6 up to date" in output
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert _summary(output).startswith("0 reports written") and "7 up to date" in output


def test_corrupt_or_foreign_entries_are_ignored(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries that are damaged, or signed by another user's key, are ignored: every report
    is made again, with the same bytes."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    made = _files(out)
    entries = sorted(Path(os.environ["PATHWAY_CACHE_DIR"]).glob("*.render-plan-team-md"))
    assert len(entries) == 9
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:-5] + b"xxxxx")
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert _summary(output).startswith("7 reports written") and "up to date" not in output
    assert _files(out) == made
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))  # another key
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    assert _summary(output).startswith("7 reports written") and "up to date" not in output
    assert _files(out) == made


def test_no_cache_makes_every_report(runner: CliRunner, sample: Path, tmp_path: Path) -> None:
    """--no-cache makes and writes every report, even when all are up to date."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    before = _state(out)
    code, output = _batch(runner, sample, out, cache=False)
    assert code == 0, output
    assert _summary(output).startswith("7 reports written") and "up to date" not in output
    assert _rewritten(before, out) == set(before)


def test_a_pdf_batch_is_up_to_date_too(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A PDF batch run again with nothing changed typesets and writes nothing."""
    out = tmp_path / "out"
    args = ["-t", "contract", "--to", "pdf", "--today", TODAY, "--status", "paused"]
    code, output = _batch(runner, sample, out, *args)
    assert code == 0, output
    assert _summary(output).startswith("1 report written")
    before = _state(out)
    code, output = _batch(runner, sample, out, *args)
    assert code == 0, output
    assert _summary(output).startswith("0 reports written") and "1 up to date" in output
    assert _state(out) == before


def test_a_terminal_bar_counts_up_to_date_cases(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, the progress bar of a warm batch counts every case folder, up to date
    or not, and the summary says how many were up to date."""
    out = tmp_path / "out"
    _batch(runner, sample, out)
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, output = _batch(runner, sample, out)
    assert code == 0, output
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output)
    assert code == 0, shown
    assert "9/9" in shown
    assert "7 up to date" in shown


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_batch_with_nothing_to_make_loads_no_case(sample: Path, tmp_path: Path,
                                                    fmt: str) -> None:
    """A batch whose reports are all up to date, in a fresh process, imports neither the
    records models, pydantic, YAML nor Jinja: no case is loaded, no report rendered."""
    out = tmp_path / "out"
    args = ["render", str(sample), "-o", str(out), "-t", "plan", "--to", fmt, "--today",
            TODAY, "--status", "all"]
    cold = fresh_run(*args)
    assert cold["code"] == 0, cold["err"]
    assert {"pydantic", "jinja2", "pathway_cli.caseload"} <= set(cold["modules"])
    warm = fresh_run(*args)
    assert warm["code"] == 0, warm["err"]
    assert "7 up to date" in warm["err"]
    heavy = {"pydantic", "jinja2", "yaml", "markdown_it", "pathway_cli.caseload",
             "pathway_cli.models", "pathway_cli.rendering.batch"}
    assert set(warm["modules"]) & heavy == set()


def test_the_request_carries_every_render_option() -> None:
    """Every field of RenderOptions is a field of the batch request whose digest decides what
    is up to date, so a new option cannot be left out of it."""
    import dataclasses

    from pathway_cli.rendering.options import RenderOptions
    from pathway_cli.rendering.uptodate import BatchRequest

    names = [field.name for field in dataclasses.fields(RenderOptions)]
    assert names == list(BatchRequest._fields)

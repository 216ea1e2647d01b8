"""Batch rendering: one sync for the whole batch, and a bounded number of reports in flight."""

from __future__ import annotations

import os
import re
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pathway_cli.rendering import batch
from tests.conftest import TODAY, app


def test_batch_syncs_once_not_once_a_report(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Markdown batch writes every report atomically and fsyncs only the output folder, once."""
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real(fd))[1])
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(sample), "--template", "plan", "--to", "md",
                                 "-o", str(out), "--today", TODAY, "--status", "all"])
    assert result.exit_code == 0, result.output
    reports = [p for p in out.iterdir() if not p.name.startswith("index-")]
    assert len(reports) >= 5
    assert not list(out.glob(".*.tmp"))
    assert len(calls) == 1


class _Pool:
    """Stands in for the PDF workers: futures that finish only when the parent asks."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.open: list[Future[bytes]] = []
        self.most = 0

    def submit(self, *args: Any) -> Future[bytes]:
        future: Future[bytes] = Future()
        future.set_running_or_notify_cancel()
        self.open.append(future)
        self.most = max(self.most, sum(not f.done() for f in self.open))
        return _Lazy(future)

    def close(self) -> None:
        return


class _Lazy(Future[bytes]):
    """A future whose result is produced when it is first waited for."""

    def __init__(self, inner: Future[bytes]) -> None:
        super().__init__()
        self.inner = inner

    def done(self) -> bool:
        return self.inner.done()

    def result(self, timeout: float | None = None) -> bytes:
        if not self.inner.done():
            self.inner.set_result(b"%PDF-1.7 stand-in")
        return self.inner.result()


def test_pdf_batch_keeps_few_reports_in_flight(
    sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent never has more than two reports per worker waiting, and writes in id order."""
    pools: list[_Pool] = []

    def make(count: int) -> _Pool:
        pools.append(_Pool(count))
        return pools[-1]

    monkeypatch.setattr(batch, "PdfWorkers", make)
    from pathway_cli.caseload import load_caseload
    from pathway_cli.rendering.batch import render_batch, select_cases
    from pathway_cli.rendering.options import OutputFormat, RenderOptions

    caseload = load_caseload([sample])
    cases = select_cases(caseload, ["all"])
    options = RenderOptions("plan", "team", OutputFormat.pdf, date.fromisoformat(TODAY))
    written: list[str] = []
    result = render_batch(caseload, cases, options, tmp_path / "out", jobs=2,
                          on_outcome=lambda o: written.append(o.case_id) if o.written else None)
    assert pools and pools[0].most <= 2 * 2
    assert len(result.written) >= 5
    assert written == sorted(written)


def _render_dir(runner: CliRunner, caseload: Path, out: Path, fmt: str,
                jobs: str) -> tuple[int, str, dict[str, bytes]]:
    result = runner.invoke(app, ["--jobs", jobs, "render", str(caseload), "--template", "plan",
                                 "--to", fmt, "-o", str(out), "--today", TODAY,
                                 "--status", "all"])
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.is_dir() else {}
    return result.exit_code, result.output.replace(str(out), "OUT"), files


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_text_batch_on_two_workers_writes_the_same_bytes(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """A Markdown or HTML batch split over two worker processes writes the same files, byte
    for byte, and reports the same written and skipped cases as one process."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    pools: list[int] = []
    real = batch.ProcessPoolExecutor

    def pool(workers: int, **kwargs: Any) -> Any:
        pools.append(workers)
        return real(workers, **kwargs)

    monkeypatch.setattr(batch, "ProcessPoolExecutor", pool)
    one = _render_dir(runner, sample, tmp_path / "one", fmt, "1")
    assert pools == []
    two = _render_dir(runner, sample, tmp_path / "two", fmt, "2")
    assert pools == [2]
    assert one[0] == two[0] == 0
    assert one[1] == two[1]
    assert "skipped" in one[1]  # the sample has cases without a plan: skipped alike
    assert one[2] == two[2]
    assert len(one[2]) >= 5


def test_broken_template_stops_a_text_batch_on_workers(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caseload template that fails on workers stops the batch with the same clear message
    as in one process, and no traceback."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    (sample / "templates").mkdir(exist_ok=True)
    (sample / "templates" / "plan.md.j2").write_text(
        "# {{ learner.name }}\n\n{{ no_such_thing }}\n", encoding="utf-8")
    one = _render_dir(runner, sample, tmp_path / "one", "md", "1")
    two = _render_dir(runner, sample, tmp_path / "two", "md", "2")
    assert one[0] == two[0] == 1
    assert one[1] == two[1]
    assert "no_such_thing" in two[1] and "Traceback" not in two[1]


def test_text_batch_on_workers_loads_no_case_in_the_parent(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Markdown batch big enough for workers leaves the loading of the cases to them: the
    parent process loads none (it used to load every case before forking)."""
    from pathway_cli import caseload as caseload_module

    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    loaded: list[int] = []
    real = caseload_module.load_cases

    def spy(root: Path | None, folders: Any, limit: int = 0) -> Any:
        loaded.append(len(folders))  # in this process only: the workers are forked
        return real(root, folders, limit)

    monkeypatch.setattr(caseload_module, "load_cases", spy)
    monkeypatch.setattr(batch, "load_cases", spy, raising=False)
    code, output, files = _render_dir(runner, sample, tmp_path / "out", "md", "2")
    assert code == 0, output
    assert loaded == []
    assert len(files) >= 5


@pytest.mark.parametrize("statuses", [["paused"], ["active", "referred"], ["all"]])
def test_workers_pick_the_same_cases_by_status_as_one_process(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    statuses: list[str],
) -> None:
    """Workers that load their own cases pick by --status exactly as one process does: the
    same files, byte for byte, and the same lines on stderr."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    chosen = [arg for status in statuses for arg in ("--status", status)]
    runs = []
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        result = runner.invoke(app, ["--jobs", jobs, "render", str(sample), "-t", "progress",
                                     "--to", "md", "-o", str(out), "--today", TODAY, *chosen])
        assert result.exit_code == 0, result.output
        runs.append((result.output.replace(str(out), "OUT"),
                     {p.name: p.read_bytes() for p in sorted(out.iterdir())}))
    assert runs[0] == runs[1]
    index = runs[0][1]["index-progress-team.md"].decode()
    if statuses == ["paused"]:
        assert index.count("| L-2026-") == 1
    else:
        assert index.count("| L-2026-") > 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_batch_with_no_case_of_the_status_writes_nothing(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    jobs: str,
) -> None:
    """When no case has the status asked for, the batch says so plainly, exits 1 and makes
    no output folder, on workers as in one process."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    out = tmp_path / "out"
    result = runner.invoke(app, ["--jobs", jobs, "render", str(sample), "-t", "plan", "-o",
                                 str(out), "--today", TODAY, "--status", "left"])
    assert result.exit_code == 1
    assert "no case with status left to render" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_a_terminal_batch_on_workers_shows_its_summary(
    runner: CliRunner, sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal (a progress bar over the cases looked at), a batch on workers ends with
    the same summary of written and skipped cases as when piped."""
    monkeypatch.setenv("PATHWAY_PARALLEL_MIN", "2")
    piped = _render_dir(runner, sample, tmp_path / "piped", "md", "2")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    drawn = _render_dir(runner, sample, tmp_path / "drawn", "md", "2")
    assert piped[0] == drawn[0] == 0
    assert piped[2].keys() == drawn[2].keys()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn[1])
    summary = [line for line in piped[1].splitlines() if "written to" in line]
    assert summary and summary[0] in shown
    assert "9/9" in shown  # the bar counts the case folders looked at, all of them
    assert "wrote OUT" in piped[1] and "wrote OUT" not in shown


def test_a_link_in_place_of_a_report_pointing_outside_is_refused(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """A link named like a report that points outside the output folder stops the batch
    with a message (exit 1), and the file it points to is left as it was."""
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "elsewhere.md"
    target.write_text("keep me\n", encoding="utf-8")
    (out / "L-2026-001-plan-team.md").symlink_to(target)
    result = runner.invoke(app, ["--no-cache", "render", str(sample), "--template", "plan",
                                 "-o", str(out), "--today", TODAY])
    assert result.exit_code == 1
    assert "outside" in result.stderr
    assert "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_piped_batch_names_each_report_written_once(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """Piped, a batch says 'wrote PATH' once for each report it wrote, and nothing else
    before its summary line."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["--no-cache", "render", str(sample), "--template", "plan",
                                 "-o", str(out), "--today", TODAY, "--status", "all"])
    assert result.exit_code == 0, result.output
    reports = sorted(p.name for p in out.iterdir() if not p.name.startswith("index-"))
    wrote = [line for line in result.stderr.splitlines() if line.startswith("wrote ")]
    assert sorted(Path(line.removeprefix("wrote ")).name for line in wrote) == reports

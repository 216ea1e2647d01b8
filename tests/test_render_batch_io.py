"""Batch rendering: one sync for the whole batch, and a bounded number of reports in flight."""

from __future__ import annotations

import os
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

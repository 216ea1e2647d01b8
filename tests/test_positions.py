"""Placing findings: every finding at its line, and no position tree kept once it is placed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pathway_cli.alerts import find_alerts
from pathway_cli.caseload import load_caseload
from tests.conftest import SAMPLE, TODAY

DAY = date.fromisoformat(TODAY)


def test_validate_places_findings_and_keeps_no_position_tree(tmp_path: Path) -> None:
    """After validate, findings have lines and no file still holds its parsed position tree."""
    from pathway_cli.validation import validate_caseload

    case = tmp_path / "load" / "cases" / "L-1"
    case.mkdir(parents=True)
    (case / "learner.yaml").write_text(
        "id: L-1\nname: Ana\nstatus: active\nopened: 2026-01-10\nkey_worker: tk\n"
        "team:\n  - {id: tk, name: T K, role: coach}\nextra_field: 1\nwrong: 2\n",
        encoding="utf-8",
    )
    caseload = load_caseload([tmp_path / "load"])
    result = validate_caseload(caseload, DAY)
    assert result.findings
    assert all(f.line is not None for f in result.findings)
    assert all(source._root is None for source in caseload.sources())


def test_alerts_keep_no_position_tree() -> None:
    """After alerts are placed at their lines, the sample's files hold no position tree."""
    caseload = load_caseload([SAMPLE])
    alerts = find_alerts(caseload, DAY)
    assert any(a.line is not None for a in alerts)
    assert all(source._root is None for source in caseload.sources())

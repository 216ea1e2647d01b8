"""Property tests of the new early-warning data: any value gives findings or alerts on the
documented lines, never an exception, and the agenda's calendar always parses."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import icalendar
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathway_cli.agenda import build_agenda, to_ics
from pathway_cli.alerts import find_alerts
from pathway_cli.caseload import load_caseload
from pathway_cli.validation import validate_caseload

BASE = Path(__file__).parent / "fixtures" / "validate" / "base"
TODAY = date(2026, 11, 23)
REVIEW = "cases/L-1/reviews/2026-11-02.yaml"
ANY = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2000) | st.text(max_size=8)
    | st.dates(date(1890, 1, 1), date(3100, 1, 1)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=8,
)


def _caseload(change: Any) -> Path:
    root = Path(tempfile.mkdtemp(prefix="pathway-prop-")) / "caseload"
    shutil.copytree(BASE, root)
    change(root)
    return root


def _edit(root: Path, rel: str, **values: Any) -> None:
    path = root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(values)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incidents=ANY, results=ANY, follow_ups=ANY)
def test_any_value_of_the_new_fields_gives_findings(incidents: Any, results: Any,
                                                    follow_ups: Any) -> None:
    """Whatever is written under incidents, results or follow_ups, validate, alerts and
    agenda finish; a wrong value is a finding with a line."""
    def change(root: Path) -> None:
        _edit(root, REVIEW, incidents=incidents, results=results)
        _edit(root, "cases/L-1/learner.yaml", follow_ups=follow_ups)

    root = _caseload(change)
    try:
        loaded = load_caseload([root])
        for finding in validate_caseload(loaded, TODAY).findings:
            assert finding.line is not None and finding.rule and finding.message
        find_alerts(loaded, TODAY)
        icalendar.Calendar.from_ical(to_ics(build_agenda(loaded, TODAY, 400)))
    finally:
        shutil.rmtree(root.parent)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count=st.integers(0, 999), failed=st.integers(0, 99), passed=st.integers(0, 99),
       trend=st.sampled_from([None, "rising", "steady", "falling"]),
       before=st.integers(1, 5), after=st.integers(1, 5))
def test_levels_follow_the_documented_lines(count: int, failed: int, passed: int,
                                            trend: str | None, before: int,
                                            after: int) -> None:
    """behaviour-incidents, course-failure and engagement-drop fire exactly on their lines
    (defaults: 3/6 incidents, 1/2 failed or falling, a fall of 2, red at 2 or lower)."""
    results: dict[str, Any] = {"passed": passed, "failed": failed}
    if trend:
        results["trend"] = trend

    def change(root: Path) -> None:
        _edit(root, "cases/L-1/reviews/2026-10-05.yaml", engagement=before)
        _edit(root, REVIEW, incidents={"count": count}, results=results, engagement=after)

    root = _caseload(change)
    try:
        got = {a.rule: a.level for a in find_alerts(load_caseload([root]), TODAY)}
    finally:
        shutil.rmtree(root.parent)
    expect: dict[str, str] = {}
    if count >= 3:
        expect["behaviour-incidents"] = "red" if count >= 6 else "amber"
    if failed >= 2:
        expect["course-failure"] = "red"
    elif failed >= 1 or trend == "falling":
        expect["course-failure"] = "amber"
    if before - after >= 2:
        expect["engagement-drop"] = "red" if after <= 2 else "amber"
    assert {r: lv for r, lv in got.items() if r in (
        "behaviour-incidents", "course-failure", "engagement-drop")} == expect


@settings(max_examples=40, deadline=None)
@given(closed_days_ago=st.integers(0, 800), done=st.lists(st.integers(0, 800), max_size=3))
def test_follow_up_due_only_while_a_milestone_stands_unmet(closed_days_ago: int,
                                                          done: list[int]) -> None:
    """follow-up-due fires exactly when a 3/6/12-month date has passed, is not yet
    superseded (the next date, or 90 days for the last) and has no follow-up from 30 days
    before it."""
    from pathway_cli.followups import add_months

    closed = TODAY - timedelta(days=closed_days_ago)
    made = sorted({closed + timedelta(days=d) for d in done if closed + timedelta(days=d) <= TODAY})

    def change(root: Path) -> None:
        _edit(root, "cases/L-1/learner.yaml", opened=date(2024, 1, 8), status="left",
              closed=closed, outcome="dropped-out",
              follow_ups=[{"date": d, "destination": "unknown"} for d in made])

    root = _caseload(change)
    try:
        fired = any(a.rule == "follow-up-due" for a in find_alerts(load_caseload([root]), TODAY))
    finally:
        shutil.rmtree(root.parent)
    dues = [add_months(closed, m) for m in (3, 6, 12)]
    ends = [dues[1], dues[2], dues[2] + timedelta(days=90)]
    expected = any(
        due <= TODAY < end and not any(d >= due - timedelta(days=30) for d in made)
        for due, end in zip(dues, ends, strict=True)
    )
    assert fired is expected

"""docs/evaluate.sql: DuckDB over the pseudonymised export gives every figure of evaluate.

Two independent computations of the same definitions: the Python one over the records,
the SQL one over the export files. They must agree on the sample caseload and on a
generated one of 2,000 learners, for the default period and for a past one.
"""

from __future__ import annotations

import math
import re
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pathway_cli.caseload import Caseload, load_caseload
from pathway_cli.evaluation import Evaluation, evaluate_caseload
from pathway_cli.export import (
    ROW_KINDS,
    Pseudonymiser,
    export_caseload,
    load_or_create_key,
    to_csv,
)
from tests.conftest import REPO, SAMPLE

duckdb = pytest.importorskip("duckdb")

SQL = (REPO / "docs" / "evaluate.sql").read_text(encoding="utf-8")
TODAY = date(2026, 11, 23)


def _statements(sql: str) -> list[str]:
    """The statements of the file as DuckDB's own parser splits them, without the
    comment lines before each."""
    statements = []
    for statement in duckdb.extract_statements(sql):
        lines = statement.query.strip().splitlines()
        while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
            lines.pop(0)
        statements.append("\n".join(lines))
    return statements


def run_sql(folder: Path, evaluation: Evaluation, settings: dict[str, int],
            monkeypatch: pytest.MonkeyPatch,
            cohort: str | None = None) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Run docs/evaluate.sql in ``folder`` (which holds exports/) with the period of
    ``evaluation`` (and only ``cohort``); rows keyed by (figure, group)."""
    values = {
        "cohort": "NULL" if cohort is None else f"'{cohort}'",
        "period_from": f"DATE '{evaluation.start.isoformat()}'",
        "period_to": f"DATE '{evaluation.end.isoformat()}'",
        "today": f"DATE '{evaluation.today.isoformat()}'",
        "review_grace_days": str(settings["review_grace_days"]),
        "no_plan_days": str(settings["no_plan_days"]),
    }
    monkeypatch.chdir(folder)
    connection = duckdb.connect()
    rows: dict[tuple[str, str], tuple[Any, ...]] = {}
    replaced = set()
    for statement in _statements(SQL):
        variable = re.match(r"SET VARIABLE (\w+)", statement, re.IGNORECASE)
        if variable:
            statement = f"SET VARIABLE {variable.group(1)} = {values[variable.group(1)]}"
            replaced.add(variable.group(1))
        if re.match(r"(SELECT|WITH)\b", statement, re.IGNORECASE):
            for row in connection.execute(statement).fetchall():
                rows[(row[0], row[1])] = tuple(row[2:])
        else:
            connection.execute(statement)
    assert replaced == set(values)
    return rows


def export_files(caseload: Caseload, today: date) -> None:
    """Write the three pseudonymised exports under the caseload's exports/ folder."""
    assert caseload.root is not None
    (caseload.root / "exports").mkdir(exist_ok=True)
    for kind in ROW_KINDS:
        text = to_csv(export_caseload(caseload, today, kind, pseudonymise=True))
        (caseload.root / "exports" / f"{kind}.csv").write_text(text, encoding="utf-8")


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def assert_same(evaluation: Evaluation, rows: dict[tuple[str, str], tuple[Any, ...]],
                group: str = "all") -> int:
    """Every figure of ``group`` equals its SQL row; returns how many were compared."""
    compared = 0
    for f in evaluation.figures:
        if f.group != group or (group != "all" and f.section == "workload"):
            continue
        assert (f.id, "all") in rows, f"docs/evaluate.sql has no query for {f.id}"
        numerator, denominator, median, q1, q3 = rows[(f.id, "all")]
        assert (f.numerator, f.denominator) == (numerator, denominator), f.id
        assert _close(f.median, median) and _close(f.q1, q1) and _close(f.q3, q3), f.id
        compared += 1
    return compared


@pytest.mark.parametrize("period", [(None, None), (date(2026, 2, 1), date(2026, 10, 20))])
def test_sql_equals_evaluate_on_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           period: tuple[date | None, date | None]) -> None:
    """On sample_cases every figure equals its DuckDB query, now and for a past period."""
    root = tmp_path / "caseload"
    shutil.copytree(SAMPLE, root)
    caseload = load_caseload([root])
    export_files(caseload, TODAY)
    evaluation = evaluate_caseload(caseload, TODAY, *period)
    risk = caseload.settings.risk
    settings = {"review_grace_days": risk.review_grace_days, "no_plan_days": risk.no_plan_days}
    rows = run_sql(root, evaluation, settings, monkeypatch)
    assert assert_same(evaluation, rows) >= 50
    # The workload by key worker agrees too (key workers are pseudonyms in the export).
    key, _ = load_or_create_key(root)
    pseudonyms = Pseudonymiser(key)
    workload = [f for f in evaluation.section("workload") if f.group != "all"]
    assert workload
    for f in workload:
        numerator, denominator, *_ = rows[(f.id, pseudonyms.member(f.group))]
        assert (f.numerator, f.denominator) == (numerator, denominator), (f.id, f.group)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Caseload:
    """A generated caseload of 2,000 learners with its exports."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate_caseload
    finally:
        sys.path.pop(0)
    root = generate_caseload(tmp_path_factory.mktemp("big") / "caseload", 2000, seed=7,
                             today=TODAY)
    caseload = load_caseload([root])
    export_files(caseload, TODAY)
    return caseload


@pytest.mark.parametrize("period", [(None, None), (date(2026, 3, 1), date(2026, 9, 30))])
def test_sql_equals_evaluate_on_2000_learners(generated: Caseload,
                                              monkeypatch: pytest.MonkeyPatch,
                                              period: tuple[date | None, date | None]) -> None:
    """On 2,000 generated learners every figure equals its DuckDB query."""
    caseload = generated
    assert caseload.root is not None
    evaluation = evaluate_caseload(caseload, TODAY, *period)
    assert evaluation.cases > 1000
    risk = caseload.settings.risk
    settings = {"review_grace_days": risk.review_grace_days, "no_plan_days": risk.no_plan_days}
    rows = run_sql(caseload.root, evaluation, settings, monkeypatch)
    assert assert_same(evaluation, rows) >= 50
    # And the figures hold together: shares within their base, changes add up.
    for f in evaluation.figures:
        if f.id not in ("workload.red-alerts", "workload.amber-alerts"):
            assert 0 <= f.numerator <= f.denominator, f.id
    for measure in ("attendance", "wellbeing"):
        parts = [evaluation.figure(f"{measure}.{w}") for w in ("improved", "held", "fell")]
        measured = evaluation.figure(f"{measure}.change")
        assert measured is not None
        assert sum(p.numerator for p in parts if p) == measured.numerator


def test_sql_equals_evaluate_by_cohort_on_2000_learners(
        generated: Caseload, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the cohort variable set, the SQL gives each cohort's figures of --by cohort."""
    caseload = generated
    assert caseload.root is not None
    evaluation = evaluate_caseload(caseload, TODAY, by="cohort")
    assert len(evaluation.groups) >= 2
    risk = caseload.settings.risk
    settings = {"review_grace_days": risk.review_grace_days, "no_plan_days": risk.no_plan_days}
    for cohort in evaluation.groups:
        rows = run_sql(caseload.root, evaluation, settings, monkeypatch, cohort)
        assert assert_same(evaluation, rows, cohort) >= 40, cohort

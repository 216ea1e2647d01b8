"""The evaluation report: the figures of ``pathway evaluate`` as Markdown, HTML or PDF.

The template (``templates/evaluation.md.j2``) gets the figures as plain rows, one table
a section; HTML and PDF add four charts (outcomes by cohort, time to plan, reviews on
time by key worker, attendance and well-being change) drawn by ``charts``, which is
imported only here. The report is for the audience the evaluation was made for: for
leadership and funders the figures are already suppressed and without ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from pathway_cli.caseload import Caseload
from pathway_cli.evaluation import (
    GOAL_AREAS,
    MIN_CELL,
    OUTCOMES,
    SECTIONS,
    Evaluation,
    Figure,
    cases_text,
    denominator_text,
    evaluate_caseload,
    for_audience,
    numerator_text,
    value_text,
)
from pathway_cli.models import Audience
from pathway_cli.rendering.finishing import assets_for, finish
from pathway_cli.rendering.options import OutputFormat, RenderOptions
from pathway_cli.rendering.preparing import prepare_report

__all__ = ["evaluation_charts", "render_evaluation_report"]

TEMPLATE = "evaluation"
# The figures that answer the seeds' questions at a glance, first in the report.
HEADLINE = ("retention.90d", "closed", "outcome.dropped-out", "plan.on-time", "reviews.on-time",
            "goals.all.achieved", "attendance.improved", "wellbeing.improved",
            "mentoring.coverage")
CHART_TITLES = {
    "outcomes": "Outcomes by cohort",
    "time": "Time from opening to assessment, plan and contract",
    "reviews": "Reviews held on time, by key worker",
    "change": "Attendance and well-being, first to latest review",
}


def _row(figure: Figure) -> dict[str, Any]:
    return {"id": figure.id, "label": figure.label, "group": figure.group,
            "value": value_text(figure), "numerator": numerator_text(figure),
            "denominator": denominator_text(figure), "distribution": figure.is_distribution}


def _cell(figure: Figure | None) -> str:
    if figure is None:
        return "-"
    return f"{numerator_text(figure)} ({value_text(figure)})"


def _goal_table(evaluation: Evaluation, group: str) -> list[dict[str, Any]]:
    rows = []
    for area in (*GOAL_AREAS, "all"):
        achieved = evaluation.figure(f"goals.{area}.achieved", group)
        if achieved is None or (achieved.denominator == 0 and area != "all"):
            continue
        rows.append({
            "area": "all areas" if area == "all" else area,
            "goals": denominator_text(achieved),
            "achieved": _cell(achieved),
            "dropped": _cell(evaluation.figure(f"goals.{area}.dropped", group)),
            "overdue": _cell(evaluation.figure(f"goals.{area}.overdue", group)),
        })
    return rows


def _workload_table(evaluation: Evaluation) -> list[dict[str, Any]]:
    figures = evaluation.section("workload")
    workers = list(dict.fromkeys(f.group for f in figures))
    rows = []
    for worker in workers:
        def get(figure_id: str, worker: str = worker) -> Figure | None:
            return evaluation.figure(figure_id, worker)

        open_cases = get("workload.open")
        rows.append({
            "key_worker": worker,
            "open": numerator_text(open_cases) if open_cases else "-",
            "red": value_text(f) if (f := get("workload.red-alerts")) else "-",
            "amber": value_text(f) if (f := get("workload.amber-alerts")) else "-",
            "due": value_text(f) if (f := get("workload.reviews-due")) else "-",
        })
    return rows


def _context(evaluation: Evaluation, charts: dict[str, str]) -> dict[str, Any]:
    groups = ["all", *evaluation.groups]
    sections = []
    for name, title in SECTIONS.items():
        if name in ("goals", "workload"):
            continue
        # An outcome no case had is noise in a table: the chart and the count of closed
        # cases say it (a suppressed cell stays, so nothing can be inferred).
        figures = [f for f in evaluation.section(name)
                   if not (f.id.startswith("outcome.") and f.numerator == 0
                           and not f.suppressed)]
        sections.append({"name": name, "title": title, "rows": [_row(f) for f in figures]})
    headline = [_row(f) for f in (evaluation.figure(i) for i in HEADLINE) if f is not None]
    return {
        "headline": headline,
        "evaluation": {
            "start": evaluation.start, "end": evaluation.end, "cases": cases_text(evaluation),
            "by": evaluation.by or "", "audience": evaluation.audience,
            "suppressed": evaluation.audience != "team", "min_cell": MIN_CELL,
            "grace": evaluation.review_grace_days, "no_plan_days": evaluation.no_plan_days,
            "review_every_days": evaluation.review_every_days,
            "notes": list(evaluation.notes),
        },
        "sections": sections,
        "goals": [{"group": g, "rows": _goal_table(evaluation, g)} for g in groups],
        "workload": _workload_table(evaluation),
        "charts": charts,
    }


# --- charts ------------------------------------------------------------------------------


def _hidden(figures: Sequence[Figure | None]) -> bool:
    return any(f is None or f.suppressed for f in figures)


def _outcomes_chart(by_cohort: Evaluation) -> str | None:
    from pathway_cli.charts import Stack, stacked_chart

    stacks = []
    for cohort in by_cohort.groups:
        closed = by_cohort.figure("closed", cohort)
        outcomes = [by_cohort.figure(f"outcome.{o}", cohort)
                    for o in (*OUTCOMES, "not-recorded")]
        if closed is None or _hidden([closed, *outcomes]):
            stacks.append(Stack(cohort, None, f"fewer than {MIN_CELL} learners: not shown"))
            continue
        counts = (closed.denominator - closed.numerator,
                  *(f.numerator for f in outcomes if f is not None))
        total = closed.denominator
        stacks.append(Stack(cohort, counts, f"{total} case{'s' if total != 1 else ''}"))
    if not any(sum(stack.counts or ()) for stack in stacks):
        return None
    categories = ["still open", *OUTCOMES, "not recorded"]
    return stacked_chart(CHART_TITLES["outcomes"], stacks, categories,
                         "cases (open in the period, by how they ended)",
                         "school year opened")


def _time_chart(evaluation: Evaluation) -> str | None:
    from pathway_cli.charts import Interval, interval_chart

    rows = []
    for figure_id, label in (("time.assessment", "assessment"), ("time.plan", "plan agreed"),
                             ("time.contract", "contract in force")):
        f = evaluation.figure(figure_id)
        if f is None or f.suppressed or f.median is None:
            note = f"<{MIN_CELL} learners" if f is not None and f.suppressed else "none yet"
            rows.append(Interval(label, None, None, None, note))
        else:
            rows.append(Interval(label, f.median, f.q1, f.q3,
                                 f"{f.numerator} of {denominator_text(f)}"))
    if all(row.median is None for row in rows):
        return None
    return interval_chart(CHART_TITLES["time"], rows, "days after the case was opened",
                          float(evaluation.no_plan_days),
                          f"plan due by day {evaluation.no_plan_days}")


def _reviews_chart(evaluation: Evaluation, by_worker: Evaluation) -> str | None:
    from pathway_cli.charts import Bar, bar_chart

    bars = []
    for group in (*by_worker.groups, "all"):
        f = by_worker.figure("reviews.on-time", group)
        if f is None:
            continue
        if f.suppressed:
            bars.append(Bar(group, None, f"fewer than {MIN_CELL} learners: not shown"))
        elif f.denominator == 0:
            bars.append(Bar(group, None, "no review due yet"))
        else:
            bars.append(Bar(group, f.share, f"{f.numerator} of {f.denominator}"))
    if all(bar.share is None for bar in bars):
        return None
    return bar_chart(CHART_TITLES["reviews"], bars,
                     f"reviews held within {evaluation.review_grace_days} days of the due "
                     "date (% of reviews due)", "key worker")


def _change_chart(evaluation: Evaluation) -> str | None:
    from pathway_cli.charts import Stack, stacked_chart

    stacks = []
    for name, label in (("attendance", "attendance"), ("wellbeing", "well-being")):
        parts = [evaluation.figure(f"{name}.{w}") for w in ("improved", "held", "fell")]
        if _hidden(parts):
            stacks.append(Stack(label, None, f"fewer than {MIN_CELL} learners: not shown"))
            continue
        counts = tuple(f.numerator for f in parts if f is not None)
        stacks.append(Stack(label, counts, f"{sum(counts)} learners with two readings"))
    if not any(sum(stack.counts or ()) for stack in stacks):
        return None
    return stacked_chart(CHART_TITLES["change"], stacks, ["improved", "held", "fell"],
                         "learners (first to latest review)", "")


def evaluation_charts(caseload: Caseload, evaluation: Evaluation) -> dict[str, str]:
    """The charts as SVG documents, named as the template refers to them; a chart with
    nothing to draw (no data, or every cell suppressed) is left out."""
    def breakdown(by: str) -> Evaluation:
        made = evaluate_caseload(caseload, evaluation.today, evaluation.start,
                                 evaluation.end, by)  # type: ignore[arg-type]
        return for_audience(made, evaluation.audience)

    by_worker = breakdown("key-worker")
    charts = {
        "chart:outcomes": _outcomes_chart(breakdown("cohort")),
        "chart:time": _time_chart(evaluation),
        "chart:reviews": _reviews_chart(evaluation, by_worker),
        "chart:change": _change_chart(evaluation),
    }
    return {name: svg for name, svg in charts.items() if svg is not None}


def render_evaluation_report(caseload: Caseload, evaluation: Evaluation, fmt: str) -> bytes:
    """The evaluation report as file bytes (md, html or pdf)."""
    output = OutputFormat(fmt)
    # leadership and funder are audiences of this report only; the page furniture
    # (footer, metadata) names them from rendering.options.AUDIENCE_WORDS.
    audience = cast(Audience, evaluation.audience)
    options = RenderOptions(TEMPLATE, audience, output, evaluation.today)
    images = {} if output is OutputFormat.md else evaluation_charts(caseload, evaluation)
    charts = {name.removeprefix("chart:"): CHART_TITLES[name.removeprefix("chart:")]
              for name in images}
    subtitle = f"{evaluation.start.isoformat()} to {evaluation.end.isoformat()}"
    prepared = prepare_report(caseload, options, _context(evaluation, charts), subtitle)
    return finish(prepared, output, assets_for(caseload), images)

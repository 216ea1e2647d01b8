"""Running the rules: the rule lists, one case checked and placed at its lines, and the
result of a run over a caseload (on every core when it is big)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pathway_cli.caseload import Case, Caseload, resolved_path
from pathway_cli.findings import Finding, LineSource, ValidationResult, sort_findings
from pathway_cli.loader import Source, place_findings
from pathway_cli.locating import stray_findings
from pathway_cli.parallel import map_cases
from pathway_cli.validation.caseload_rules import CASELOAD_RULES
from pathway_cli.validation.context import Context
from pathway_cli.validation.dates import (
    check_date_order,
    check_next_review,
    check_review_names,
    check_signature_dates,
    check_team_dates,
)
from pathway_cli.validation.plan_quality import (
    check_attendance_response,
    check_goal_baselines,
    check_needs_addressed,
    check_plan_assessment,
    check_weak_skills,
)
from pathway_cli.validation.references import (
    check_goal_references,
    check_learner_id,
    check_learner_present,
    check_need_references,
    check_owner_word,
    check_stray_files,
    check_team_references,
    check_unique_ids,
)
from pathway_cli.validation.status import (
    check_achieved_goals,
    check_closed_case,
    check_learner_signature,
    check_mentor_training,
)
from pathway_cli.validation.text import (
    check_control_characters,
    check_health_details,
    check_report_language,
)
from pathway_cli.validation.today import (
    check_consent,
    check_dates_plausible,
    check_mentor_endings,
    check_plan_reviewed,
)

__all__ = [
    "CASE_RULES",
    "DATED_RULES",
    "WARNING_RULES",
    "CaseRule",
    "CheckedCase",
    "case_findings",
    "caseload_findings",
    "check_case",
    "validate_caseload",
    "validate_folders",
    "validation_context",
    "validation_result",
]


CaseRule = Callable[[Case, Context], list[Finding]]


CASE_RULES: list[CaseRule] = [
    check_learner_present,
    check_stray_files,
    check_learner_id,
    check_team_references,
    check_owner_word,
    check_unique_ids,
    check_goal_references,
    check_need_references,
    check_date_order,
    check_signature_dates,
    check_dates_plausible,
    check_review_names,
    check_next_review,
    check_achieved_goals,
    check_closed_case,
    check_goal_baselines,
    check_plan_reviewed,
    check_learner_signature,
    check_mentor_training,
    check_consent,
    check_control_characters,
    check_health_details,
    check_report_language,
    check_plan_assessment,
    check_needs_addressed,
    check_weak_skills,
    check_attendance_response,
    check_mentor_endings,
    check_team_dates,
]


# The rules that read today's date: the cache of checked cases never keeps their findings,
# it keeps ``dated_facts`` and decides them again on every run (``dated.decide_dated``).
DATED_RULES: frozenset[CaseRule] = frozenset({
    check_dates_plausible, check_plan_reviewed, check_mentor_endings, check_consent,
})


# Rules that only ever warn: skipped where only errors count (the records-invalid alert
# runs the rules on every open case, and these are a third of their cost; a report checks
# its case too, and the control characters rule reads every file of a cached case again).
WARNING_RULES: frozenset[CaseRule] = frozenset({
    check_stray_files, check_goal_baselines, check_plan_reviewed, check_learner_signature,
    check_mentor_training, check_consent, check_health_details, check_plan_assessment,
    check_needs_addressed, check_weak_skills, check_attendance_response, check_mentor_endings,
    check_control_characters,
})


def case_findings(case: Case, ctx: Context, *, errors_only: bool = False) -> list[Finding]:
    """Reading problems and rule findings of one case (unplaced); with ``errors_only``, the
    rules that only ever warn are skipped (their findings would be left out anyway)."""
    found = case.findings
    for rule in CASE_RULES:
        if errors_only and rule in WARNING_RULES:
            continue
        found.extend(rule(case, ctx))
    return found


@dataclass
class CheckedCase:
    """One case checked: its findings, placed, and the files they are about."""

    findings: list[Finding]
    sources: dict[Path, Source]
    files: int


def check_case(case: Case, ctx: Context, only_files: frozenset[Path] | None = None,
               *, keep_sources: bool = True) -> CheckedCase:
    """Every finding of one case, placed at its line (only of ``only_files``, when named).

    Without ``keep_sources`` only the sources that have findings are kept, which is what a
    worker process sends back.
    """
    found = case_findings(case, ctx)
    sources = {loaded.source.path: loaded.source for loaded in case.files()}
    if only_files is not None:
        found = [f for f in found if resolved_path(f.file) in only_files]
    placed = place_findings(sources, found)
    files = len(sources)
    if not keep_sources:
        about = {f.file for f in placed}
        sources = {path: source for path, source in sources.items() if path in about}
    return CheckedCase(placed, sources, files)


def validation_context(caseload: Caseload, today: date) -> Context:
    """What every rule needs besides the case."""
    return Context(caseload.settings, caseload.mentors, today)


def validate_caseload(caseload: Caseload, today: date) -> ValidationResult:
    """Run every rule over every case; one run reports every problem in every file."""
    ctx = validation_context(caseload, today)
    checked = [check_case(case, ctx, caseload.only_files) for case in caseload.cases]
    return validation_result(caseload, ctx, checked)


def validate_folders(caseload: Caseload, today: date,
                     jobs: int | None = None) -> ValidationResult:
    """``validate_caseload`` for an opened caseload (``open_caseload``), on every core when
    it is big: workers load and check the case folders and send back their findings."""
    ctx = validation_context(caseload, today)
    checked = map_cases(caseload, _check_sent_back, (ctx, caseload.only_files), jobs)
    return validation_result(caseload, ctx, checked)


def _check_sent_back(case: Case, argument: tuple[Context, frozenset[Path] | None]) -> CheckedCase:
    ctx, only_files = argument
    return check_case(case, ctx, only_files, keep_sources=False)


def caseload_findings(caseload: Caseload,
                      ctx: Context) -> tuple[list[Finding], dict[Path, Source]]:
    """Findings about pathway.yaml and mentors.yaml (reading problems and the caseload rules),
    placed, with those two files' sources; all of them, whatever files were named."""
    findings = list(caseload.findings)
    sources: dict[Path, Source] = {}
    for loaded in (caseload.settings_file, caseload.mentors_file):
        if loaded is not None:
            findings.extend(loaded.source.findings)
            sources[loaded.source.path] = loaded.source
    for rule in CASELOAD_RULES:
        findings.extend(rule(caseload, ctx))
    return place_findings(sources, findings), sources


def validation_result(caseload: Caseload, ctx: Context,
                      checked: Iterable[CheckedCase]) -> ValidationResult:
    """The result of a run: the caseload-wide findings and those of each checked case."""
    found, sources = caseload_findings(caseload, ctx)
    findings: list[Finding] = [*found, *stray_findings(caseload.strays)]
    if caseload.only_files is not None:
        findings = [f for f in findings if resolved_path(f.file) in caseload.only_files]
    all_sources: dict[Path, LineSource] = dict(sources)
    files = len(sources)
    for case in checked:
        findings.extend(case.findings)
        all_sources.update(case.sources)
        files += case.files
    if caseload.only_files is not None:
        files = len(caseload.only_files)
    return ValidationResult(sort_findings(findings), files, all_sources)

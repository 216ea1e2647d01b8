"""Validation rules beyond the shape: references, dates, consistency (FORMAT.md).

Each rule is a small function ``check_x(case, context) -> list[Finding]`` with a stable
rule id, collected in ``CASE_RULES``; ``validate_caseload`` runs them all over every
case, adds what the loader found, and places every finding at its line.

The stages, one module each (imports run one way, top to bottom):

- ``context``: what rules are given (``Context``) and the helpers they share (a finding
  at a key path, a record file read as plain data even when its shape has errors);
- ``references``: the case folder's files, the learner's id, team, goal and support-need
  references, the word for who does an action;
- ``dates``: dates in order, review file names;
- ``status``: achieved goals, closed cases, the learner's signature, mentor training;
- ``today``: the rules that read today's date, and the extracts of a case they are decided
  on (``dated_facts``; the decisions are in ``pathway_cli.dated``);
- ``plan_quality``: warnings on how well the plan answers the assessment;
- ``text``: control characters, health details reaching the guardian or the employer,
  the report language;
- ``caseload_rules``: pathway.yaml and mentors.yaml (``CASELOAD_RULES``);
- ``running``: the rule lists (``CASE_RULES``, ``DATED_RULES``, ``WARNING_RULES``) and
  running them: ``check_case``, ``validate_caseload``, ``validate_folders``,
  ``validation_result``.

This package re-exports the public API listed in ``__all__``.
"""

from pathway_cli.findings import ValidationResult
from pathway_cli.validation.caseload_rules import CASELOAD_RULES
from pathway_cli.validation.context import Context
from pathway_cli.validation.running import (
    CASE_RULES,
    DATED_RULES,
    WARNING_RULES,
    CheckedCase,
    case_findings,
    caseload_findings,
    check_case,
    validate_caseload,
    validate_folders,
    validation_context,
    validation_result,
)
from pathway_cli.validation.today import dated_facts

__all__ = [
    "CASELOAD_RULES",
    "CASE_RULES",
    "DATED_RULES",
    "WARNING_RULES",
    "CheckedCase",
    "Context",
    "ValidationResult",
    "case_findings",
    "caseload_findings",
    "check_case",
    "dated_facts",
    "validate_caseload",
    "validate_folders",
    "validation_context",
    "validation_result",
]

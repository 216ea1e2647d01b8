"""Caseload rules: pathway.yaml and mentors.yaml (risk thresholds, mentor ids, the
locale, control characters)."""

from __future__ import annotations

from collections.abc import Callable

from pathway_cli.caseload import Caseload
from pathway_cli.findings import Finding
from pathway_cli.validation.context import Context, _duplicates, _f
from pathway_cli.validation.text import _control_findings

__all__ = [
    "CASELOAD_RULES",
    "CaseloadRule",
    "check_locale",
    "check_mentor_pool",
    "check_settings_text",
    "check_thresholds",
]


def check_thresholds(caseload: Caseload, ctx: Context) -> list[Finding]:
    """The red attendance line lies below the amber one; red counts are not below amber."""
    risk = ctx.settings.risk
    if caseload.settings_file is None:
        return []
    path = caseload.settings_file.path
    found = []
    if risk.attendance_red > risk.attendance_amber:
        found.append(_f(path, "settings-thresholds",
                        f"attendance_red ({risk.attendance_red:.0%}) is above attendance_amber "
                        f"({risk.attendance_amber:.0%}); red must be the lower line",
                        ("risk", "attendance_red")))
    for red, amber in (("incidents_red", "incidents_amber"), ("failed_red", "failed_amber")):
        if getattr(risk, red) < getattr(risk, amber):
            found.append(_f(path, "settings-thresholds",
                            f"{red} ({getattr(risk, red)}) is below {amber} "
                            f"({getattr(risk, amber)}); red needs at least as many",
                            ("risk", red)))
    return found


def check_mentor_pool(caseload: Caseload, ctx: Context) -> list[Finding]:
    """Mentor ids are unique in mentors.yaml."""
    pool = caseload.mentors
    if pool is None or caseload.mentors_file is None:
        return []
    return [
        _f(caseload.mentors_file.path, "mentor-duplicate",
           f"the mentor id '{value}' is used twice", ("mentors", index, "id"))
        for index, value in _duplicates(m.id for m in pool.mentors)
    ]


def check_locale(caseload: Caseload, ctx: Context) -> list[Finding]:
    """The team's locale is a language pathway has reports in."""
    from pathway_cli.i18n import language_problem

    problem = language_problem(ctx.settings.locale)
    if caseload.settings_file is None or problem is None:
        return []
    return [_f(caseload.settings_file.path, "locale-unknown", problem, ("locale",))]


CaseloadRule = Callable[[Caseload, Context], list[Finding]]


def check_settings_text(caseload: Caseload, ctx: Context) -> list[Finding]:
    """Control characters in pathway.yaml and mentors.yaml, as in the records."""
    return [f for loaded in (caseload.settings_file, caseload.mentors_file) if loaded is not None
            for f in _control_findings(loaded.source)]


# Caseload rules see the settings and the mentor pool only: on a big caseload the cases are
# checked in worker processes (validate_folders) and caseload.cases stays empty.
CASELOAD_RULES: list[CaseloadRule] = [check_thresholds, check_mentor_pool, check_settings_text,
                                      check_locale]

"""Rules on what the records' text says and to whom: control characters, health details
that reach the guardian or the employer, the learner's report language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pathway_cli.caseload import Case
from pathway_cli.findings import Finding, KeyPath
from pathway_cli.loader import Source
from pathway_cli.models import item_mark, item_text
from pathway_cli.plaintext import control_characters
from pathway_cli.privacy import HealthWords, allowed_sections, goal_section, is_health_professional
from pathway_cli.validation.context import WARNING, Context, _f

__all__ = [
    "check_control_characters",
    "check_health_details",
    "check_report_language",
]


def _control_findings(source: Source) -> list[Finding]:
    """Text values holding control characters (only a double-quoted escape can make one)."""
    text = source.text
    if "\\" not in text and "\x85" not in text:
        return []  # the fast path: YAML refuses raw control characters in a file
    if source.data is None:  # (a cached source parses its text again only here)
        return []
    found: list[Finding] = []

    def walk(value: Any, path: KeyPath) -> None:
        if isinstance(value, str):
            codes = control_characters(value)
            if codes:
                shown = ", ".join(f"0x{ord(c):02x}" for c in codes)
                found.append(_f(source.path, "text-control-characters",
                                f"this text holds control characters ({shown}) that can change "
                                "what a terminal shows; remove them (pathway leaves them out "
                                "when it prints or exports the text)", path, WARNING))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and control_characters(key):
                    walk(key, path)
                walk(item, (*path, key) if isinstance(key, str | int) else path)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(source.data, ())
    return found


def check_control_characters(case: Case, ctx: Context) -> list[Finding]:
    """Warn about escape sequences and other control characters in record text."""
    return [f for loaded in case.files() for f in _control_findings(loaded.source)]


def _outside_readers(case: Case, ctx: Context) -> list[tuple[str, frozenset[str]]]:
    """Guardian and employer, when the learner's consent shares reports with them, each
    with the report sections the settings give them."""
    learner = case.learner
    shared = learner.consent.share_with if learner and learner.consent else []
    return [(audience, allowed_sections(ctx.settings, audience))
            for audience in ("guardian", "employer") if audience in shared]


def check_health_details(case: Case, ctx: Context) -> list[Finding]:
    """Warn when a commitment, entitlement, support item or review summary that reaches the
    guardian or the employer mentions a health need's words or a health professional of the
    team."""
    readers = _outside_readers(case, ctx)
    learner = case.learner
    if not readers or learner is None:
        return []
    words = HealthWords.of(case.assessment.support_needs if case.assessment else (),
                           learner.team)
    health_needs = {n.id for n in case.assessment.support_needs
                    if n.is_sensitive} if case.assessment else set()
    found = []

    def warn(path: Path, key: KeyPath, text: str, what: str, sections: set[str],
             advice: str | None = None) -> None:
        reached = [audience for audience, given in readers if given & sections]
        mention = words.mention(text)
        if reached and mention:
            if advice is None:
                how = ("write it as {text: ..., sensitive: personal}" if what != "support item"
                       else "add 'sensitive: personal' to it")
                advice = (f"to keep it to the team and the learner, {how}, or leave the "
                          "health detail out")
            found.append(_f(
                path, "health-detail-shared",
                f"this {what} reaches the {' and the '.join(reached)} in reports, and "
                f"{mention}; {advice}", key, WARNING))

    contract = case.contract
    if contract is not None and case.contract_file is not None:
        for key in ("learner_commits", "provider_commits", "entitlements"):
            for index, item in enumerate(getattr(contract, key)):
                if item_mark(item) is None:
                    what = "entitlement" if key == "entitlements" else "commitment"
                    warn(case.contract_file.path, (key, index), item_text(item), what,
                         {"contract"})
    plan = case.plan
    if plan is not None and case.plan_file is not None:
        for g_index, goal in enumerate(plan.goals):
            for s_index, support in enumerate(goal.support):
                hidden = (item_mark(support) is not None or health_needs & set(support.needs)
                          or is_health_professional(learner.member(support.owner or "")))
                if not hidden:
                    warn(case.plan_file.path, ("goals", g_index, "support", s_index, "action"),
                         support.action, "support item",
                         {"plan", goal_section(goal.area)})
    for review, loaded in case.reviews_with_files:
        if review.summary is not None:
            warn(loaded.path, ("summary",), review.summary, "review's summary", {"reviews"},
                 "move the health detail to private_notes (kept to the team), or leave it out")
    return found


def check_report_language(case: Case, ctx: Context) -> list[Finding]:
    """The learner's report_language is a language pathway has reports in."""
    learner = case.learner
    if learner is None or case.learner_file is None or learner.report_language is None:
        return []
    from pathway_cli.i18n import language_problem  # Babel: only for a learner who has one

    problem = language_problem(learner.report_language, pair=True)
    if problem is None:
        return []
    return [_f(case.learner_file.path, "report-language-unknown", problem,
               ("report_language",))]

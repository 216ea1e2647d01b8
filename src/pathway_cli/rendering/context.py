"""Report data: what a per-case template is given, derived from the redacted view.

The view holds only what the audience may see (``redaction.redact_case``); names, goal
history, credentials, open actions and who signs are derived from it, every string
Markdown-escaped. Also the report's language(s): ``--lang``, the learner's
``report_language``, or the team's ``locale``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence, Set
from datetime import date
from typing import Any

from pathway_cli.actions import latest_mentions
from pathway_cli.caseload import Case, Caseload
from pathway_cli.errors import UserError
from pathway_cli.i18n import (
    N_,
    Language,
    UnknownLanguage,
    gettext_callables,
    language_problem,
    parse_languages,
)
from pathway_cli.privacy import known_parties
from pathway_cli.redaction import redact_case
from pathway_cli.rendering.escaping import escape_tree, markdown_escape
from pathway_cli.rendering.options import (
    AUDIENCE_WORDS,
    ENGLISH,
    FAMILY_REPORTS,
    RenderOptions,
    ReportUnavailable,
)

__all__ = [
    "case_context",
]


def _goal_history(goal_id: str, reviews: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    history = []
    for review in reviews:
        entry = review["goals"].get(goal_id)
        if entry is not None:
            history.append({"date": review["date"], **entry})
    return history


def _credentials(view: Mapping[str, Any], earned: Set[str]) -> list[dict[str, Any]]:
    """The credentials earned: of the goals in ``earned`` and of hidden skills."""
    found: list[dict[str, Any]] = []
    plan = view["plan"]
    if plan is not None:
        for goal in plan["goals"]:
            if goal["credential"] is not None and goal["id"] in earned:
                found.append({**goal["credential"], "for": goal["goal"], "goal": goal["id"]})
    assessment = view["assessment"]
    if assessment is not None:
        for skill in assessment["hidden_skills"]:
            if skill["credential"] is not None:
                found.append({**skill["credential"], "for": skill["skill"], "goal": None})
    return sorted(found, key=lambda c: (c["date"], c["name"]))


def _signatories(view: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]],
                 template: str) -> list[dict[str, Any]]:
    """Who signs this document: learner and provider always; guardian and employer when
    they are part of the case. Signatures already on the contract are filled in."""
    learner = view["learner"]
    consent = learner.get("consent") or {}
    processing = consent.get("data_processing") or {}
    team = learner.get("team") or []
    key_worker = people.get(learner.get("key_worker") or "")
    programme = learner.get("programme") or {}
    rows: list[dict[str, Any]] = [
        {"party": "learner", "label": N_("Learner"), "name": learner["name"]},
        {"party": "provider",
         "label": N_("Key worker") if template == "plan" else N_("For the provider"),
         "name": key_worker["name"] if key_worker else programme.get("provider")},
    ]
    parent = next((m for m in team if m["role"] in ("parent", "guardian")), None)
    if processing.get("by") == "guardian" or (template == "contract" and parent):
        rows.append({"party": "guardian", "label": N_("Parent or guardian"),
                     "name": parent["name"] if parent else None})
    employer = next((m for m in team if m["role"] == "employer"), None)
    if template == "contract" and employer is not None:
        rows.append({"party": "employer", "label": N_("Employer"), "name": employer["name"]})
    contract = view["contract"] if template == "contract" else None
    signed = {s["party"]: s for s in (contract or {}).get("signatures", [])}
    for row in rows:
        signature = signed.pop(row["party"], None)
        row["date"] = signature["date"] if signature else None
        if signature:
            row["name"] = signature["name"]
    for party, signature in signed.items():
        rows.append({"party": party, "label": party.capitalize(), "name": signature["name"],
                     "date": signature["date"]})
    parties = known_parties(view["audience"])
    return [row for row in rows if row["party"] in parties]


def report_languages(caseload: Caseload, case: Case | None,
                     options: RenderOptions) -> tuple[Language, ...]:
    """The language(s) of a report: ``--lang``, else the learner's ``report_language`` (for
    the learner and guardian), else the team's ``locale``. Two for a bilingual report."""
    wanted = options.lang
    learner = case.learner if case is not None else None
    if wanted is None and learner is not None and learner.report_language \
            and options.audience in ("learner", "guardian"):
        # The family's language where this report is translated into it; else the team's.
        with contextlib.suppress(UnknownLanguage):
            own = parse_languages(learner.report_language)
            if all(lang.covers(options.template) for lang in own) and (
                    len(own) == 1 or options.template in FAMILY_REPORTS):
                wanted = learner.report_language
    if wanted is None:
        wanted = caseload.settings.locale
    try:
        langs = parse_languages(wanted)
    except UnknownLanguage:
        raise UserError(language_problem(wanted, pair=True)
                        or f"'{wanted}' is not a report language",
                        hint="set locale in pathway.yaml, report_language in learner.yaml "
                        "or --lang to one of these") from None
    if len(langs) > 1 and options.template not in FAMILY_REPORTS:
        raise UserError(f"the {options.template} report is not made in two languages "
                        f"(bilingual reports: {', '.join(sorted(FAMILY_REPORTS))})")
    for lang in langs:
        if not lang.covers(options.template):
            covered = ", ".join(sorted(lang.reports or ())) or "none yet"
            raise UserError(f"the {options.template} report is not translated into "
                            f"{lang.name} ({lang.code}) yet (reports in {lang.name}: "
                            f"{covered})")
    return langs


def _report_header(caseload: Caseload, options: RenderOptions,
                   lang: Language) -> dict[str, Any]:
    settings = caseload.settings
    return {
        "template": options.template,
        "audience": options.audience,
        "audience_words": lang.gettext(AUDIENCE_WORDS[options.audience]),
        "date": options.today,
        "organisation": settings.organisation or "",
        "lang": lang.tag,
    }


def _language_context(lang: Language) -> dict[str, Any]:
    """What a template needs to speak ``lang``: its gettext and the language itself."""
    return {"language": lang, **gettext_callables(lang)}


def case_context(caseload: Caseload, case: Case, options: RenderOptions,
                 lang: Language = ENGLISH) -> dict[str, Any]:
    """What a per-case template is given: the redacted view and data derived from it.

    Every string is Markdown-escaped; dates stay dates (format them with the ``date``
    and ``long_date`` filters). The view is made escaped (redaction passes every string
    through ``markdown_escape`` as it goes) and everything is derived from it: ids and
    dates are compared escaped on both sides.
    """
    view = redact_case(case, caseload.settings, options.audience, text=markdown_escape)
    learner = view["learner"]
    learner["display_name"] = learner.get("preferred_name") or learner["name"]
    people = {m["id"]: m for m in (learner.get("team") or [])}
    reviews = view["reviews"]
    goals = []
    plan = view["plan"]
    # The one rule for "earned" (Goal.earned_credential), on the record; ids are escaped
    # in the view, so they are compared escaped.
    earned = {escape_tree(g.id) for g in (case.plan.goals if case.plan else ())
              if g.earned_credential(options.today) is not None}
    for goal in (plan["goals"] if plan else []):
        history = _goal_history(goal["id"], reviews)
        goals.append({**goal, "history": history, "credential_earned": goal["id"] in earned})
    # Each action once, as its latest mention has it (a review may carry it over).
    open_actions = [
        {**action, "overdue": action["due"] is not None and action["due"] < options.today}
        for action in latest_mentions(reviews) if not action["done"]
    ]
    review = _pick_review(reviews, options.review_date) if reviews else None
    latest = reviews[-1] if reviews else None
    return {
        **_language_context(lang),
        "report": {**escape_tree(_report_header(caseload, options, lang)),
                   "withheld": [lang.gettext(w) for w in view["withheld"]],
                   "sections": view["sections"]},
        "learner": learner,
        "key_worker": people.get(learner.get("key_worker") or ""),
        "people": people,
        "assessment": view["assessment"],
        "plan": plan,
        "goals": goals,
        "achieved": [g for g in goals if g["status"] == "achieved"],
        "open_goals": [g for g in goals if g["status"] in ("planned", "in-progress", "at-risk")],
        "credentials": _credentials(view, earned),
        "contract": view["contract"],
        "reviews": reviews,
        "review": review,
        "latest_review": latest,
        "next_review": latest["next_review"] if latest else None,
        "open_actions": open_actions,
        "concerns": [{"date": r["date"], "concern": c} for r in reviews for c in r["concerns"]],
        "signatories": _signatories(view, people, options.template),
    }


def _pick_review(reviews: Sequence[dict[str, Any]], wanted: date | None) -> dict[str, Any]:
    if wanted is None:
        return reviews[-1]
    matching = [r for r in reviews if r["date"] == wanted]
    if not matching:
        dates = ", ".join(r["date"].isoformat() for r in reviews)
        raise ReportUnavailable(f"there is no review on {wanted.isoformat()} (reviews: {dates})")
    return matching[-1]

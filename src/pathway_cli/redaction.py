"""What each report audience may see: consent checks and redaction, on the data.

Reports are personal data. Before any template sees a case, the case is turned into a
plain view (dicts, lists, strings, dates) holding only what the audience may see:

* what each audience may see is decided by the privacy policy (``privacy``); this module
  applies it to a case;
* fields marked sensitive in the model (``sensitivity_of``): ``personal`` fields (date of
  birth, contacts, the well-being plan, the learner's reflection) reach the team and the
  learner only, ``private`` fields (``private_notes``) the team only; so do single items
  marked ``sensitive:`` (commitments, entitlements, support items);
* health support needs (``SupportNeed.is_sensitive``), the support actions that serve
  them, and the health professionals of the team (roles ``health`` and
  ``psychologist``, whose presence alone is health data) reach the team and the learner
  only;
* a contract's signatures reach an audience only for the parties it may know about;
* an achieved goal is 100% of the way (``Goal.progress_made``); which credentials are
  earned is the model's rule too (``Goal.earned_credential``, used by the report data);
* goals of the area ``wellbeing`` belong to the well-being plan and follow it;
* ``extra`` data (free-form, its content unknown) is treated as personal;
* sections (profile, assessment, plan, plan.learning, plan.career, plan.wellbeing,
  contract, reviews) reach an audience only when ``pathway.yaml`` lists them for it.

A withheld field becomes ``None`` (a withheld list item is left out), so a template
written for the team renders for every audience and still cannot print what was removed:
it is not in the data it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pathway_cli.caseload import Case
from pathway_cli.errors import UserError
from pathway_cli.i18n import N_
from pathway_cli.models import (
    Audience,
    Contract,
    Learner,
    Sensitivity,
    Settings,
    sensitivity_of,
)
from pathway_cli.privacy import (
    HEALTH_ROLES,
    PLAN_SECTIONS,
    Kind,
    allowed_sections,
    allows,
    goal_section,
    known_parties,
    may_see,
)

__all__ = [
    "HEALTH_ROLES",
    "PLAN_SECTIONS",
    "ConsentRefused",
    "allowed_sections",
    "check_consent",
    "consent_problem",
    "may_see",
    "redact_case",
    "withheld_sections",
]

# Audiences that need the learner's consent.share_with to name them.
_NEEDS_SHARE_CONSENT: frozenset[str] = frozenset({"guardian", "employer"})
# Fields of learner.yaml that are not part of the "profile" section: who the report is about.
_IDENTITY = ("id", "name", "preferred_name", "status")


class ConsentRefused(UserError):
    """A report refused because the learner's consent does not cover it."""


def consent_problem(learner: Learner, audience: str, file: Path | None = None,
                    today: date | None = None) -> str | None:
    """Why the learner's consent does not allow a report for ``audience``, or None.

    With ``today``, a consent dated later does not count yet.
    """
    where = f" in {file}" if file is not None else ""
    consent = learner.consent
    processing = consent.data_processing if consent else None
    if processing is None or not processing.given:
        return (
            f"{learner.id}: no consent to data processing is recorded "
            f"(consent.data_processing.given: true{where}); no report can be made for anyone"
        )
    if today is not None and processing.date is not None and processing.date > today:
        return (
            f"{learner.id}: the consent to data processing is dated "
            f"{processing.date.isoformat()} (consent.data_processing.date{where}), after "
            f"today ({today.isoformat()}); no report can be made before that day"
        )
    shared = consent.share_with if consent else []
    if audience in _NEEDS_SHARE_CONSENT and audience not in shared:
        named = ", ".join(shared) if shared else "nobody"
        return (
            f"{learner.id}: the learner's consent does not cover reports for the {audience} "
            f"(consent.share_with{where} names {named}); add '{audience}' there only once "
            "the learner (or their guardian) has agreed"
        )
    return None


def check_consent(case: Case, audience: str, today: date | None = None) -> None:
    """Raise ConsentRefused when the case's consent does not allow a report for ``audience``."""
    learner = case.learner
    if learner is None:
        raise UserError(f"{case.id}: learner.yaml is missing or unreadable; run pathway validate")
    file = case.learner_file.path if case.learner_file else None
    problem = consent_problem(learner, audience, file, today)
    if problem is not None:
        raise ConsentRefused(problem)


# --- the view ----------------------------------------------------------------------------


@cache
def _fields_shown(model: type[BaseModel], audience: str) -> tuple[tuple[str, bool], ...]:
    """Each field of ``model`` and whether ``audience`` may see it (a batch asks thousands
    of times for the same few models)."""
    return tuple(
        (name, may_see(audience, Sensitivity.PERSONAL if name == "extra" else sensitivity_of(info)))
        for name, info in model.model_fields.items()
    )


# Values a view holds as they are, by exact type (the quick test; subclasses take the
# general one).
_PLAIN = frozenset({int, float, bool, date})
# Keys of free-form mappings (``extra``, a review's goals) that are words go into a view as
# they are; others are text like any other (a report escapes them).
_WORD_KEY = re.compile(r"\w+")

Text = Callable[[str], Any]


def _as_is(text: str) -> str:
    return text


def _dump(value: Any, audience: str, text: Text = _as_is) -> Any:
    """A model as plain data, with the fields ``audience`` may not see set to None; every
    string (and every key of a mapping that is not a word) passed through ``text``."""
    kind = type(value)
    if kind is str:
        return text(value)
    if value is None or kind in _PLAIN:
        return value
    if isinstance(value, str):
        return text(value)
    if isinstance(value, int | float | bool | date):
        return value
    if isinstance(value, BaseModel):
        out: dict[str, Any] = {}
        for name, shown in _fields_shown(type(value), audience):
            item: Any = getattr(value, name) if shown else None
            # most fields are plain values: taken here rather than through a call each
            kind = type(item)
            out[name] = (text(item) if kind is str
                         else item if item is None or kind in _PLAIN
                         else _dump(item, audience, text))
        return out
    if isinstance(value, list | tuple):
        return [text(item) if (kind := type(item)) is str
                else item if kind in _PLAIN else _dump(item, audience, text) for item in value]
    if isinstance(value, dict):
        return {key if not isinstance(key, str) or _WORD_KEY.fullmatch(key) else text(key):
                _dump(item, audience, text) for key, item in value.items()}
    return text(str(value))


def _marked_visible(record: Any, audience: str) -> bool:
    """False for an item the team marked ``sensitive:`` beyond what ``audience`` may see."""
    mark = getattr(record, "sensitive", None) if isinstance(record, BaseModel) else None
    return may_see(audience, Sensitivity(mark) if mark else None)


def _keep_support(views: list[dict[str, Any]], records: Sequence[BaseModel],
                  hidden_needs: set[str], hidden_people: set[str],
                  audience: str) -> list[dict[str, Any]]:
    """The support actions (their views) that ``audience`` may see, decided on their records."""
    return [
        view for view, record in zip(views, records, strict=True)
        if not hidden_needs.intersection(getattr(record, "needs", None) or ())
        and (getattr(record, "owner", None) or getattr(record, "by", None)) not in hidden_people
        and _marked_visible(record, audience)
    ]


def _contract_view(contract: dict[str, Any], record: Contract,
                   audience: Audience) -> dict[str, Any]:
    """Commitments and entitlements as text, without those marked beyond ``audience``;
    signatures only of the parties ``audience`` may know about."""
    for key in ("learner_commits", "provider_commits", "entitlements"):
        contract[key] = [view["text"] if isinstance(view, dict) else view
                         for view, item in zip(contract[key], getattr(record, key), strict=True)
                         if _marked_visible(item, audience)]
    parties = known_parties(audience)
    contract["signatures"] = [view for view, signature
                              in zip(contract["signatures"], record.signatures, strict=True)
                              if signature.party in parties]
    return contract


def redact_case(case: Case, settings: Settings, audience: Audience, *,
                text: Text = _as_is) -> dict[str, Any]:
    """The case as plain data holding only what ``audience`` may see (see module doc).

    Keys: ``id``, ``audience``, ``sections`` (what the audience may see), ``withheld``
    (what it may not, in words, from the settings alone), ``learner``, ``assessment``,
    ``plan``, ``contract`` (each None when absent or withheld) and ``reviews`` (a list).
    A reference to a withheld team member (owner, assessor, key worker) becomes None.
    Consent is not checked here: see ``check_consent``.

    Every string of the view, and every key of a mapping that is not a word, is passed
    through ``text`` (a report gives its Markdown escaping: the view is then made in one
    walk of the records). What is withheld is decided on the records themselves.
    """
    sections = allowed_sections(settings, audience)
    personal = may_see(audience, Sensitivity.PERSONAL)

    learner = case.learner
    learner_view: dict[str, Any] = (_dump(learner, audience, text) if learner
                                    else {"id": text(case.id)})
    hidden_people: set[str] = set()
    if learner is not None and not allows(Kind.HEALTH_PROFESSIONAL, "report", audience):
        hidden_people = {m.id for m in learner.team if m.role in HEALTH_ROLES}
        learner_view["team"] = [view for view, member
                                in zip(learner_view["team"], learner.team, strict=True)
                                if member.id not in hidden_people]
        if learner.key_worker in hidden_people:
            learner_view["key_worker"] = None
    if "profile" not in sections:
        for key in learner_view:
            if key not in _IDENTITY:
                learner_view[key] = None

    hidden_needs: set[str] = set()
    assessment = case.assessment
    if assessment is not None and not allows(Kind.HEALTH_NEED, "report", audience):
        hidden_needs = {n.id for n in assessment.support_needs if n.is_sensitive}
    assessment_view: dict[str, Any] | None = None
    if assessment is not None and "assessment" in sections:
        assessment_view = _dump(assessment, audience, text)
        assessment_view["support_needs"] = [
            view for view, need
            in zip(assessment_view["support_needs"], assessment.support_needs, strict=True)
            if need.id not in hidden_needs
        ]
        if assessment.assessor in hidden_people:
            assessment_view["assessor"] = None

    plan_view, visible_goals = _plan_view(case, audience, sections, hidden_needs,
                                          hidden_people, text)

    contract_view: dict[str, Any] | None = None
    if case.contract is not None and "contract" in sections:
        contract_view = _contract_view(_dump(case.contract, audience, text), case.contract,
                                       audience)

    reviews_view: list[dict[str, Any]] = []
    if "reviews" in sections:
        for review in case.reviews:
            item = _dump(review, audience, text)
            item["with_"] = [view for view, person in zip(item["with_"], review.with_, strict=True)
                             if person not in hidden_people]
            # from the record: two keys of a review's goals may come out as one text
            item["goals"] = _dump({goal: progress for goal, progress in review.goals.items()
                                   if goal in visible_goals}, audience, text)
            item["actions"] = [view for view, action
                               in zip(item["actions"], review.actions, strict=True)
                               if action.owner not in hidden_people]
            reviews_view.append(item)

    return {
        "id": text(case.id),
        "audience": text(audience),
        "sections": [text(section) for section in sorted(sections)],
        "withheld": [text(words) for words in withheld_sections(sections, personal)],
        "learner": learner_view,
        "assessment": assessment_view,
        "plan": plan_view,
        "contract": contract_view,
        "reviews": reviews_view,
    }


def withheld_sections(sections: frozenset[str], personal: bool) -> list[str]:
    """What an audience does not get, in words, whatever the case holds.

    Derived from the settings alone, so the list never hints at what one learner's
    records contain.
    """
    words = {
        "profile": N_("profile"), "assessment": N_("assessment"),
        "plan.learning": N_("learning plan"), "plan.career": N_("career plan"),
        "contract": N_("contract"), "reviews": N_("reviews"),
    }
    out = [text for key, text in words.items() if key not in sections]
    if not personal or "plan.wellbeing" not in sections:
        out.append(N_("well-being plan"))
    if not personal:
        out.append(N_("personal and health details"))
    return out


def _plan_view(case: Case, audience: str, sections: frozenset[str], hidden_needs: set[str],
               hidden_people: set[str], text: Text) -> tuple[dict[str, Any] | None, set[str]]:
    """The plan's view and the ids of the goals it shows."""
    plan = case.plan
    if plan is None or not sections.intersection(PLAN_SECTIONS):
        return None, set()
    view: dict[str, Any] = _dump(plan, audience, text)
    wellbeing_visible = (allows(Kind.WELLBEING_GOAL, "report", audience)
                         and may_see(audience, Sensitivity.PERSONAL)
                         and "plan.wellbeing" in sections)
    goals = []
    shown: set[str] = set()
    for record, goal in zip(plan.goals, view["goals"], strict=True):
        section = goal_section(record.area)
        if section not in sections or (section == "plan.wellbeing" and not wellbeing_visible):
            continue
        goal["support"] = _keep_support(goal["support"], record.support, hidden_needs,
                                        hidden_people, audience)
        if record.owner in hidden_people:
            goal["owner"] = None
        goal["progress"] = record.progress_made  # an achieved goal is all the way
        goals.append(goal)
        shown.add(record.id)
    view["goals"] = goals
    if "plan.career" not in sections:
        view["career"] = None
    if not wellbeing_visible:
        view["wellbeing"] = None
    elif view["wellbeing"] is not None and plan.wellbeing is not None:
        view["wellbeing"]["actions"] = _keep_support(view["wellbeing"]["actions"],
                                                     plan.wellbeing.actions, set(),
                                                     hidden_people, audience)
    return view, shown

"""Who may see what: the one privacy policy every output asks.

The record model marks sensitive fields (``x-sensitive``: ``personal`` or ``private``)
and lets a team mark single items (``sensitive:`` on a commitment, an entitlement, a
support item). This module turns those marks, and the kinds of data that are sensitive
by what they are, into one decision per kind of data, reader and output:

* ``personal``: fields marked personal (date of birth, contacts, the well-being plan,
  the learner's own ``reflection``) and items marked ``sensitive: personal``;
* ``private``: ``private_notes`` and items marked ``sensitive: private``;
* ``health-need``: a support need of the category ``health``, and the support that
  serves it;
* ``health-professional``: a team member whose role is ``health`` or ``psychologist``
  (their presence alone is health data), wherever they are named: team list, key
  worker, goal owner, support ``by``, review ``with``, action owner;
* ``wellbeing-goal``: the words of a goal of the area ``wellbeing`` (it belongs to the
  well-being plan).

The outputs are the reports (one column per audience), the timeline and the alerts
(team tools read on screens and, for alerts, in scheduled jobs: they keep the words of
personal data out, and alerts name no health professional), and ``summarise``, ``export``
and badges, which leave the team.
``policy_table`` gives the whole policy as rows for the README.

Signatures: each report audience sees the signatures of the parties it may know about
(``known_parties``): an employer does not learn who the learner's guardian is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # not at run time: alerts and the overview decide without the models
    from pathway_cli.models import Audience, Sensitivity, Settings, SupportNeed, TeamMember

__all__ = [
    "COLUMNS",
    "HEALTH_ROLES",
    "PLAN_SECTIONS",
    "Column",
    "HealthWords",
    "Kind",
    "Output",
    "allowed_sections",
    "allows",
    "goal_section",
    "is_health_professional",
    "known_parties",
    "may_see",
    "policy_markdown",
    "policy_table",
    "shown_member",
]

Output = Literal["report", "timeline", "alerts", "summarise", "export", "badges"]
# A column of the policy: a report for one audience, or one of the other outputs.
Column = Literal[
    "report:learner", "report:guardian", "report:employer", "report:team",
    "timeline", "alerts", "summarise", "export", "badges",
]
COLUMNS: tuple[Column, ...] = Column.__args__  # type: ignore[attr-defined]

HEALTH_ROLES: frozenset[str] = frozenset({"health", "psychologist"})
PLAN_SECTIONS: tuple[str, ...] = ("plan", "plan.learning", "plan.career", "plan.wellbeing")
_ALL_SECTIONS: frozenset[str] = frozenset(
    {"profile", "assessment", "contract", "reviews", *PLAN_SECTIONS}
)


class Kind(StrEnum):
    """A kind of sensitive data (see the module doc)."""

    PERSONAL = "personal"
    PRIVATE = "private"
    HEALTH_NEED = "health-need"
    HEALTH_PROFESSIONAL = "health-professional"
    WELLBEING_GOAL = "wellbeing-goal"


# The columns that may show each kind. Reports to the learner and the team carry what the
# learner may know; the timeline (read by the team on screen) names the people around the
# learner but keeps the words of personal data out; alerts also run in scheduled jobs whose
# logs are widely read, so they name no health professional; whatever leaves the team
# (summarise, export, badges) carries none of it.
_SHOWN_IN: dict[Kind, frozenset[Column]] = {
    Kind.PERSONAL: frozenset({"report:learner", "report:team"}),
    Kind.PRIVATE: frozenset({"report:team"}),
    Kind.HEALTH_NEED: frozenset({"report:learner", "report:team"}),
    Kind.HEALTH_PROFESSIONAL: frozenset({"report:learner", "report:team", "timeline"}),
    Kind.WELLBEING_GOAL: frozenset({"report:learner", "report:team"}),
}
_DESCRIPTIONS: dict[Kind, str] = {
    Kind.PERSONAL: "personal: date of birth, contacts, the well-being plan, the learner's "
                   "`reflection`, items marked `sensitive: personal`",
    Kind.PRIVATE: "private: `private_notes`, items marked `sensitive: private`",
    Kind.HEALTH_NEED: "health support needs and the support that serves them",
    Kind.HEALTH_PROFESSIONAL: "health professionals of the team (roles `health`, "
                              "`psychologist`) wherever named",
    Kind.WELLBEING_GOAL: "the words of a well-being goal (area `wellbeing`)",
}

# The contract parties each audience may know about (and so see signatures of).
_KNOWN_PARTIES: dict[str, frozenset[str]] = {
    "learner": frozenset({"learner", "provider", "guardian", "employer"}),
    "team": frozenset({"learner", "provider", "guardian", "employer"}),
    "guardian": frozenset({"learner", "provider", "guardian", "employer"}),
    "employer": frozenset({"learner", "provider", "employer"}),
}

# By the value of ``models.Sensitivity`` (a StrEnum: its members find these keys).
_KIND_OF: dict[str, Kind] = {
    "personal": Kind.PERSONAL,
    "private": Kind.PRIVATE,
}


def _column(output: Output, audience: str | None) -> Column:
    if output == "report":
        if audience not in ("learner", "guardian", "employer", "team"):
            raise ValueError(f"a report needs an audience, not {audience!r}")
        return f"report:{audience}"  # type: ignore[return-value]
    return output


def allows(kind: Kind, output: Output, audience: str | None = None) -> bool:
    """True when ``output`` (a report: for ``audience``) may show data of this kind."""
    return _column(output, audience) in _SHOWN_IN[kind]


def may_see(audience: str, sensitivity: Sensitivity | None) -> bool:
    """True when a report for ``audience`` may show a field of this sensitivity."""
    return sensitivity is None or allows(_KIND_OF[sensitivity], "report", audience)


def is_health_professional(member: TeamMember | None) -> bool:
    """True for a team member whose role is health data (``health``, ``psychologist``)."""
    return member is not None and member.role in HEALTH_ROLES


def shown_member(team: list[TeamMember], member_id: str | None, output: Output,
                 audience: str | None = None) -> str | None:
    """``member_id`` as ``output`` may show it: None for a health professional it may not."""
    if member_id is None:
        return None
    member = next((m for m in team if m.id == member_id), None)
    if is_health_professional(member) and not allows(Kind.HEALTH_PROFESSIONAL, output,
                                                     audience):
        return None
    return member_id


def known_parties(audience: Audience) -> frozenset[str]:
    """The contract parties a report for ``audience`` may name (and show signatures of)."""
    return _KNOWN_PARTIES[audience]


def allowed_sections(settings: Settings, audience: str) -> frozenset[str]:
    """The sections pathway.yaml gives to ``audience``, with ``all`` and ``plan`` expanded."""
    listed = set(settings.audiences.get(audience, []))  # type: ignore[call-overload]
    if "all" in listed:
        return _ALL_SECTIONS
    if "plan" in listed:
        listed.update(PLAN_SECTIONS)
    return frozenset(listed)


def goal_section(area: str) -> str:
    """The report section a goal of this area belongs to."""
    if area == "wellbeing":
        return "plan.wellbeing"
    if area == "career":
        return "plan.career"
    return "plan.learning"


def policy_table() -> list[tuple[str, dict[Column, bool]]]:
    """The whole policy as rows: (description, {column: shown})."""
    return [
        (_DESCRIPTIONS[kind], {column: column in _SHOWN_IN[kind] for column in COLUMNS})
        for kind in Kind
    ]


def policy_markdown() -> str:
    """The policy as the Markdown table the README shows (a test keeps them the same)."""
    heads = [c.replace("report:", "report to ") for c in COLUMNS]
    lines = ["| data | " + " | ".join(heads) + " |",
             "|---|" + "---|" * len(COLUMNS)]
    for description, shown in policy_table():
        cells = ["yes" if shown[c] else "no" for c in COLUMNS]
        lines.append(f"| {description} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# --- recognising health details in free text ---------------------------------------------
# Words too common in a learner's plan to tell a health need from anything else.
_COMMON_WORDS = frozenset("""
    about after again also before being class classes course courses daily days during
    each every exam exams from have into lesson lessons long more most much need needs
    other over plan practice school session sessions some support take test tests than
    that their them then there they this time times very week weekly weeks what when
    where which while with work working would year years
""".split())  # noqa: SIM905 - a word list reads and grows better as text
# Words that name a health professional's field whoever it is.
_HEALTH_STEMS = ("psycholog", "psychiatr", "psychother", "therap")
_WORD = re.compile(r"[^\W\d_]+")
# Titles and particles of a name that say nothing about who it is.
_NAME_NOISE = frozenset({"dr", "prof", "mr", "mrs", "ms", "von", "van", "de", "der", "del"})


def _stem(word: str) -> str:
    word = word.casefold()
    if len(word) > 4 and word.endswith("s"):
        word = word[:-1]
    return word[:6]


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


@dataclass(frozen=True)
class HealthWords:
    """What marks a text as health data for one learner: the words of their health
    support needs and the names of the health professionals around them."""

    need_stems: dict[str, tuple[str, str]]   # stem -> (need id, the word as written)
    people: dict[str, TeamMember]            # name part or id (casefolded) -> member

    @classmethod
    def of(cls, needs: Iterable[SupportNeed], team: Iterable[TeamMember]) -> HealthWords:
        """The health words of a learner's support needs and team."""
        stems: dict[str, tuple[str, str]] = {}
        for need in needs:
            if not need.is_sensitive:
                continue
            for word in _words(need.need):
                if len(word) >= 4 and word not in _COMMON_WORDS:
                    stems.setdefault(_stem(word), (need.id, word))
        people: dict[str, TeamMember] = {}
        for member in team:
            if not is_health_professional(member):
                continue
            people[member.id.casefold()] = member
            for part in _words(member.name):
                if len(part) >= 3 and part not in _NAME_NOISE:
                    people[part] = member
        return cls(stems, people)

    def mention(self, text: str) -> str | None:
        """What in ``text`` is a health detail, in words for a message, or None."""
        words = _words(text)
        for word in words:
            member = self.people.get(word)
            if member is not None:
                return f"names {member.name}, a health professional ({member.role}) of the team"
        for word in words:
            if word.startswith(_HEALTH_STEMS):
                return f"'{word}' names a health professional's field"
            found = self.need_stems.get(_stem(word)) if len(word) >= 4 else None
            if found is not None and word not in _COMMON_WORDS:
                return f"'{word}' is a word of the health support need {found[0]}"
        return None

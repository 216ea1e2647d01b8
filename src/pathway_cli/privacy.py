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
(team tools that are read on screens and in scheduled jobs, so they keep the words of
personal data out), and ``summarise``, ``export`` and badges, which leave the team.
``policy_table`` gives the whole policy as rows for the README.

Signatures: each report audience sees the signatures of the parties it may know about
(``known_parties``): an employer does not learn who the learner's guardian is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pathway_cli.models import Audience, Sensitivity, TeamMember

__all__ = [
    "COLUMNS",
    "HEALTH_ROLES",
    "Column",
    "Kind",
    "Output",
    "allows",
    "is_health_professional",
    "known_parties",
    "may_see",
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


class Kind(StrEnum):
    """A kind of sensitive data (see the module doc)."""

    PERSONAL = "personal"
    PRIVATE = "private"
    HEALTH_NEED = "health-need"
    HEALTH_PROFESSIONAL = "health-professional"
    WELLBEING_GOAL = "wellbeing-goal"


# The columns that may show each kind. Reports to the learner and the team carry what the
# learner may know; the timeline and alerts name the people around the learner but keep
# the words of personal data out; whatever leaves the team carries none of it.
_SHOWN_IN: dict[Kind, frozenset[Column]] = {
    Kind.PERSONAL: frozenset({"report:learner", "report:team"}),
    Kind.PRIVATE: frozenset({"report:team"}),
    Kind.HEALTH_NEED: frozenset({"report:learner", "report:team"}),
    Kind.HEALTH_PROFESSIONAL: frozenset({"report:learner", "report:team", "timeline",
                                         "alerts"}),
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

_KIND_OF: dict[Sensitivity, Kind] = {
    Sensitivity.PERSONAL: Kind.PERSONAL,
    Sensitivity.PRIVATE: Kind.PRIVATE,
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


def policy_table() -> list[tuple[str, dict[Column, bool]]]:
    """The whole policy as rows: (description, {column: shown})."""
    return [
        (_DESCRIPTIONS[kind], {column: column in _SHOWN_IN[kind] for column in COLUMNS})
        for kind in Kind
    ]

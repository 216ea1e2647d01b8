"""learner.yaml: the learner, the programme, the team around the learner, consent, and
the follow-ups and earlier closings of the case."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from pathway_cli.models.fields import (
    CLOSED_STATUSES,
    Audience,
    EndReason,
    Flag,
    Group,
    Id,
    IsoDate,
    Mode,
    Record,
    Role,
    Status,
    Text,
    _sensitive,
)
from pathway_cli.terms import Destination, Outcome

__all__ = [
    "Consent",
    "ConsentEntry",
    "FollowUp",
    "Learner",
    "PastClosure",
    "Programme",
    "TeamMember",
]


class Programme(Record):
    """The VET programme the learner follows."""

    title: Text
    provider: Text | None = None
    mode: Mode | None = None
    sector: Text | None = None
    start: IsoDate | None = None
    expected_end: IsoDate | None = None


class TeamMember(Record):
    """Someone around the learner: coach, mentor, teacher, employer, parent..."""

    id: Id
    name: Text
    role: Role
    organisation: Text | None = None
    contact: Text | None = _sensitive(default=None)
    independent: Flag | None = None
    trained: IsoDate | None = Field(default=None, description="Date of mentor training.")
    since: IsoDate | None = Field(default=None, description="First day in the learner's team.")
    until: IsoDate | None = Field(
        default=None, description="Last day in the learner's team (the relationship ended).")
    end_reason: EndReason | None = Field(default=None, description="Why the relationship ended.")

    def current(self, on: date) -> bool:
        """True unless the relationship ended before ``on``."""
        return self.until is None or self.until >= on


class ConsentEntry(Record):
    """Consent to process the learner's data."""

    given: Flag
    date: IsoDate | None = None
    by: Literal["learner", "guardian"] | None = None


class Consent(Record):
    """What the learner (or guardian) agreed to."""

    data_processing: ConsentEntry | None = None
    share_with: list[Audience] = Field(default_factory=list)


class FollowUp(Record):
    """Where a learner is some months after the case closed (tracking after leaving)."""

    date: IsoDate
    destination: Destination
    note: Text | None = _sensitive(default=None)


class PastClosure(Record):
    """An earlier closing of a case the learner came back to (``pathway reopen``)."""

    closed: IsoDate
    outcome: Outcome
    reopened: IsoDate


class Learner(Record):
    """learner.yaml: profile, programme, team around the learner, consent."""

    id: Id
    name: Text
    preferred_name: Text | None = None
    date_of_birth: IsoDate | None = _sensitive(default=None)
    languages: list[Text] = Field(default_factory=list)
    report_language: Text | None = Field(
        default=None, description="Language of the learner's and guardian's reports, e.g. uk "
        "(the team's locale when absent); uk+de for a bilingual family report.")
    status: Status
    opened: IsoDate
    closed: IsoDate | None = None
    outcome: Outcome | None = None
    history: list[PastClosure] = Field(
        default_factory=list, description="Earlier closings of this case, oldest first.")
    follow_ups: list[FollowUp] = Field(
        default_factory=list, description="Contacts after the case closed, oldest first.")
    groups: list[Group] = Field(default_factory=list)
    programme: Programme | None = None
    key_worker: Id | None = None
    team: list[TeamMember] = Field(default_factory=list)
    interests: list[Text] = Field(default_factory=list)
    aspirations: list[Text] = Field(default_factory=list)
    consent: Consent | None = None

    @property
    def display_name(self) -> str:
        """The name to address the learner by."""
        return self.preferred_name or self.name

    @property
    def is_closed(self) -> bool:
        """True when the case is completed or left."""
        return self.status in CLOSED_STATUSES

    def member(self, member_id: str) -> TeamMember | None:
        """The team member with this id, if any."""
        return next((m for m in self.team if m.id == member_id), None)

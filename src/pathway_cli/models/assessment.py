"""assessment.yaml: the initial assessment: skills, prior learning, hidden skills and
their credentials, strengths, barriers and support needs."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from pathway_cli.models.fields import (
    CredentialType,
    Id,
    IsoDate,
    LearningKind,
    NeedCategory,
    Record,
    Scale,
    Text,
)

__all__ = [
    "Assessment",
    "Credential",
    "HiddenSkill",
    "PriorLearning",
    "SkillLevel",
    "SupportNeed",
]


class SkillLevel(Record):
    """A skill level on the 1-5 scale, with its evidence."""

    level: Scale
    evidence: Text | None = None
    note: Text | None = None


class PriorLearning(Record):
    """Formal, non-formal or informal learning before the programme."""

    what: Text
    kind: LearningKind | None = None
    year: Annotated[int, Field(strict=True, ge=1900, le=2100)] | None = None


class Credential(Record):
    """A recognition of an achievement: badge, micro-credential, certificate."""

    type: CredentialType
    name: Text
    issuer: Text
    date: IsoDate
    description: Text | None = None
    url: Text | None = None


class HiddenSkill(Record):
    """A skill not yet formally recognised."""

    skill: Text
    evidence: Text | None = None
    credential: Credential | None = None


class SupportNeed(Record):
    """A support need found in the assessment; health needs are sensitive."""

    id: Id
    category: NeedCategory
    need: Text
    support: Text | None = None

    @property
    def is_sensitive(self) -> bool:
        """Health needs are health data: personal, never shown to guardian or employer."""
        return self.category == "health"


class Assessment(Record):
    """assessment.yaml: the initial assessment."""

    date: IsoDate
    assessor: Id
    skills: dict[str, SkillLevel] = Field(default_factory=dict)
    self_assessment: dict[str, Scale] = Field(default_factory=dict)
    motivation: Scale | None = None
    prior_learning: list[PriorLearning] = Field(default_factory=list)
    hidden_skills: list[HiddenSkill] = Field(default_factory=list)
    strengths: list[Text] = Field(default_factory=list)
    barriers: list[Text] = Field(default_factory=list)
    support_needs: list[SupportNeed] = Field(default_factory=list)

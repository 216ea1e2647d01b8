"""The caseload's own files: mentors.yaml (the pool of mentors and coaches) and
pathway.yaml (risk thresholds, audiences, the badge issuer, the matching weights)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from pathway_cli.models.fields import (
    Audience,
    Days,
    Flag,
    Id,
    IsoDate,
    MentorKind,
    Rate,
    Record,
    Section,
    Text,
    Weekday,
    _sensitive,
)

__all__ = [
    "DEFAULT_AUDIENCES",
    "Issuer",
    "Margin",
    "MatchWeights",
    "Mentor",
    "MentorPool",
    "RiskThresholds",
    "Settings",
    "Weight",
]


# --- mentors.yaml ------------------------------------------------------------------------


class Mentor(Record):
    """A mentor or coach in the pool."""

    id: Id
    name: Text
    kind: MentorKind
    sectors: list[Text] = Field(default_factory=list)
    languages: list[Text] = Field(default_factory=list)
    interests: list[Text] = Field(default_factory=list)
    capacity: Annotated[int, Field(strict=True, ge=0, le=100)] = 1
    trained: IsoDate | None = None
    independent: Flag | None = None
    available: list[Weekday] = Field(default_factory=list)
    organisation: Text | None = None
    contact: Text | None = _sensitive(default=None)


class MentorPool(Record):
    """mentors.yaml: the pool of mentors and coaches."""

    mentors: list[Mentor] = Field(default_factory=list)


# --- pathway.yaml ------------------------------------------------------------------------


# How much higher the attendance lines sit in a risky window: at most 50 points.
Margin = Annotated[float, Field(strict=True, ge=0, le=0.5, allow_inf_nan=False)]


class RiskThresholds(Record):
    """Early-warning thresholds."""

    attendance_amber: Rate = 0.85
    attendance_red: Rate = 0.70
    attendance_drop: Rate = 0.15
    wellbeing_drop: Annotated[int, Field(strict=True, ge=1, le=4)] = 2
    review_grace_days: Days = 7
    unsigned_contract_days: Days = 21
    no_plan_days: Days = 28
    engagement_drop: Annotated[int, Field(strict=True, ge=1, le=4)] = 2
    engagement_red: Annotated[int, Field(strict=True, ge=1, le=5)] = Field(
        2, description="engagement-drop is red when engagement ends at this or lower.")
    incidents_amber: Annotated[int, Field(strict=True, ge=1, le=999)] = 3
    incidents_red: Annotated[int, Field(strict=True, ge=1, le=999)] = 6
    failed_amber: Annotated[int, Field(strict=True, ge=1, le=99)] = 1
    failed_red: Annotated[int, Field(strict=True, ge=1, le=99)] = 2
    first_year_days: Days = Field(
        365, description="Days from the programme start with tighter lines (0: off).")
    tighter_attendance: Margin = Field(
        0.05, description="In the first year and for the transition group, the attendance "
        "lines are this much higher.")
    tighter_review_grace_days: Days = Field(
        3, description="In the first year and for the transition group, the review grace.")
    follow_up_months: list[Annotated[int, Field(strict=True, ge=1, le=120)]] = Field(
        default_factory=lambda: [3, 6, 12], max_length=12,
        description="Months after closing when a follow-up is due.")


def _default_audiences() -> dict[Audience, list[Section]]:
    return {
        "learner": ["profile", "assessment", "plan", "contract", "reviews"],
        "guardian": ["profile", "plan", "contract", "reviews"],
        "employer": ["profile", "plan.learning", "plan.career", "contract"],
        "team": ["all"],
    }


DEFAULT_AUDIENCES = _default_audiences()


class Issuer(Record):
    """The organisation that issues badges (Open Badges 3.0 issuer profile)."""

    id: Text | None = Field(
        None, description="A URI that identifies the issuer of unsigned badges, e.g. "
        "https://school.example/issuer.json (signed badges are issued by the key's DID).")
    name: Text | None = None
    url: Text | None = Field(
        None, description="The school's https address; when set, signed badges are issued "
        "by its did:web and carry a revocation status entry.")
    email: Text | None = None


Weight = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class MatchWeights(Record):
    """Points each mentor-matching factor adds to a learner-mentor pair (``pathway match``).

    A pair's score is its points divided by the most points any pair can earn, so 1.0 is
    a perfect fit. Set a weight to 0 to switch its factor off.
    """

    sector: Weight = Field(3.0, description="The mentor knows the learner's sector.")
    language: Weight = Field(1.0, description="Mentor and learner share a language.")
    home_language: Weight = Field(
        0.5, description="They share a language other than the language of instruction.")
    migrant_language: Weight = Field(
        2.0, description="As home_language, for a learner in the migrant group (replaces it).")
    interest: Weight = Field(0.75, description="Per shared interest, up to max_interests.")
    max_interests: Annotated[int, Field(strict=True, ge=0, le=100)] = 2
    availability: Weight = Field(0.25, description="Per weekday the mentor can meet, up to "
                                 "max_days.")
    max_days: Annotated[int, Field(strict=True, ge=0, le=7)] = 3
    independent: Weight = Field(
        1.0, description="The mentor is independent of the provider and the employer.")
    peer_social: Weight = Field(
        1.5, description="A peer mentor for a learner with social or motivational needs.")
    experienced_work_based: Weight = Field(
        1.0, description="A professional or retired professional for a work-based learner.")
    min_score: Annotated[float, Field(ge=0, le=1)] = Field(
        0.2, description="Pairs scoring below this (0-1) are never proposed.")


class Settings(Record):
    """pathway.yaml: caseload settings."""

    organisation: Text | None = None
    locale: Text = "en"
    review_every_days: Annotated[int, Field(strict=True, ge=1, le=3650)] = 28
    risk: RiskThresholds = Field(default_factory=RiskThresholds)
    audiences: dict[Audience, list[Section]] = Field(default_factory=_default_audiences)
    issuer: Issuer | None = None
    matching: MatchWeights = Field(
        default_factory=MatchWeights,
        description="Weights of the mentor-matching factors (pathway match).",
    )
    instruction_language: Text | None = Field(
        default=None, description="Language of instruction, e.g. de."
    )
    max_record_bytes: Annotated[int, Field(strict=True, ge=1024, le=256 * 1024 * 1024)] = Field(
        default=1024 * 1024,
        description="Record files larger than this (bytes) are refused unread.",
    )

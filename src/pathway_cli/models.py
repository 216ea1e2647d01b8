"""The record model: one pydantic class per record kind of FORMAT.md.

Shapes only: cross-file rules (ids, references, date order) live in ``validation``.
Every model forbids unknown keys, except under a key named ``extra``, which any
mapping may carry for a team's own data. Sensitive fields carry a mark in their
JSON-schema metadata (``x-sensitive``) that reports use to redact.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    WithJsonSchema,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from pathway_cli.dates import FIRST_YEAR, LAST_YEAR

__all__ = [
    "AUDIENCES",
    "DEFAULT_AUDIENCES",
    "ID_PATTERN",
    "RECORD_KINDS",
    "SECTIONS",
    "Assessment",
    "Audience",
    "Contract",
    "ContractEntry",
    "ContractItem",
    "Credential",
    "FollowUp",
    "Goal",
    "Incidents",
    "Learner",
    "MatchWeights",
    "Mentor",
    "MentorPool",
    "PastClosure",
    "Plan",
    "Record",
    "Results",
    "Review",
    "Sensitivity",
    "SensitivityMark",
    "Settings",
    "SupportNeed",
    "TeamMember",
    "annotation_at",
    "item_mark",
    "item_text",
    "model_at",
    "sensitivity_of",
    "step_annotation",
    "unwrap_annotation",
]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_PERCENT_RE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*")


class Sensitivity(StrEnum):
    """Who may see a sensitive field.

    ``personal``: the team and the learner it is about (date of birth, contacts, health
    needs, the well-being plan). ``private``: the team only (``private_notes``).
    """

    PERSONAL = "personal"
    PRIVATE = "private"


def _sensitive(level: Sensitivity = Sensitivity.PERSONAL, **kwargs: Any) -> Any:
    return Field(json_schema_extra={"x-sensitive": level.value}, **kwargs)


def sensitivity_of(field: FieldInfo) -> Sensitivity | None:
    """The sensitivity mark of a model field, if it has one."""
    extra = field.json_schema_extra
    if isinstance(extra, dict):
        mark = extra.get("x-sensitive")
        if isinstance(mark, str):
            return Sensitivity(mark)
    return None


# --- value types -------------------------------------------------------------------------


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise PydanticCustomError(
            "date_with_time", "give a date only, without a time: write {value}",
            {"value": value.date().isoformat()},
        )
    if isinstance(value, date):
        return _in_range(value)
    if isinstance(value, str):
        if not _DATE_RE.fullmatch(value):
            raise PydanticCustomError(
                "date_format", "write the date as YYYY-MM-DD (for example 2026-09-01), not "
                "'{value}'", {"value": value},
            )
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "date_impossible", "{value} is not a real calendar date; check the month "
                "(01-12) and the day", {"value": value},
            ) from None
        return _in_range(day)
    raise PydanticCustomError(
        "date_type", "expected a date written as YYYY-MM-DD, found {value}",
        {"value": repr(value)},
    )


def _in_range(day: date) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise PydanticCustomError(
            "date_range", "{value} is outside the years {first}-{last}; check the year",
            {"value": day.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return day


def _to_rate(value: Any) -> float:
    number: float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        match = _PERCENT_RE.fullmatch(value)
        if match:
            number = float(match.group(1)) / 100
    if number is None or not 0.0 <= number <= 1.0:
        raise PydanticCustomError(
            "rate", "a rate is a number from 0.0 to 1.0 (0.86) or a percentage ('86%'), "
            "not {value}", {"value": repr(value)},
        )
    return number


IsoDate = Annotated[
    date,
    PlainValidator(_to_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _DATE_PATTERN}),
]
Rate = Annotated[
    float,
    PlainValidator(_to_rate),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^\s*(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)\s*%\s*$"},
            ]
        }
    ),
]
Scale = Annotated[int, Field(strict=True, ge=1, le=5)]
Percent = Annotated[int, Field(strict=True, ge=0, le=100)]
# Ten years: beyond that a number of days is a typing mistake (and overflows date sums).
Days = Annotated[int, Field(strict=True, ge=0, le=3650)]
Id = Annotated[str, Field(strict=True, pattern=ID_PATTERN)]
Text = Annotated[str, Field(strict=True)]
# A YAML boolean only: "y", "1", 1.0 or "TRUE" in quotes are not a consent, nor a "done".
Flag = Annotated[bool, Field(strict=True)]

Status = Literal["referred", "active", "paused", "completed", "left"]
CLOSED_STATUSES = ("completed", "left")
Outcome = Literal["completed", "transferred", "employed", "dropped-out", "re-engaged", "other"]
Group = Literal[
    "early-leaver", "at-risk", "transition", "low-performing", "migrant", "vet-school",
    "vet-work-based", "re-entry",
]
Mode = Literal["school-based", "work-based", "dual", "second-chance", "other"]
Role = Literal[
    "coach", "mentor", "peer-mentor", "teacher", "trainer", "counsellor", "social-worker",
    "psychologist", "health", "employer", "parent", "guardian", "other",
]
MENTOR_ROLES = ("mentor", "peer-mentor")
Audience = Literal["learner", "guardian", "employer", "team"]
AUDIENCES: tuple[Audience, ...] = ("learner", "guardian", "employer", "team")
NeedCategory = Literal["learning", "language", "health", "social", "financial", "other"]
GoalArea = Literal["learning", "career", "wellbeing", "attendance", "basic-skills", "social"]
GoalStatus = Literal["planned", "in-progress", "achieved", "at-risk", "dropped"]
OPEN_GOAL_STATUSES = ("planned", "in-progress", "at-risk")
ReviewKind = Literal["mentoring", "coaching", "progress-review", "case-conference", "check-in"]
Party = Literal["learner", "guardian", "provider", "employer"]
MentorKind = Literal["professional", "volunteer", "peer", "retired-professional"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
LearningKind = Literal["formal", "non-formal", "informal"]
CredentialType = Literal["badge", "micro-credential", "certificate", "other"]
EndReason = Literal[
    "completed", "mentor-left", "learner-request", "mismatch", "case-closed", "other",
]
Destination = Literal["education", "training", "employment", "NEET", "unknown"]
IncidentKind = Literal[
    "lateness", "truancy", "disruption", "conflict", "bullying", "damage", "exclusion", "other",
]
Trend = Literal["rising", "steady", "falling"]

# Report sections an audience may be given in pathway.yaml.
Section = Literal[
    "all", "profile", "assessment", "plan", "plan.learning", "plan.career", "plan.wellbeing",
    "contract", "reviews",
]
SECTIONS: tuple[str, ...] = Section.__args__  # type: ignore[attr-defined]
# The mark a team puts on one item (a commitment, a support item) that is sensitive.
SensitivityMark = Literal["personal", "private"]


class Record(BaseModel):
    """Base of every mapping in a record: unknown keys are refused, ``extra`` is free."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False)

    extra: Any = Field(default=None, description="Free-form data of the team's own.")


# --- learner.yaml ------------------------------------------------------------------------


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


# --- assessment.yaml ---------------------------------------------------------------------


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


# --- plan.yaml ---------------------------------------------------------------------------


class SupportAction(Record):
    """What the team does for a goal (or for the learner's well-being).

    Who does it is ``owner``, the word goals and review actions use; ``by`` is the older
    word and still read (validation warns). Both attributes hold the same id once loaded.
    """

    action: Text
    owner: Id | None = Field(default=None, description="Team id of whoever does it.")
    by: Id | None = Field(default=None, description="Older word for 'owner'.")
    needs: list[Id] = Field(default_factory=list)
    sensitive: SensitivityMark | None = Field(
        default=None, description="personal: the team and the learner only; private: the "
        "team only.")

    @model_validator(mode="after")
    def _one_owner(self) -> SupportAction:
        if self.owner and self.by and self.owner != self.by:
            raise PydanticCustomError(
                "owner_twice", "give one 'owner:' only ('by:' is the older word for it)", {},
            )
        # Through __dict__: the word that was written stays the only one "set", which is
        # how validation tells an older 'by:' from 'owner:'.
        self.__dict__["owner"] = self.__dict__["by"] = self.owner or self.by
        return self


class Goal(Record):
    """A measurable goal of the individual plan."""

    id: Id
    area: GoalArea
    goal: Text
    measure: Text
    target: Text
    baseline: Text | None = None
    due: IsoDate
    owner: Id
    support: list[SupportAction] = Field(default_factory=list)
    status: GoalStatus
    progress: Percent | None = None
    note: Text | None = Field(default=None, description="The latest word on the goal's progress.")
    achieved_on: IsoDate | None = None
    credential: Credential | None = None

    @property
    def is_open(self) -> bool:
        """Planned, in progress or at risk."""
        return self.status in OPEN_GOAL_STATUSES

    @property
    def progress_made(self) -> int | None:
        """The progress to show: an achieved goal is all the way (100), whatever the file
        last said; otherwise ``progress``."""
        return 100 if self.status == "achieved" else self.progress

    def earned_credential(self, today: date) -> Credential | None:
        """The goal's credential once it is earned, else None.

        The one rule for every output (reports, timeline, badges): a credential is earned
        only by an achieved goal, on its ``achieved_on`` date, and not before that day.
        """
        if self.credential is None or self.status != "achieved" or self.achieved_on is None:
            return None
        return self.credential if self.achieved_on <= today else None


class Career(Record):
    """The career part of the plan."""

    objective: Text | None = None
    next_steps: list[Text] = Field(default_factory=list)


class Wellbeing(Record):
    """The individual health and well-being plan (sensitive as a whole)."""

    needs: list[Text] = Field(default_factory=list)
    actions: list[SupportAction] = Field(default_factory=list)


class Plan(Record):
    """plan.yaml: the individual learning, career and well-being plan."""

    agreed: IsoDate
    revised: IsoDate | None = None
    goals: list[Goal] = Field(min_length=1)
    career: Career | None = None
    wellbeing: Wellbeing | None = _sensitive(default=None)

    def goal(self, goal_id: str) -> Goal | None:
        """The goal with this id, if any."""
        return next((g for g in self.goals if g.id == goal_id), None)


# --- contract.yaml -----------------------------------------------------------------------


class Signature(Record):
    """One party's signature on the contract."""

    party: Party
    name: Text
    date: IsoDate


class ContractItem(Record):
    """A commitment or entitlement written as a block, to mark it sensitive."""

    text: Text
    sensitive: SensitivityMark | None = Field(
        default=None, description="personal: the team and the learner only; private: the "
        "team only.")


def _entry_kind(value: Any) -> str:
    return "<item>" if isinstance(value, dict | ContractItem) else "<text>"


# A commitment or entitlement: plain text, or {text: ..., sensitive: personal|private}.
# The discriminator gives one clear message per wrong entry (not one per alternative);
# its tags are in angle brackets so that messages can leave them out of key paths.
ContractEntry = Annotated[
    Annotated[Text, Tag("<text>")] | Annotated[ContractItem, Tag("<item>")],
    Discriminator(_entry_kind),
]


def item_text(item: ContractEntry) -> str:
    """The words of a commitment or entitlement, however it is written."""
    return item if isinstance(item, str) else item.text


def item_mark(item: ContractEntry | SupportAction) -> Sensitivity | None:
    """The sensitivity a team gave one item, if any."""
    mark = None if isinstance(item, str) else item.sensitive
    return Sensitivity(mark) if mark else None


class Contract(Record):
    """contract.yaml: the learning contract both sides sign."""

    version: Annotated[int, Field(strict=True, ge=1)]
    start: IsoDate
    end: IsoDate
    learner_commits: list[ContractEntry] = Field(min_length=1)
    provider_commits: list[ContractEntry] = Field(min_length=1)
    entitlements: list[ContractEntry] = Field(default_factory=list)
    signatures: list[Signature] = Field(default_factory=list)

    def signed_by(self, party: str) -> Signature | None:
        """The first signature of ``party``, if any."""
        return next((s for s in self.signatures if s.party == party), None)

    @property
    def in_force(self) -> bool:
        """A contract is in force once learner and provider have signed."""
        return self.signed_by("learner") is not None and self.signed_by("provider") is not None

    @property
    def in_force_on(self) -> date | None:
        """The day the contract came into force: the later of the learner's and the
        provider's signatures (None while one is missing)."""
        learner, provider = self.signed_by("learner"), self.signed_by("provider")
        if learner is None or provider is None:
            return None
        return max(learner.date, provider.date)


# --- reviews/YYYY-MM-DD.yaml -------------------------------------------------------------


class GoalProgress(Record):
    """Progress on one plan goal reported at a review."""

    status: GoalStatus | None = None
    progress: Percent | None = None
    note: Text | None = None


class ReviewAction(Record):
    """An action agreed at a review."""

    action: Text
    owner: Id
    by: Id | None = Field(default=None, description="Older word for 'owner'.")
    due: IsoDate | None = None
    done: Flag = False

    @model_validator(mode="before")
    @classmethod
    def _by_is_owner(cls, data: Any) -> Any:
        # Plan support said 'by:' in format v1; the same word is read here too.
        if isinstance(data, dict) and "owner" not in data and "by" in data:
            return {**data, "owner": data["by"]}
        return data

    @model_validator(mode="after")
    def _one_owner(self) -> ReviewAction:
        if self.by and self.by != self.owner:
            raise PydanticCustomError(
                "owner_twice", "give one 'owner:' only ('by:' is the older word for it)", {},
            )
        self.__dict__["by"] = self.owner  # not marked as set: see SupportAction
        return self


class Incidents(Record):
    """Behaviour since the last review: how many incidents, of which kinds."""

    count: Annotated[int, Field(strict=True, ge=0, le=999)]
    kinds: list[IncidentKind] = Field(default_factory=list)
    note: Text | None = _sensitive(Sensitivity.PRIVATE, default=None)


class Results(Record):
    """Course performance since the last review: assessments passed and failed, grade trend."""

    passed: Annotated[int, Field(strict=True, ge=0, le=99)] = 0
    failed: Annotated[int, Field(strict=True, ge=0, le=99)] = 0
    trend: Trend | None = None
    note: Text | None = None


class Review(Record):
    """reviews/YYYY-MM-DD.yaml: one review or session."""

    date: IsoDate
    kind: ReviewKind
    with_: list[Id] = Field(alias="with")
    attendance: Rate | None = None
    wellbeing: Scale | None = None
    engagement: Scale | None = None
    incidents: Incidents | None = None
    results: Results | None = None
    goals: dict[str, GoalProgress] = Field(default_factory=dict)
    summary: Text | None = None
    reflection: Text | None = _sensitive(default=None)
    private_notes: Text | None = _sensitive(Sensitivity.PRIVATE, default=None)
    concerns: list[Text] = Field(default_factory=list)
    actions: list[ReviewAction] = Field(default_factory=list)
    next_review: IsoDate


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


RECORD_KINDS: dict[str, type[Record]] = {
    "settings": Settings,
    "mentors": MentorPool,
    "learner": Learner,
    "assessment": Assessment,
    "plan": Plan,
    "contract": Contract,
    "review": Review,
}


# --- model introspection -----------------------------------------------------------------
# Shared by shape messages ("did you mean") and by `pathway set` (typing a value by the
# field it goes into): both need the annotation at a key path inside a record.


def unwrap_annotation(annotation: Any) -> list[Any]:
    """The concrete types inside Annotated, Optional and other unions."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return unwrap_annotation(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in unwrap_annotation(arg)]
    return [annotation]


def step_annotation(annotation: Any, part: str | int) -> Any:
    """The annotation one step down: a list item, a dict value or a model field."""
    for candidate in unwrap_annotation(annotation):
        origin = typing.get_origin(candidate)
        if origin is list and isinstance(part, int):
            return typing.get_args(candidate)[0]
        if origin is dict:
            return typing.get_args(candidate)[1]
        if (isinstance(candidate, type) and issubclass(candidate, BaseModel)
                and isinstance(part, str)):
            if part == "extra":
                return Any
            for name, info in candidate.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
    return None


def annotation_at(model: type[BaseModel], key_path: tuple[str | int, ...]) -> Any:
    """The annotation of the value at ``key_path`` in ``model`` (None: no such field)."""
    annotation: Any = model
    for part in key_path:
        if annotation is Any or annotation is None:
            return annotation
        annotation = step_annotation(annotation, part)
    return annotation


def model_at(model: type[BaseModel], key_path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class of the mapping at ``key_path``, if it is a model."""
    annotation = annotation_at(model, key_path)
    if annotation is None or annotation is Any:
        return None
    for candidate in unwrap_annotation(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None

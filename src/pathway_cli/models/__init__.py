"""The record model: one pydantic class per record kind of FORMAT.md.

Shapes only: cross-file rules (ids, references, date order) live in ``validation``.
Every model forbids unknown keys, except under a key named ``extra``, which any
mapping may carry for a team's own data. Sensitive fields carry a mark in their
JSON-schema metadata (``x-sensitive``) that reports use to redact.

The records, one module each (imports run one way, top to bottom):

- ``fields``: the field types every record shares (dates, rates, scales, ids), the
  sensitivity marks, the vocabularies and the ``Record`` base;
- ``learner``: learner.yaml (``Learner``, ``TeamMember``, consent, follow-ups);
- ``assessment``: assessment.yaml (``Assessment``, ``Credential``, ``SupportNeed``);
- ``plan``: plan.yaml (``Plan``, ``Goal``, ``SupportAction``);
- ``contract``: contract.yaml (``Contract``, its entries and signatures);
- ``review``: reviews/YYYY-MM-DD.yaml (``Review``, ``ReviewAction``);
- ``settings``: mentors.yaml (``MentorPool``) and pathway.yaml (``Settings``);
- ``introspection``: ``RECORD_KINDS`` and the annotation at a key path inside a record.

This package re-exports the public names of every module listed in ``__all__``, and the
choice vocabularies of ``pathway_cli.terms`` the records use.
"""

from pathway_cli.models.assessment import (
    Assessment,
    Credential,
    HiddenSkill,
    PriorLearning,
    SkillLevel,
    SupportNeed,
)
from pathway_cli.models.contract import (
    Contract,
    ContractEntry,
    ContractItem,
    Signature,
    item_mark,
    item_text,
)
from pathway_cli.models.fields import (
    AUDIENCES,
    CLOSED_STATUSES,
    ID_PATTERN,
    MENTOR_ROLES,
    OPEN_GOAL_STATUSES,
    SECTIONS,
    Audience,
    CredentialType,
    Days,
    EndReason,
    Flag,
    GoalArea,
    Group,
    Id,
    IncidentKind,
    IsoDate,
    LearningKind,
    MentorKind,
    Mode,
    NeedCategory,
    Percent,
    Rate,
    Record,
    Role,
    Scale,
    Section,
    Sensitivity,
    SensitivityMark,
    Status,
    Text,
    Trend,
    Weekday,
    sensitivity_of,
)
from pathway_cli.models.introspection import (
    RECORD_KINDS,
    annotation_at,
    model_at,
    step_annotation,
    unwrap_annotation,
)
from pathway_cli.models.learner import (
    Consent,
    ConsentEntry,
    FollowUp,
    Learner,
    PastClosure,
    Programme,
    TeamMember,
)
from pathway_cli.models.plan import Career, Goal, Plan, SupportAction, Wellbeing
from pathway_cli.models.review import GoalProgress, Incidents, Results, Review, ReviewAction
from pathway_cli.models.settings import (
    DEFAULT_AUDIENCES,
    Issuer,
    Margin,
    MatchWeights,
    Mentor,
    MentorPool,
    RiskThresholds,
    Settings,
    Weight,
)

# The vocabularies commands offer as choices are defined without pydantic (terms.py).
from pathway_cli.terms import Destination, GoalStatus, Outcome, Party, ReviewKind

__all__ = [
    "AUDIENCES",
    "CLOSED_STATUSES",
    "DEFAULT_AUDIENCES",
    "ID_PATTERN",
    "MENTOR_ROLES",
    "OPEN_GOAL_STATUSES",
    "RECORD_KINDS",
    "SECTIONS",
    "Assessment",
    "Audience",
    "Career",
    "Consent",
    "ConsentEntry",
    "Contract",
    "ContractEntry",
    "ContractItem",
    "Credential",
    "CredentialType",
    "Days",
    "Destination",
    "EndReason",
    "Flag",
    "FollowUp",
    "Goal",
    "GoalArea",
    "GoalProgress",
    "GoalStatus",
    "Group",
    "HiddenSkill",
    "Id",
    "IncidentKind",
    "Incidents",
    "IsoDate",
    "Issuer",
    "Learner",
    "LearningKind",
    "Margin",
    "MatchWeights",
    "Mentor",
    "MentorKind",
    "MentorPool",
    "Mode",
    "NeedCategory",
    "Outcome",
    "Party",
    "PastClosure",
    "Percent",
    "Plan",
    "PriorLearning",
    "Programme",
    "Rate",
    "Record",
    "Results",
    "Review",
    "ReviewAction",
    "ReviewKind",
    "RiskThresholds",
    "Role",
    "Scale",
    "Section",
    "Sensitivity",
    "SensitivityMark",
    "Settings",
    "Signature",
    "SkillLevel",
    "Status",
    "SupportAction",
    "SupportNeed",
    "TeamMember",
    "Text",
    "Trend",
    "Weekday",
    "Weight",
    "Wellbeing",
    "annotation_at",
    "item_mark",
    "item_text",
    "model_at",
    "sensitivity_of",
    "step_annotation",
    "unwrap_annotation",
]

"""The field types every record shares: dates, rates, scales, ids and texts as the format
writes them, the sensitivity marks, the vocabularies (statuses, roles, areas...) and the
``Record`` base every mapping of a record is built on. (The vocabularies commands offer as
choices are defined without pydantic, in ``pathway_cli.terms``.)"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from pathway_cli.dates import FIRST_YEAR, LAST_YEAR

__all__ = [
    "AUDIENCES",
    "CLOSED_STATUSES",
    "ID_PATTERN",
    "MENTOR_ROLES",
    "OPEN_GOAL_STATUSES",
    "SECTIONS",
    "Audience",
    "CredentialType",
    "Days",
    "EndReason",
    "Flag",
    "GoalArea",
    "Group",
    "Id",
    "IncidentKind",
    "IsoDate",
    "LearningKind",
    "MentorKind",
    "Mode",
    "NeedCategory",
    "Percent",
    "Rate",
    "Record",
    "Role",
    "Scale",
    "Section",
    "Sensitivity",
    "SensitivityMark",
    "Status",
    "Text",
    "Trend",
    "Weekday",
    "sensitivity_of",
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
OPEN_GOAL_STATUSES = ("planned", "in-progress", "at-risk")
MentorKind = Literal["professional", "volunteer", "peer", "retired-professional"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
LearningKind = Literal["formal", "non-formal", "informal"]
CredentialType = Literal["badge", "micro-credential", "certificate", "other"]
EndReason = Literal[
    "completed", "mentor-left", "learner-request", "mismatch", "case-closed", "other",
]
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

"""reviews/YYYY-MM-DD.yaml: one review or session: attendance, well-being, engagement,
behaviour, results, progress on the goals, and the actions agreed."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from pathway_cli.models.fields import (
    Flag,
    Id,
    IncidentKind,
    IsoDate,
    Percent,
    Rate,
    Record,
    Scale,
    Sensitivity,
    Text,
    Trend,
    _sensitive,
)
from pathway_cli.terms import GoalStatus, ReviewKind

__all__ = [
    "GoalProgress",
    "Incidents",
    "Results",
    "Review",
    "ReviewAction",
]


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

"""plan.yaml: the individual plan: goals with their support, the career part and the
well-being plan."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from pathway_cli.models.assessment import Credential
from pathway_cli.models.fields import (
    OPEN_GOAL_STATUSES,
    GoalArea,
    Id,
    IsoDate,
    Percent,
    Record,
    SensitivityMark,
    Text,
    _sensitive,
)
from pathway_cli.terms import GoalStatus

__all__ = [
    "Career",
    "Goal",
    "Plan",
    "SupportAction",
    "Wellbeing",
]


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

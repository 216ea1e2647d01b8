"""Closed vocabularies that commands offer as option choices.

The record format's (the models import them) and the report formats (the renderer imports
them) live here, apart from pydantic and Jinja, so that ``pathway goal --help`` or
``pathway render --help`` and the parsing of ``--status`` or ``--to`` load neither.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

__all__ = ["Destination", "GoalStatus", "Outcome", "OutputFormat", "Party", "ReviewKind"]

Outcome = Literal["completed", "transferred", "employed", "dropped-out", "re-engaged", "other"]
GoalStatus = Literal["planned", "in-progress", "achieved", "at-risk", "dropped"]
ReviewKind = Literal["mentoring", "coaching", "progress-review", "case-conference", "check-in"]
Party = Literal["learner", "guardian", "provider", "employer"]
Destination = Literal["education", "training", "employment", "NEET", "unknown"]


class OutputFormat(StrEnum):
    """What a report is written as."""

    md = "md"
    html = "html"
    pdf = "pdf"

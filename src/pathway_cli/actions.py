"""Actions agreed at reviews, each counted once.

A review may carry over an action agreed at an earlier one (``pathway review new`` does
it for every action not done), so the same action can appear in several reviews. The
rule every reader of actions follows: an action is known by its words (spaces and case
aside); its latest mention says who owns it, when it is due and whether it is done; it
was agreed on the date of its first mention.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pathway_cli.caseload import Case
from pathway_cli.models import Review, ReviewAction

__all__ = ["AgreedAction", "action_key", "agreed_actions", "latest_mentions"]

def action_key(text: str) -> str:
    """What makes two mentions the same action: its words, spaces and case aside."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class AgreedAction:
    """One action as its latest mention has it, and when it was first agreed."""

    action: ReviewAction
    review: Review
    path: Path
    index: int
    agreed: date

    @property
    def open(self) -> bool:
        """True when the action is not marked done."""
        return not self.action.done


def agreed_actions(case: Case, until: date | None = None) -> list[AgreedAction]:
    """Every action agreed at the case's reviews (up to ``until``), once, in the order
    first agreed."""
    first: dict[str, date] = {}
    latest: dict[str, AgreedAction] = {}
    for review, loaded in case.reviews_with_files:
        if until is not None and review.date > until:
            continue
        for index, action in enumerate(review.actions):
            key = action_key(action.action)
            first.setdefault(key, review.date)
            latest[key] = AgreedAction(action, review, loaded.path, index, first[key])
    return [latest[key] for key in first]


def latest_mentions(reviews: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The same rule on report data (reviews as plain dicts, oldest first): each action
    once, as its latest mention has it, with ``review_date`` and ``agreed`` added."""
    first: dict[str, date] = {}
    latest: dict[str, dict[str, Any]] = {}
    for review in reviews:
        for action in review["actions"]:
            key = action_key(str(action["action"]))
            first.setdefault(key, review["date"])
            latest[key] = {**action, "review_date": review["date"], "agreed": first[key]}
    return [latest[key] for key in first]

"""Any value in any field gives a plain sentence: no pydantic wording ever reaches the user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pathway_cli.models import Learner, Plan, Review
from pathway_cli.shape import check_shape

RAW_WORDS = ("Input should", "Value error", "validation error", "pydantic", "type=",
             "Assertion failed", "Field required", "Extra inputs")

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
    | st.text(max_size=20) | st.dates().map(str),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6,
)

GOAL: dict[str, Any] = {"id": "G1", "area": "learning", "goal": "g", "measure": "m",
                        "target": "t", "due": "2027-01-31", "owner": "learner",
                        "status": "planned", "support": [{"action": "a", "owner": "x"}]}
PLAN: dict[str, Any] = {"agreed": "2026-09-15", "goals": [GOAL]}
REVIEW: dict[str, Any] = {"date": "2026-10-05", "kind": "coaching", "with": ["a"],
                          "next_review": "2026-11-02",
                          "actions": [{"action": "a", "owner": "b"}]}
LEARNER: dict[str, Any] = {"id": "L-1", "name": "n", "status": "active", "opened": "2026-09-01",
                           "team": [{"id": "a", "name": "A", "role": "coach"}]}


def _messages(data: dict[str, Any], model: Any) -> list[str]:
    return [f.message for f in check_shape(data, model, Path("x.yaml"), "x.yaml")[1]]


def _plain(messages: list[str]) -> bool:
    return not any(word in m for m in messages for word in RAW_WORDS)


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from([*GOAL, "by", "credential", "progress", "achieved_on"]),
       value=values)
def test_any_value_in_a_goal_is_reported_in_plain_words(key: str, value: Any) -> None:
    """Whatever a goal field holds, the findings are sentences, not pydantic's text."""
    plan = {**PLAN, "goals": [{**GOAL, key: value}]}
    assert _plain(_messages(plan, Plan))


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(["action", "owner", "by", "due", "done"]), value=values)
def test_any_value_in_a_review_action_is_reported_in_plain_words(key: str, value: Any) -> None:
    """Whatever a review action holds (owner and by included), the findings are plain."""
    review = {**REVIEW, "actions": [{"action": "a", "owner": "b", key: value}]}
    assert _plain(_messages(review, Review))


@settings(max_examples=100, deadline=None)
@given(key=st.sampled_from([*LEARNER, "closed", "consent", "programme", "key_worker"]),
       value=values)
def test_any_value_in_learner_yaml_is_reported_in_plain_words(key: str, value: Any) -> None:
    """Whatever a learner field holds, the findings are plain."""
    assert _plain(_messages({**LEARNER, key: value}, Learner))

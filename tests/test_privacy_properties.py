"""The privacy policy on items marked sensitive, for any mix of marks (Hypothesis)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from pathway_cli.caseload import load_caseload
from pathway_cli.models import AUDIENCES, ContractItem, Sensitivity
from pathway_cli.privacy import HealthWords, may_see
from pathway_cli.redaction import redact_case
from tests.conftest import SAMPLE

_CASELOAD = load_caseload([SAMPLE / "cases" / "L-2026-002"])
_CASE = _CASELOAD.cases[0]
_MARKS = st.sampled_from([None, "personal", "private"])
_ITEMS = st.lists(st.tuples(_MARKS, st.integers(0, 10_000)), min_size=1, max_size=8)


_ELIF = load_caseload([SAMPLE / "cases" / "L-2026-004"]).cases[0]


def _sensitivity(mark: str | None) -> Sensitivity | None:
    return Sensitivity(mark) if mark else None


@settings(max_examples=60, deadline=None)
@given(items=_ITEMS)
def test_each_audience_gets_exactly_the_items_its_marks_allow(
    items: list[tuple[str | None, int]],
) -> None:
    """Whatever the marks, a reader gets an item exactly when the policy lets it see it."""
    entries = [f"commitment number {n}" if mark is None
               else ContractItem.model_validate({"text": f"commitment number {n}",
                                                 "sensitive": mark})
               for mark, n in items]
    contract = _CASE.contract
    assert contract is not None and _CASE.contract_file is not None
    changed = contract.model_copy(update={"provider_commits": entries})
    case = dataclasses.replace(
        _CASE, contract_file=dataclasses.replace(_CASE.contract_file, model=changed))
    for audience in AUDIENCES:
        view = redact_case(case, _CASELOAD.settings, audience)
        if view["contract"] is None:
            continue
        expected = [f"commitment number {n}" for mark, n in items
                    if may_see(audience, _sensitivity(mark))]
        assert view["contract"]["provider_commits"] == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_health_words_read_any_text(text: str) -> None:
    """Recognising health details never fails on any text, and finds a health need's word."""
    assessment, learner = _ELIF.assessment, _ELIF.learner
    assert assessment is not None and learner is not None
    words = HealthWords.of(assessment.support_needs, learner.team)
    result = words.mention(text)
    assert result is None or isinstance(result, str)
    assert words.mention(text + " panic") is not None

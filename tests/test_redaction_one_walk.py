"""A report's view made in one walk: redaction with the Markdown escaping applied as it goes
gives exactly the redacted view escaped afterwards, for every audience."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pathway_cli.caseload import load_caseload
from pathway_cli.redaction import _dump, redact_case
from pathway_cli.rendering.escaping import escape_tree, markdown_escape
from tests.conftest import REPO, SAMPLE

AUDIENCES = ("team", "learner", "guardian", "employer")
HOSTILE = REPO / "tests" / "fixtures" / "render" / "hostile"


@pytest.mark.parametrize("source", [SAMPLE, HOSTILE], ids=["sample", "hostile"])
@pytest.mark.parametrize("audience", AUDIENCES)
def test_the_escaped_view_is_the_view_escaped(tmp_path: Path, source: Path,
                                             audience: str) -> None:
    """For every case of the sample and of the Markdown-hostile fixture, the view redacted
    with ``text=markdown_escape`` equals ``escape_tree`` of the plain view, and the plain
    view holds what it held before (the record's own strings)."""
    root = tmp_path / "caseload"
    shutil.copytree(source, root)
    caseload = load_caseload([root])
    assert caseload.cases
    for case in caseload.cases:
        plain = redact_case(case, caseload.settings, audience)
        escaped = redact_case(case, caseload.settings, audience,
                              text=markdown_escape)
        assert escaped == escape_tree(plain), case.id
    learner = caseload.cases[0].learner
    assert learner is not None
    assert redact_case(caseload.cases[0], caseload.settings,
                       "team")["learner"]["name"] is learner.name


def test_goal_keys_that_escape_alike_keep_the_escaped_view(tmp_path: Path) -> None:
    """A review whose goals name the same goal twice in ways that escape alike ("G2" and a
    quoted "G2 ") gives the same escaped view in one walk as escaped afterwards, for every
    audience, rather than an error."""
    root = tmp_path / "caseload"
    shutil.copytree(SAMPLE, root)
    review = root / "cases" / "L-2026-001" / "reviews" / "2026-09-22.yaml"
    review.write_text(review.read_text().replace(
        "  G3: {status: in-progress, progress: 30}",
        '  G3: {status: in-progress, progress: 30}\n  "G2 ": {status: planned}'), encoding="utf-8")
    caseload = load_caseload([root])
    case = next(case for case in caseload.cases if case.id == "L-2026-001")
    assert any("G2 " in review.goals for review in case.reviews)
    for audience in AUDIENCES:
        plain = redact_case(case, caseload.settings, audience)
        assert redact_case(case, caseload.settings, audience,
                           text=markdown_escape) == escape_tree(plain)


_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
_nested = st.recursive(
    st.none() | st.integers() | st.booleans() | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


@given(_nested)
def test_any_data_escaped_in_one_walk_is_the_data_escaped_after(value: Any) -> None:
    """Any nesting of mappings, lists and text (keys that are words or not) comes out of
    the one walk as ``escape_tree`` makes it of the plain walk."""
    assert _dump(value, "team", markdown_escape) == escape_tree(_dump(value, "team"))

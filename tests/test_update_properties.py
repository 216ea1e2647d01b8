"""Random goal updates (Hypothesis): the data changes as asked, every other line stays."""

from __future__ import annotations

import codecs
import contextlib
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathway_cli.caseload import Case
from pathway_cli.errors import UserError
from pathway_cli.updates import open_case, set_values, update_goal
from tests.conftest import SAMPLE

FIXTURES = Path(__file__).parent / "fixtures" / "update"
TODAY = date(2026, 11, 23)
STATUSES = ["planned", "in-progress", "achieved", "at-risk", "dropped"]


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    """Cases whose plans are written in different styles, one with CRLF and a BOM."""
    root = tmp_path_factory.mktemp("props")
    shutil.copytree(SAMPLE, root / "sample")
    shutil.copytree(FIXTURES / "odd", root / "odd")
    crlf = root / "sample/cases/L-2026-004/plan.yaml"
    crlf.write_bytes(codecs.BOM_UTF8 + crlf.read_bytes().replace(b"\n", b"\r\n"))
    found = []
    for load, ids in (("sample", ["L-2026-001", "L-2026-002", "L-2026-004", "L-2026-006"]),
                      ("odd", ["L-ODD-1"])):
        for case_id in ids:
            found.append(open_case(root / load, case_id)[1])
    return found


notes = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029"),
    max_size=40,
)


def _goal_lines(text: str, goal_id: str) -> tuple[int, int]:
    """First and last line (0-based) of a goal in plan.yaml."""
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    goals = next(v for k, v in root.value if k.value == "goals")
    for item in goals.value:
        ident = next(v.value for k, v in item.value if k.value == "id")
        if ident == goal_id:
            last = item.value[-1][1]
            return item.start_mark.line, last.end_mark.line
    raise AssertionError(goal_id)


@settings(
    max_examples=150, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    data=st.data(),
    status=st.none() | st.sampled_from(STATUSES),
    progress=st.none() | st.integers(0, 100),
    note=st.none() | notes,
)
def test_random_goal_updates(
    cases: list[Case], data: st.DataObject, status: str | None, progress: int | None,
    note: str | None,
) -> None:
    """Any goal update changes exactly the goal's fields and only lines inside that goal."""
    case = data.draw(st.sampled_from(cases))
    raw = (case.folder / "plan.yaml").read_bytes()
    text = raw.decode("utf-8-sig")
    before = yaml.load(text, Loader=yaml.CSafeLoader)
    goal_id = data.draw(st.sampled_from([g["id"] for g in before["goals"]]))
    goal = next(g for g in before["goals"] if g["id"] == goal_id)
    new_status = status or goal["status"]
    if status is None and progress is None and note is None:
        return
    if status == "achieved" and progress not in (None, 100):
        with pytest.raises(UserError, match="100% of the way"):
            update_goal(case, goal_id, status=status, progress=progress, note=note, today=TODAY)
        return
    update = update_goal(case, goal_id, status=status, progress=progress, note=note, today=TODAY)
    new = update.changes[0].new

    # the bytes keep the file's BOM and line endings
    assert new.startswith(codecs.BOM_UTF8) == raw.startswith(codecs.BOM_UTF8)
    if b"\r\n" in raw:
        assert new.count(b"\n") == new.count(b"\r\n")

    # the data is the old data with exactly the asked-for changes
    expected: dict[str, Any] = dict(goal)
    if status is not None:
        expected["status"] = status
    if progress is not None:
        expected["progress"] = progress
    if status == "achieved":
        expected["progress"] = 100  # achieved is all the way
    if note is not None:
        if note.strip():
            expected["note"] = note
        else:
            expected.pop("note", None)
    if new_status == "achieved":
        kept = goal.get("achieved_on") if goal["status"] == "achieved" else None
        expected["achieved_on"] = kept or TODAY
    else:
        expected.pop("achieved_on", None)
    after = yaml.load(new.decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    index = [g["id"] for g in before["goals"]].index(goal_id)
    assert after["goals"][index] == expected
    others = {k: v for k, v in after.items() if k != "goals"}
    assert others == {k: v for k, v in before.items() if k != "goals"}
    assert after["goals"][:index] + after["goals"][index + 1:] == (
        before["goals"][:index] + before["goals"][index + 1:]
    )

    # lines outside the goal are byte for byte the same
    first, last = _goal_lines(text, goal_id)
    old_lines = text.splitlines(keepends=True)
    new_lines = new.decode("utf-8-sig").splitlines(keepends=True)
    grown = len(new_lines) - len(old_lines)
    assert new_lines[:first] == old_lines[:first]
    assert new_lines[last + 1 + grown:] == old_lines[last + 1:]


SET_KEYS = [("plan", "agreed"), ("plan", "goals.G1.due"), ("plan", "goals.G1.progress"),
            ("plan", "goals.G1.goal"), ("learner", "opened"), ("learner", "extra.note"),
            ("learner", "consent.data_processing.given"), ("contract", "version"),
            ("review", "attendance"), ("review", "actions")]
set_texts = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),  # dates, real and not
    st.from_regex(r"\A[-+]?[0-9.eE]{1,12}\Z"),          # numbers, huge and odd
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(SET_KEYS), text=set_texts)
def test_any_set_value_gives_an_update_or_a_plain_refusal(
    cases: list[Case], key: tuple[str, str], text: str
) -> None:
    """`pathway set FILE KEY=TEXT` with any text gives an update or a UserError, never a crash."""
    file, dotted = key
    with contextlib.suppress(UserError):
        set_values(cases[1], file, [f"{dotted}={text}"])

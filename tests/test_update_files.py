"""Updates never break a file: round trips, odd formatting, CRLF, BOM, crashes, conflicts."""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from pathway_cli import writer
from pathway_cli.editing import EditError, YamlText
from pathway_cli.updates import ChangedOnDisk, apply_update, applying, open_case, update_goal
from tests.conftest import SAMPLE
from tests.update_helpers import changed_lines, run, snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "update"
SAMPLE_FILES = sorted(SAMPLE.rglob("*.yaml"))
ODD = "cases/L-ODD-1"


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    else:
        yield path, data


def _other(value: Any) -> Any:
    """A different value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return round(value + 0.01, 4)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if isinstance(value, str):
        body = value.rstrip("\n")
        return body + " (edited)" + value[len(body):]
    return "filled in"


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A private copy of the hand-written caseload with odd formatting."""
    target = tmp_path / "odd"
    shutil.copytree(FIXTURES / "odd", target)
    return target


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLE)))
def test_no_op_round_trip_is_byte_identical(path: Path) -> None:
    """Reading a sample file and setting every value to what it is gives the same bytes."""
    raw = path.read_bytes()
    doc = YamlText(raw, path.name)
    assert doc.encode() == raw
    for key_path, value in _leaves(doc.data()):
        if key_path:
            assert doc.set(key_path, value) is False
    assert doc.encode() == raw


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLE)))
def test_changing_any_value_changes_only_its_lines(path: Path) -> None:
    """Changing any one value of a sample file changes that value and no other line."""
    raw = path.read_bytes()
    data = YamlText(raw).data()
    for key_path, value in _leaves(data):
        if not key_path:
            continue
        doc = YamlText(raw, path.name)
        new_value = _other(value)
        assert doc.set(key_path, new_value) is True
        new = doc.encode()
        after = yaml.load(new, Loader=yaml.CSafeLoader)
        expected = yaml.load(raw, Loader=yaml.CSafeLoader)
        target = expected
        for part in key_path[:-1]:
            target = target[part]
        target[key_path[-1]] = new_value
        assert after == expected, key_path
        first, last = _changed_region(raw, new)
        low, high = _value_lines(raw, key_path)
        assert low <= first and last <= high, (key_path, changed_lines(raw, new))


def _changed_region(old: bytes, new: bytes) -> tuple[int, int]:
    """First and last line (0-based) of ``old`` that differ from ``new``."""
    a, b = old.splitlines(), new.splitlines()
    prefix = 0
    while prefix < min(len(a), len(b)) and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(a), len(b)) - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return prefix, max(prefix, len(a) - suffix - 1)


def _value_lines(raw: bytes, key_path: tuple[Any, ...]) -> tuple[int, int]:
    """Lines (0-based) from the key of a value to the value's last line."""
    node = yaml.compose(raw.decode("utf-8-sig"), Loader=yaml.CSafeLoader)
    start = 0
    for part in key_path:
        if isinstance(node, yaml.MappingNode):
            key, node = next((k, v) for k, v in node.value if k.value == str(part))
            start = key.start_mark.line
        else:
            node = node.value[part]
            start = node.start_mark.line
    end = node.end_mark.line
    if node.end_mark.column == 0 and end > start:
        end -= 1
    return start, end


def _odd_diff(runner: CliRunner, odd: Path, file: str, *args: str) -> list[str]:
    path = odd / ODD / file
    before = path.read_bytes()
    result = run(runner, odd, *args)
    assert result.exit_code == 0, result.stderr
    return changed_lines(before, path.read_bytes())


def test_odd_goal_keeps_comment_column_and_four_space_indent(
    runner: CliRunner, odd: Path
) -> None:
    """In a 4-space file the new keys use 4 spaces, and a trailing comment keeps its column."""
    lines = _odd_diff(runner, odd, "plan.yaml", "goal", "L-ODD-1", "G1", "--status",
                      "in-progress", "--progress", "20", "--note", "first practice exam: done")
    assert lines == [
        "-        status: planned     # not started yet",
        "+        status: in-progress # not started yet",
        "+        progress: 20",
        '+        note: "first practice exam: done"',
    ]


def test_odd_goal_in_flow_style_stays_on_its_line(runner: CliRunner, odd: Path) -> None:
    """A goal written as one flow mapping is updated on that one line."""
    lines = _odd_diff(runner, odd, "plan.yaml", "goal", "L-ODD-1", "G2", "--status", "achieved",
                      "--progress", "100")
    assert len(lines) == 2
    assert lines[1].endswith("status: achieved, progress: 100, achieved_on: 2026-11-23}")
    assert lines[0].replace("in-progress, progress: 10}", "") == lines[1].replace(
        "achieved, progress: 100, achieved_on: 2026-11-23}", ""
    ).replace("+", "-", 1)


def test_odd_close_fills_empty_and_tilde_values(runner: CliRunner, odd: Path) -> None:
    """`closed:` (empty) and `outcome: ~` are filled in place; comments stay on their lines."""
    lines = _odd_diff(runner, odd, "learner.yaml", "close", "L-ODD-1", "--outcome", "employed")
    assert lines == [
        "-status: active",
        "+status: left",
        "-closed:            # filled in by `pathway close`",
        "-outcome: ~",
        "+closed: 2026-11-23 # filled in by `pathway close`",
        "+outcome: employed",
    ]
    text = (odd / ODD / "learner.yaml").read_text(encoding="utf-8")
    assert text.startswith("---\n") and text.endswith("...\n")


def test_odd_sign_appends_a_block_item_like_its_sibling(runner: CliRunner, odd: Path) -> None:
    """A signature list written as block mappings gets a block mapping in the same layout."""
    lines = _odd_diff(runner, odd, "contract.yaml", "sign", "L-ODD-1", "--party", "learner",
                      "--name", "Ana Petrović")
    assert lines == [
        "+  -   party: learner",
        "+      name: Ana Petrović",
        "+      date: 2026-11-23",
    ]
    assert (odd / ODD / "contract.yaml").read_text(encoding="utf-8").endswith(
        "      date: 2026-11-23\n# learner signs at the next session\n"
    )


def test_odd_set_in_flow_mappings_and_unindented_lists(runner: CliRunner, odd: Path) -> None:
    """`set` edits flow mappings in place and adds keys to items of an unindented list."""
    lines = _odd_diff(runner, odd, "learner.yaml", "set", "L-ODD-1", "learner",
                      "programme.provider=Berufskolleg Test", "team.teach1.role=trainer",
                      "team.coach1.contact=t.keller@example.org")
    assert lines == [
        '-programme: {title: "Cook (EQF 3)", mode: dual,   sector: hospitality}',
        '+programme: {title: "Cook (EQF 3)", provider: Berufskolleg Test, mode: dual,   '
        "sector: hospitality}",
        "+  contact: t.keller@example.org",
        "-- {id: teach1, name: 'O''Brien, Siobhan', role: teacher}   # flow item with a comma",
        "+- {id: teach1, name: 'O''Brien, Siobhan', role: trainer}   # flow item with a comma",
    ]


def test_file_without_final_newline_keeps_that(runner: CliRunner, odd: Path) -> None:
    """A file that does not end with a newline still does not after an update."""
    review = odd / ODD / "reviews/2026-10-22.yaml"
    lines = _odd_diff(runner, odd, "reviews/2026-10-22.yaml", "set", "L-ODD-1", "review",
                      "goals.G2.progress=30", "wellbeing=4")
    assert lines == ["+wellbeing: 4", "-    progress: 10", "+    progress: 30"]
    assert review.read_bytes().endswith(b"next_review: 2026-11-12")


def _crlf_bom(path: Path) -> bytes:
    raw = codecs.BOM_UTF8 + path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(raw)
    return raw


def test_crlf_and_bom_are_kept(runner: CliRunner, sample: Path) -> None:
    """A file with CRLF line endings and a BOM keeps both; only the intended lines change."""
    plan = sample / "cases/L-2026-002/plan.yaml"
    before = _crlf_bom(plan)
    result = run(runner, sample, "goal", "L-2026-002", "G3", "--status", "achieved",
                 "--note", "talk held")
    assert result.exit_code == 0, result.stderr
    after = plan.read_bytes()
    assert after.startswith(codecs.BOM_UTF8)
    assert after.count(b"\n") == after.count(b"\r\n")
    assert changed_lines(before, after) == [
        "-    status: in-progress",
        "-    progress: 20",
        "+    status: achieved",
        "+    progress: 100",
        "+    note: talk held",
        "+    achieved_on: 2026-11-23",
    ]


def test_crlf_sign_and_close(runner: CliRunner, sample: Path) -> None:
    """Appending and inserting lines in CRLF files writes CRLF line endings."""
    contract = sample / "cases/L-2026-005/contract.yaml"
    learner = sample / "cases/L-2026-005/learner.yaml"
    _crlf_bom(contract)
    learner.write_bytes(learner.read_bytes().replace(b"\n", b"\r\n"))
    assert run(runner, sample, "sign", "L-2026-005", "--party", "learner", "--name",
               "Giulia Esposito").exit_code == 0
    assert run(runner, sample, "close", "L-2026-005", "--outcome", "completed").exit_code == 0
    for path in (contract, learner):
        raw = path.read_bytes()
        assert raw.count(b"\n") == raw.count(b"\r\n")
    assert b"\r\nclosed: 2026-11-23\r\noutcome: completed\r\n" in learner.read_bytes()
    assert not learner.read_bytes().startswith(codecs.BOM_UTF8)


def test_crash_between_write_and_rename_leaves_the_original(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure right before the rename leaves the original file and no temporary file."""
    before = snapshot(sample)

    def crash(source: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "_replace", crash)
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--progress", "35")
    assert result.exit_code == 1
    assert "could not write" in result.stderr and "the file is unchanged" in result.stderr
    assert snapshot(sample) == before


def test_file_changed_after_reading_is_not_overwritten(
    runner: CliRunner, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If someone saves the file while the update is checked, the update is refused."""
    plan = sample / "cases/L-2026-002/plan.yaml"
    theirs = plan.read_bytes().replace(b"progress: 40", b"progress: 41")
    real_check = applying._check

    def check_then_someone_saves(*args: Any, **kwargs: Any) -> Any:
        checked = real_check(*args, **kwargs)
        plan.write_bytes(theirs)
        return checked

    monkeypatch.setattr(applying, "_check", check_then_someone_saves)
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--progress", "35")
    assert result.exit_code == 1
    assert "changed on disk since it was read" in result.stderr
    assert plan.read_bytes() == theirs


def test_change_right_before_the_rename_is_caught(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The on-disk check runs right before the rename, after the new bytes are on disk."""
    caseload, case = open_case(sample, "L-2026-002")
    update = update_goal(case, "G1", progress=35, today=date(2026, 11, 23))
    plan = case.folder / "plan.yaml"
    real_write = writer.atomic_write

    def write_while_someone_saves(path: Path, data: bytes, **kwargs: Any) -> None:
        plan.write_bytes(b"# replaced by someone else\n" + plan.read_bytes())
        real_write(path, data, **kwargs)

    monkeypatch.setattr(applying, "atomic_write", write_while_someone_saves)
    with pytest.raises(ChangedOnDisk):
        apply_update(update, caseload, date(2026, 11, 23))
    assert plan.read_bytes().startswith(b"# replaced by someone else\n")
    assert [p.name for p in plan.parent.iterdir() if p.name.startswith(".")] == []


def test_editing_a_broken_yaml_file_is_refused(runner: CliRunner, sample: Path) -> None:
    """A file that is not valid YAML is not edited; the message says so."""
    plan = sample / "cases/L-2026-002/plan.yaml"
    plan.write_bytes(plan.read_bytes() + b"  bad: [unclosed\n")
    before = snapshot(sample)
    result = run(runner, sample, "goal", "L-2026-002", "G1", "--progress", "35")
    assert result.exit_code == 1
    assert "not valid YAML" in result.stderr
    assert snapshot(sample) == before


def test_anchor_on_an_edited_value_is_kept() -> None:
    """An anchor before a value stays in place when the value changes."""
    doc = YamlText(b"a: &x 1  # anchored\nb: 3\n")
    doc.set(("a",), 2)
    assert doc.encode() == b"a: &x 2  # anchored\nb: 3\n"


def test_value_shared_through_an_alias_is_not_edited() -> None:
    """Changing a value that an alias repeats elsewhere is refused, not done in two places."""
    doc = YamlText(b"a: &x 1\nb: *x\n")
    with pytest.raises(EditError):
        doc.set(("a",), 2)
    assert doc.encode() == b"a: &x 1\nb: *x\n"


def test_edit_that_would_disturb_other_values_is_refused() -> None:
    """An edit the engine cannot make cleanly raises EditError instead of writing junk."""
    doc = YamlText(b"base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    with pytest.raises(EditError):
        doc.set(("base", "x"), 5)
    assert doc.encode() == b"base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n"


@pytest.mark.parametrize(
    ("text", "path", "value", "expected"),
    [
        (b"a: 1\n", ("b", "c"), "x", b"a: 1\nb:\n  c: x\n"),
        (b"a:\n    b: 1\n", ("a", "c"), 2, b"a:\n    b: 1\n    c: 2\n"),
        (b"a: {}\n", ("a", "k"), "v", b"a: {k: v}\n"),
        (b"a: |\n  one\n  two\nb: 1\n", ("a",), "three\n", b"a: |\n  three\nb: 1\n"),
        (b"a: x  # c\n", ("a",), "two\nlines\n", b"a: | # c\n  two\n  lines\n"),
        (b"a: 'q'\n", ("a",), "it's", b"a: 'it''s'\n"),
        (b"a: \"q\"\n", ("a",), "r", b"a: \"r\"\n"),
        (b"a: plain\n", ("a",), "has: colon", b"a: \"has: colon\"\n"),
        (b"a: plain\n", ("a",), "# hash", b"a: \"# hash\"\n"),
        (b"a: [x, y]\n", ("a", 1), "z, w", b"a: [x, \"z, w\"]\n"),
        (b"# only a comment\n", ("a",), 1, b"# only a comment\na: 1\n"),
        (b"", ("a",), 1, b"a: 1\n"),
    ],
)
def test_engine_cases(text: bytes, path: tuple[Any, ...], value: Any, expected: bytes) -> None:
    """Edits in small documents give exactly the expected text."""
    doc = YamlText(text)
    doc.set(path, value)
    assert doc.encode() == expected


def test_delete_keys_in_block_flow_and_list_items() -> None:
    """Deleting a key removes its lines (or its part of a flow mapping) and nothing else."""
    doc = YamlText(b"- a: 1\n  b: 2\n- {a: 1, b: 2}\nc: 3\n"[:-5])
    doc.delete((0, "a"))
    doc.delete((1, "b"))
    assert doc.encode() == b"- b: 2\n- {a: 1}\n"
    doc = YamlText(b"x: 1\ny: |\n  text\n\nz: 3")
    doc.delete(("y",))
    doc.delete(("z",))
    assert doc.encode() == b"x: 1\n\n"

"""pathway agenda: what is due for each person, as a table, JSON and an iCalendar file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from pathway_cli.agenda import KIND_LABELS
from pathway_cli.caseload import load_caseload
from pathway_cli.models import sensitivity_of
from tests.conftest import SAMPLE, TODAY, app


def agenda(runner: CliRunner, *args: str, path: Path = SAMPLE) -> Any:
    """Run ``pathway agenda --format json`` and return the document."""
    result = runner.invoke(app, ["agenda", str(path), "--today", TODAY, "-f", "json", *args])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def ics(runner: CliRunner, *args: str, path: Path = SAMPLE) -> bytes:
    """Run ``pathway agenda --format ics`` and return the bytes on stdout."""
    result = runner.invoke(app, ["agenda", str(path), "--today", TODAY, "-f", "ics", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def test_sample_agenda_lists_what_is_due_by_person(runner: CliRunner) -> None:
    """Reviews go to the key worker, actions to their owner, the learner's own to the key
    worker; overdue items are marked."""
    items = agenda(runner)["items"]
    got = {(i["who"], i["learner"], i["kind"], i["date"], i["overdue"]) for i in items}
    assert ("mbauer", "L-2026-002", "review", "2026-11-02", True) in got
    assert ("uroth", "L-2026-002", "action", "2026-11-06", True) in got
    assert ("lfischer", "L-2026-005", "review", "2026-12-03", False) in got
    assert ("skrause", "L-2026-001", "goal", "2026-11-15", True) in got
    bakery = next(i for i in items if "bakery" in i["text"])
    assert bakery["who"] == "skrause" and bakery["text"].endswith("(the learner's)")
    assert [i["who"] for i in items] == sorted(i["who"] for i in items)


def test_days_includes_the_last_day_and_not_the_next(runner: CliRunner) -> None:
    """Giulia's review on 2026-12-03 is in a 10-day agenda and not in a 9-day one."""
    def giulia(days: str) -> bool:
        return any(i["learner"] == "L-2026-005" and i["kind"] == "review"
                   for i in agenda(runner, "--days", days)["items"])
    assert giulia("10") and not giulia("9")


def test_who_keeps_one_persons_items(runner: CliRunner) -> None:
    """--who lfischer keeps only what falls to Lea Fischer."""
    items = agenda(runner, "--who", "lfischer")["items"]
    assert items and {i["who"] for i in items} == {"lfischer"}


def test_closed_case_shows_its_next_follow_up(runner: CliRunner) -> None:
    """João's 6-month follow-up (2027-01-10) is in a 60-day agenda; nothing else of his."""
    items = [i for i in agenda(runner, "--days", "60")["items"] if i["learner"] == "L-2026-006"]
    assert [(i["kind"], i["date"], i["who"]) for i in items] == [
        ("follow-up", "2027-01-10", "mbauer")]


def test_wellbeing_goal_text_stays_out_of_the_agenda(runner: CliRunner) -> None:
    """A well-being goal appears by its id only, even in the team's own agenda."""
    items = agenda(runner, "--days", "400")["items"]
    loaded = load_caseload([SAMPLE])
    for case in loaded.cases:
        for goal in case.plan.goals if case.plan else []:
            if goal.area == "wellbeing":
                assert not any(goal.goal in i["text"] for i in items)


def test_table_output_is_plain_when_piped(runner: CliRunner) -> None:
    """The table names person, date, learner and what; counts go to stderr."""
    result = runner.invoke(app, ["agenda", str(SAMPLE), "--today", TODAY],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "2026-11-02 overdue" in out and "Łukasz (L-2026-002)" in out
    assert "\x1b[" not in result.stdout
    assert re.search(r"\d+ items up to 2026-12-07, 4 overdue", result.stderr)


# --- the calendar file -------------------------------------------------------------------


def test_ics_parses_with_icalendar_and_has_one_event_an_item(runner: CliRunner) -> None:
    """The .ics file parses; each event is an all-day event with a UID and a summary."""
    data = ics(runner)
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(agenda(runner)["items"])
    for event in events:
        assert str(event["UID"]).endswith("@pathway")
        assert event.decoded("DTSTART").isoformat() == str(event["DTSTART"].dt)
        assert event["SUMMARY"]
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_ics_rerun_gives_identical_bytes(runner: CliRunner, tmp_path: Path) -> None:
    """Two runs with the same records and --today write byte-identical files."""
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    for target in (first, second):
        result = runner.invoke(app, ["agenda", str(SAMPLE), "--today", TODAY, "-f", "ics",
                                     "-o", str(target)])
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() == ics(runner)


def test_a_moved_review_keeps_its_uid(runner: CliRunner, sample: Path) -> None:
    """When the next review moves, its event keeps its UID, so a calendar updates it."""
    def review_event(path: Path) -> tuple[str, str]:
        calendar = icalendar.Calendar.from_ical(ics(runner, "--who", "lfischer", path=path))
        (event,) = [e for e in calendar.walk("VEVENT")
                    if str(e["SUMMARY"]).startswith("Giulia: review")]
        return str(event["UID"]), event.decoded("DTSTART").isoformat()

    uid, day = review_event(sample)
    review = sample / "cases" / "L-2026-005" / "reviews" / "2026-11-05.yaml"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "next_review: 2026-12-03", "next_review: 2026-12-01"), encoding="utf-8")
    moved_uid, moved_day = review_event(sample)
    assert (day, moved_day) == ("2026-12-03", "2026-12-01")
    assert moved_uid == uid


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value
    elif value is not None and hasattr(value, "isoformat"):
        yield value.isoformat()
        yield value.isoformat().replace("-", "")


def _sensitive(value: Any) -> Iterator[str]:
    """Every value under a field marked sensitive, anywhere in a record."""
    if isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            inner = getattr(value, name)
            if sensitivity_of(field) is not None:
                yield from _strings(inner)
            else:
                yield from _sensitive(inner)
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _sensitive(item)


def _markers() -> set[str]:
    """Private, personal and health text of the sample, and all case-note free text."""
    found: set[str] = set()
    for case in load_caseload([SAMPLE]).cases:
        learner = case.learner
        assert learner is not None
        for model in case.files():
            if model.model is not None:
                found.update(_sensitive(model.model))
        found.add(learner.name)
        found.update(m.name for m in learner.team)
        if case.assessment:
            found.update(n.need for n in case.assessment.support_needs)
        if case.plan:
            found.update(g.goal for g in case.plan.goals)
        for review in case.reviews:
            found.update(a.action for a in review.actions)
            found.update(review.concerns)
            found.update(t for t in (review.summary, review.reflection) if t)
    return {m.strip() for m in found if len(m.strip()) >= 4}


@pytest.mark.parametrize("days", ["14", "400"])
def test_ics_leaks_no_private_or_health_text(runner: CliRunner, days: str) -> None:
    """No private, personal or health marker of the sample is in the file, and every
    summary is a preferred name and a kind of appointment, nothing else."""
    data = ics(runner, "--days", days)
    text = data.decode("utf-8")
    unfolded = text.replace("\r\n ", "")
    markers = _markers()
    assert len(markers) > 100
    leaked = sorted(m for m in markers if m in unfolded)
    assert leaked == []
    names = {c.learner.display_name for c in load_caseload([SAMPLE]).cases if c.learner}
    labels = set(KIND_LABELS.values())
    pattern = re.compile(rf"^({'|'.join(map(re.escape, names))}): "
                         rf"({'|'.join(map(re.escape, labels))})( \(overdue\))?$")
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        assert pattern.match(str(event["SUMMARY"])), event["SUMMARY"]
        assert "DESCRIPTION" not in event and "LOCATION" not in event


def test_output_file_is_never_written_among_the_records(runner: CliRunner,
                                                        sample: Path) -> None:
    """-o inside a case folder is refused with a message, and nothing is written."""
    target = sample / "cases" / "L-2026-001" / "agenda.ics"
    result = runner.invoke(app, ["agenda", str(sample), "--today", TODAY, "-f", "ics",
                                 "-o", str(target)])
    assert result.exit_code == 1
    assert not target.exists()
    assert "Traceback" not in result.stderr


def test_negative_days_is_a_usage_error(runner: CliRunner) -> None:
    """--days -1 is a usage error (exit 2)."""
    result = runner.invoke(app, ["agenda", str(SAMPLE), "--days", "-1"])
    assert result.exit_code == 2


def test_without_a_preferred_name_only_the_first_name_is_in_the_calendar(
        runner: CliRunner, sample: Path) -> None:
    """A learner with no preferred name appears by the first word of the name, never the
    full name."""
    learner = sample / "cases" / "L-2026-005" / "learner.yaml"
    learner.write_text(learner.read_text(encoding="utf-8").replace(
        "preferred_name: Giulia\n", ""), encoding="utf-8")
    data = ics(runner, "--who", "lfischer", path=sample).decode("utf-8")
    assert "SUMMARY:Giulia: review due" in data
    assert "Esposito" not in data


def test_piped_agenda_is_one_tab_separated_line_an_item(
        runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped, the agenda is plain text for grep and cut, as summarise: a header, then one
    line an item that names its person, no box drawing."""
    monkeypatch.delenv("COLUMNS", raising=False)
    result = runner.invoke(app, ["agenda", str(SAMPLE), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "who\tdate\tlearner\tname\twhat"
    assert "\tL-2026-002\t" in result.stdout
    assert all(len(line.split("\t")) == 5 and line.split("\t")[0] for line in lines)
    assert "mbauer\t2026-11-02 overdue\tL-2026-002\tŁukasz\treview: " in result.stdout
    assert not re.search("[\u2500-\u257f]", result.stdout)


def test_output_to_a_folder_is_refused_in_plain_words(runner: CliRunner, tmp_path: Path) -> None:
    """-o naming a folder is refused with a sentence about the folder, not a temporary
    file's name, and nothing is left in it or beside it."""
    folder = tmp_path / "calendars"
    folder.mkdir()
    result = runner.invoke(app, ["agenda", str(SAMPLE), "--today", TODAY, "-f", "ics",
                                 "-o", str(folder)])
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert "it is a folder; name a file in it instead" in message
    assert ".tmp" not in message
    assert list(tmp_path.rglob("*")) == [folder]

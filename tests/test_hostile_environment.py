"""Hostile files and settings found by fuzzing: a message and exit 1, never a crash."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import TODAY, app


def _no_crash(result: Result) -> None:
    """Exit 1 with a message: no exception escaped, and no "internal error" was printed."""
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "internal error" not in result.output
    assert result.exit_code == 1


def test_looping_link_is_an_unreadable_file(runner: CliRunner, sample: Path) -> None:
    """A record that is a link to itself is reported as unreadable, with its path."""
    plan = sample / "cases/L-2026-002/plan.yaml"
    plan.unlink()
    plan.symlink_to(plan.name)
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    _no_crash(result)
    assert "plan.yaml:1:1: error file-unreadable" in result.stderr


def test_absurd_settings_are_findings_not_overflows(runner: CliRunner, sample: Path) -> None:
    """A review interval of millions of days or an infinite weight is refused by validate."""
    settings = sample / "pathway.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "review_every_days: 28", "review_every_days: 99999999") + "matching: {sector: .inf}\n",
        encoding="utf-8")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY, "-f", "json"])
    _no_crash(result)
    assert result.stdout.count('"out-of-range"') + result.stdout.count('"invalid-type"') >= 2
    for command in (["review", "new", "L-2026-002", "--caseload", str(sample), "--dry-run"],
                    ["match", str(sample)]):
        outcome = runner.invoke(app, [*command, "--today", TODAY])
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit)


def test_template_not_in_utf8_is_a_clear_error(runner: CliRunner, sample: Path) -> None:
    """A caseload template saved in another encoding is named, not a crash."""
    (sample / "templates").mkdir()
    (sample / "templates/plan.md.j2").write_bytes(b"\xff\xfe{{ learner.name }}")
    result = runner.invoke(app, ["render", str(sample / "cases/L-2026-002"), "--template",
                                 "plan", "--today", TODAY])
    _no_crash(result)
    assert "not saved as UTF-8" in result.stderr


def test_update_of_an_impossible_date_or_deep_file_is_refused(
    runner: CliRunner, sample: Path
) -> None:
    """Updates refuse files PyYAML cannot build or that nest absurdly, with the reason."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    text = learner.read_text(encoding="utf-8")
    learner.write_text(text.replace("opened: 2026-09-07", "opened: 2026-02-30"),
                       encoding="utf-8")
    closed = runner.invoke(app, ["close", "L-2026-002", "--outcome", "employed", "--caseload",
                                 str(sample), "--today", TODAY])
    _no_crash(closed)
    # The impossible date is read as text, so the refusal can say what is wrong with it.
    assert "refused, nothing written" in closed.stderr
    assert "not a real calendar date" in closed.stderr
    plan = sample / "cases/L-2026-002/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "x: " + "{a: " * 300 + "1" + "}" * 300
                    + "\n", encoding="utf-8")
    goal = runner.invoke(app, ["goal", "L-2026-002", "G3", "--progress", "50", "--caseload",
                               str(sample), "--today", TODAY])
    _no_crash(goal)
    assert "deep" in goal.stderr


def test_pseudonym_folder_taken_by_a_file_is_a_clear_error(
    runner: CliRunner, sample: Path
) -> None:
    """When .pathway is a file, the pseudonymised export says so instead of crashing."""
    (sample / ".pathway").write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["export", str(sample), "--pseudonymise", "--today", TODAY])
    _no_crash(result)
    assert ".pathway" in result.stderr


def test_outputs_never_land_among_the_records(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """export, render and badges refuse an -o inside cases/ or onto a record file."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    before = learner.read_bytes()
    attempts = [
        ["export", str(sample), "-o", str(learner)],
        ["export", str(sample), "-o", str(sample / "mentors.yaml")],
        ["render", str(sample / "cases/L-2026-002"), "--template", "plan", "-o",
         str(sample / "cases/L-2026-002")],
        ["render", str(sample), "--template", "plan", "-o", str(sample / "cases")],
        ["badges", "L-2026-008", "--caseload", str(sample), "-o", str(sample / "cases")],
    ]
    for argv in attempts:
        result = runner.invoke(app, [*argv, "--today", TODAY])
        _no_crash(result)
        assert "among the caseload's records" in result.stderr, argv
    assert learner.read_bytes() == before
    assert not list((sample / "cases").glob("*.md"))


def test_template_that_repeats_text_endlessly_is_stopped(runner: CliRunner, sample: Path) -> None:
    """A caseload template cannot exhaust memory by multiplying text."""
    (sample / "templates").mkdir()
    (sample / "templates/plan.md.j2").write_text("{{ 'x' * 10**9 }}", encoding="utf-8")
    result = runner.invoke(app, ["render", str(sample / "cases/L-2026-002"), "--template",
                                 "plan", "--today", TODAY])
    _no_crash(result)
    assert "templates/plan.md.j2, line 1" in result.stderr


def test_set_refuses_a_value_that_refers_to_itself(runner: CliRunner, sample: Path) -> None:
    """`set` with an alias inside its own anchor is refused, not an endless loop."""
    result = runner.invoke(app, ["set", "L-2026-002", "learner", "extra=&a [*a]", "--caseload",
                                 str(sample), "--today", TODAY])
    _no_crash(result)
    assert "refers to itself" in result.stderr


def test_dates_outside_the_years_of_living_people_are_refused(
    runner: CliRunner, sample: Path
) -> None:
    """--today 9999-12-31 is a usage error; such a date in a record is a finding."""
    assert runner.invoke(app, ["summarise", str(sample), "--today", "9999-12-31"]).exit_code == 2
    review = sample / "cases/L-2026-008/reviews/2026-11-16.yaml"
    review.write_text(review.read_text(encoding="utf-8").replace(
        "next_review: 2026-12-14", "next_review: 9999-12-31"), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    _no_crash(result)
    assert "outside the years 1900-2999" in result.stderr


def test_no_output_goes_into_pathway_or_git_folders(
    runner: CliRunner, sample: Path
) -> None:
    """Every command with -o refuses .pathway/ (the pseudonym key) and .git/."""
    assert runner.invoke(app, ["export", str(sample), "--pseudonymise", "--today", TODAY,
                               "-o", str(sample / "out.csv")]).exit_code == 0
    key = sample / ".pathway/pseudonym.key"
    before = key.read_bytes()
    (sample / ".git").mkdir()
    attempts = [
        ["export", str(sample), "-o", str(key)],
        ["export", str(sample), "-o", str(sample / ".pathway")],
        ["export", str(sample), "-o", str(sample / ".git/config")],
        ["render", str(sample / "cases/L-2026-002"), "--template", "plan", "-o",
         str(sample / ".pathway")],
        ["render", str(sample), "--template", "plan", "-o", str(sample / ".git")],
        ["render", str(sample), "--template", "caseload", "-o", str(sample / ".git/x")],
        ["badges", "L-2026-008", "--caseload", str(sample), "-o", str(sample / ".pathway")],
        ["schema", "-o", str(sample / ".git/hooks")],
    ]
    for argv in attempts:
        result = runner.invoke(app, [*argv, "--today", TODAY] if argv[0] != "schema" else argv)
        _no_crash(result)
        assert "refusing to write" in result.stderr and "folder" in result.stderr, argv
    assert key.read_bytes() == before
    assert sorted(p.name for p in (sample / ".pathway").iterdir()) == ["pseudonym.key"]
    assert list((sample / ".git").iterdir()) == []


def test_stale_temporary_files_are_ignored_then_removed(runner: CliRunner, sample: Path) -> None:
    """A temporary file left by a killed write is ignored by validate and removed by an update."""
    case = sample / "cases/L-2026-002"
    stale = [case / ".plan.yaml.k3j_9x2a.tmp", case / "reviews/.2026-10-26.yaml.abcdefgh.tmp"]
    for path in stale:
        path.write_text("goals: [half of a", encoding="utf-8")
    foreign = case / ".notes.txt.abcdefgh.tmp"  # not a record's: not pathway's to remove
    foreign.write_text("x", encoding="utf-8")
    checked = runner.invoke(app, ["validate", str(case), "--today", TODAY, "-f", "json"])
    assert ".tmp" not in checked.stdout + checked.stderr
    result = runner.invoke(app, ["goal", "L-2026-002", "G3", "--progress", "25", "--caseload",
                                 str(sample), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert not any(path.exists() for path in stale)
    assert foreign.exists()


def test_updates_of_a_file_with_a_self_referring_alias_give_validates_finding(
    runner: CliRunner, sample: Path
) -> None:
    """goal, set and close on a file whose alias refers to itself: the yaml-alias-bomb finding."""
    for name in ("plan.yaml", "learner.yaml"):
        path = sample / "cases/L-2026-002" / name
        path.write_text(path.read_text(encoding="utf-8") + "extra: &a [*a]\n", encoding="utf-8")
    validated = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    line = next(x for x in validated.stderr.splitlines() if "plan.yaml" in x and "alias" in x)
    place = line.split(" error ")[0]
    commands = [
        ["goal", "L-2026-002", "G3", "--progress", "50"],
        ["set", "L-2026-002", "plan", "revised=2026-11-01"],
        ["close", "L-2026-002", "--outcome", "employed"],
    ]
    for argv in commands:
        result = runner.invoke(app, [*argv, "--caseload", str(sample), "--today", TODAY])
        _no_crash(result)
        assert "yaml-alias-bomb" in result.stderr, argv
        assert "refers to the block that contains it" in result.stderr
    goal = runner.invoke(app, [*commands[0], "--caseload", str(sample), "--today", TODAY])
    assert place.split(":", 1)[1] in goal.stderr  # the same line and column as validate


def test_record_that_is_a_device_or_too_large_is_refused_unread(
    runner: CliRunner, sample: Path
) -> None:
    """A record linked to /dev/zero, or above max_record_bytes, is a finding; updates refuse it."""
    contract = sample / "cases/L-2026-002/contract.yaml"
    contract.unlink()
    contract.symlink_to("/dev/zero")
    plan = sample / "cases/L-2026-002/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8") + "# " + "x" * 2_000_000 + "\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    _no_crash(result)
    assert "contract.yaml:1:1: error file-not-regular" in result.stderr
    assert "plan.yaml:1:1: error file-too-large" in result.stderr
    for argv in (["sign", "L-2026-002", "--party", "employer", "--name", "Uwe Roth"],
                 ["goal", "L-2026-002", "G3", "--progress", "50"]):
        update = runner.invoke(app, [*argv, "--caseload", str(sample), "--today", TODAY])
        _no_crash(update)
        assert "file-not-regular" in update.stderr or "file-too-large" in update.stderr
    for command in ("summarise", "alerts", "export"):
        _no_crash_or_success(runner.invoke(app, [command, str(sample), "--today", TODAY]))
    settings = sample / "pathway.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "max_record_bytes: 4000000\n",
                        encoding="utf-8")
    again = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    assert "file-too-large" not in again.stderr


def _no_crash_or_success(result: Result) -> None:
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), repr(exc)
    assert "internal error" not in result.output


def test_consent_written_as_text_or_a_number_is_no_consent(
    runner: CliRunner, sample: Path
) -> None:
    """given: "y" or 1 fails validate and stops reports; `set ... given=y` is refused."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    original = learner.read_text(encoding="utf-8")
    for written in ('"y"', "1", "1.0", '"TRUE"'):
        learner.write_text(original.replace("{given: true,", f"{{given: {written},"),
                           encoding="utf-8")
        checked = runner.invoke(app, ["validate", str(learner), "--today", TODAY])
        _no_crash(checked)
        assert "'given' must be true or false" in checked.stderr, written
        report = runner.invoke(app, ["render", str(sample / "cases/L-2026-002"), "--template",
                                     "plan", "--audience", "guardian", "--today", TODAY])
        _no_crash(report)
    learner.write_text(original.replace("{given: true,", "{given: false,"), encoding="utf-8")
    before = learner.read_bytes()
    for value in ("y", "1", "t"):
        result = runner.invoke(app, ["set", "L-2026-002", "learner",
                                     f"consent.data_processing.given={value}", "--caseload",
                                     str(sample), "--today", TODAY])
        _no_crash(result)
        assert "must be true or false" in result.stderr
    assert learner.read_bytes() == before


def test_consent_dated_in_the_future_refuses_reports_until_that_day(
    runner: CliRunner, sample: Path
) -> None:
    """A consent dated after today is a warning, and reports wait for its date."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    learner.write_text(learner.read_text(encoding="utf-8").replace(
        "{given: true, date: 2026-09-10,", "{given: true, date: 2026-12-01,"), encoding="utf-8")
    checked = runner.invoke(app, ["validate", str(learner), "--today", TODAY])
    assert checked.exit_code == 0
    assert "warning consent-future" in checked.stderr
    case = str(sample / "cases/L-2026-002")
    for audience in ("team", "learner", "guardian"):
        early = runner.invoke(app, ["render", case, "--template", "plan", "--audience",
                                    audience, "--today", TODAY])
        _no_crash(early)
        assert "dated 2026-12-01" in early.stderr and "before that day" in early.stderr
        later = runner.invoke(app, ["render", case, "--template", "plan", "--audience",
                                    audience, "--today", "2026-12-01"])
        assert later.exit_code == 0, later.stderr
    caseload = runner.invoke(app, ["render", str(sample), "--template", "caseload",
                                   "--today", TODAY])
    assert caseload.exit_code == 0
    assert "Łukasz" not in caseload.stdout


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_control_codes_in_records_never_reach_the_terminal_or_a_csv(
    runner: CliRunner, sample: Path
) -> None:
    """Escape sequences in record text are taken out of tables, timelines, CSV and messages."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    text = learner.read_text(encoding="utf-8")
    name = re.search(r"^name: (.*)$", text, flags=re.MULTILINE)
    assert name is not None
    learner.write_text(text.replace(name.group(0), 'name: "a\\e[31mRED\\a\\x9b2J"'),
                       encoding="utf-8")
    review = sample / "cases/L-2026-002/reviews/2026-10-26.yaml"
    review.write_text(review.read_text(encoding="utf-8") + 'extra: {note: "\\e]0;owned\\a"}\n',
                      encoding="utf-8")
    commands = [
        ["summarise", str(sample)], ["summarise", str(sample), "-f", "csv"],
        ["alerts", str(sample)], ["timeline", "L-2026-002", "--caseload", str(sample)],
        ["export", str(sample)], ["validate", str(sample)],
        ["summarise", str(sample), "-f", "json"], ["export", str(sample), "-f", "jsonl"],
        ["timeline", "L-2026-002", "--caseload", str(sample), "-f", "json"],
        ["render", str(sample / "cases/L-2026-002"), "--template", "plan"],
    ]
    for argv in commands:
        result = runner.invoke(app, [*argv, "--today", TODAY], color=True,
                               env={"COLUMNS": "200", "TERM": "xterm", "FORCE_COLOR": "1"})
        assert result.exception is None or isinstance(result.exception, SystemExit), argv
        for stream in (result.stdout, result.stderr):
            # Rich's own styling (ESC [ ... m) may remain; nothing from the record may.
            without_styles = re.sub("\x1b\\[[0-9;]*m", "", stream)
            assert not CONTROL.search(without_styles), (argv, repr(stream[:300]))
        if argv[0] in ("summarise", "timeline", "export", "render"):
            assert "31mRED" in result.stdout, argv  # the text itself, without the codes
    checked = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    assert checked.stderr.count("text-control-characters") == 2
    out = sample / "out"
    for fmt in ("md", "html"):
        written = runner.invoke(app, ["render", str(sample / "cases/L-2026-002"), "--template",
                                      "case", "--to", fmt, "-o", str(out), "--today", TODAY])
        assert written.exit_code == 0, written.stderr
    for path in out.iterdir():
        assert not CONTROL.search(path.read_text(encoding="utf-8")), path


def test_summary_csv_neutralises_formulas_as_export_does(runner: CliRunner, sample: Path) -> None:
    """A name or programme starting with = + - @ is written as text in every CSV."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    text = learner.read_text(encoding="utf-8")
    name = re.search(r"^name: (.*)$", text, flags=re.MULTILINE)
    assert name is not None
    learner.write_text(text.replace(name.group(0), "name: '=HYPERLINK(\"http://x\",\"y\")'"),
                       encoding="utf-8")
    for argv in (["summarise", str(sample), "-f", "csv"], ["export", str(sample)]):
        result = runner.invoke(app, [*argv, "--today", TODAY])
        assert result.exit_code == 0, result.stderr
        rows = list(csv.reader(io.StringIO(result.stdout)))
        cells = [cell for row in rows for cell in row]
        assert "'=HYPERLINK(\"http://x\",\"y\")" in cells, argv
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells), argv


def test_template_links_out_of_templates_are_refused(runner: CliRunner, sample: Path) -> None:
    """A template, include or design file linked to a record or any file makes no report."""
    templates = sample / "templates"
    templates.mkdir()
    review = sample / "cases/L-2026-002/reviews/2026-10-26.yaml"
    (templates / "_leak.md.j2").symlink_to(review)
    (templates / "plan.md.j2").write_text('{% include "_leak.md.j2" %}\n', encoding="utf-8")
    case = str(sample / "cases/L-2026-002")
    leaked = runner.invoke(app, ["render", case, "--template", "plan", "--today", TODAY])
    _no_crash(leaked)
    assert "_leak.md.j2 is a link to" in leaked.stderr and "private" not in leaked.stdout
    (templates / "_leak.md.j2").unlink()
    (templates / "plan.md.j2").unlink()
    (templates / "report.css").symlink_to("/etc/hostname")
    css = runner.invoke(app, ["render", case, "--template", "plan", "--to", "html",
                              "--today", TODAY])
    _no_crash(css)
    assert "report.css is a link to" in css.stderr and css.stdout == ""
    (templates / "report.css").unlink()
    (templates / "fonts").symlink_to("/usr/share")
    fonts = runner.invoke(app, ["render", case, "--template", "plan", "--today", TODAY])
    _no_crash(fonts)
    (templates / "fonts").unlink()
    (templates / "base.md.j2").write_text("{{ learner.name }}\n", encoding="utf-8")
    (templates / "plan.md.j2").symlink_to("base.md.j2")  # a link inside templates/ is fine
    fine = runner.invoke(app, ["render", case, "--template", "plan", "--today", TODAY])
    assert fine.exit_code == 0, fine.stderr
    templates.rename(sample / "own-templates")
    (sample / "templates").symlink_to(sample / "cases")
    whole = runner.invoke(app, ["render", case, "--template", "plan", "--today", TODAY])
    _no_crash(whole)
    assert "holds the records" in whole.stderr


def test_multi_line_values_keep_the_team_table_whole(runner: CliRunner, sample: Path) -> None:
    """An organisation or contact written over several lines stays in its table cell."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    text = learner.read_text(encoding="utf-8")
    first = re.search(r"^    organisation: (.*)$", text, flags=re.MULTILINE)
    assert first is not None
    learner.write_text(text.replace(first.group(0),
                                    "    organisation: |\n      Line one\n      Line two",
                                    1), encoding="utf-8")
    result = runner.invoke(app, ["render", str(sample / "cases/L-2026-002"), "--template",
                                 "case", "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "Line " in line]
    assert rows and all(line.startswith("|") and line.endswith("|") for line in rows)
    assert "Line one Line two" in rows[0]


def test_one_csv_writer_and_one_console_factory() -> None:
    """Only csvtext writes CSV and only the guarded console factories print rich output."""
    source = Path(__file__).resolve().parents[1] / "src" / "pathway_cli"
    for path in source.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "csvtext.py":
            assert not re.search(r"^(import csv|from csv import)\b", text, re.MULTILINE), path
        if path.name != "console.py":
            assert not re.search(r"\bConsole\(", text), path


def test_settings_or_mentors_that_are_devices_are_reported(runner: CliRunner, sample: Path) -> None:
    """pathway.yaml or mentors.yaml linked to /dev/zero is a finding, not silent defaults."""
    for name in ("pathway.yaml", "mentors.yaml"):
        (sample / name).unlink()
        (sample / name).symlink_to("/dev/zero")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    _no_crash(result)
    assert "pathway.yaml:1:1: error file-not-regular" in result.stderr
    assert "mentors.yaml:1:1: error file-not-regular" in result.stderr
    summary = runner.invoke(app, ["summarise", str(sample), "--today", TODAY])
    _no_crash_or_success(summary)
    assert "default settings" in summary.stderr


@pytest.mark.parametrize(("encoding", "named"), [
    ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
    ("utf-32", "UTF-32"),
])
def test_a_record_saved_as_utf16_is_named_so(runner: CliRunner, sample: Path, encoding: str,
                                             named: str) -> None:
    """A record an editor saved as UTF-16 or UTF-32 (with or without a byte order mark) is
    called that, at its first line, instead of an unreadable byte."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    learner.write_bytes(learner.read_text(encoding="utf-8").encode(encoding))
    result = runner.invoke(app, ["validate", str(learner), "--today", TODAY])
    _no_crash(result)
    assert result.exit_code == 1
    assert (f"learner.yaml:1:1: error yaml-encoding: this file is saved as {named} text, "
            "not UTF-8; save it again as UTF-8") in " ".join(result.stderr.split())


def test_a_record_in_latin1_names_the_byte_and_its_place(runner: CliRunner,
                                                          sample: Path) -> None:
    """A record saved in a one-byte encoding: the first byte that is not UTF-8, at its line."""
    learner = sample / "cases/L-2026-002/learner.yaml"
    text = learner.read_text(encoding="utf-8")
    learner.write_bytes(text.encode("latin-1", "replace"))  # "Süd" on line 2
    result = runner.invoke(app, ["validate", str(learner), "--today", TODAY])
    _no_crash(result)
    assert ("learner.yaml:2:68: error yaml-encoding: this file is not saved as UTF-8 text "
            "(byte 0xfc cannot be read)") in " ".join(result.stderr.split())


def test_a_case_named_twice_is_read_once(runner: CliRunner, sample: Path) -> None:
    """A case folder reached twice (a link to it in cases/, or named beside its caseload) is
    one learner: checked, counted and summarised once."""
    (sample / "cases" / "alias").symlink_to("L-2026-002", target_is_directory=True)
    once = runner.invoke(app, ["summarise", str(sample), "--format", "csv", "--today", TODAY])
    assert once.exit_code == 0, once.stderr
    ids = [row["id"] for row in csv.DictReader(io.StringIO(once.stdout))]
    assert ids.count("L-2026-002") == 1 and len(ids) == len(set(ids))
    named = runner.invoke(app, ["summarise", str(sample), str(sample / "cases/L-2026-003"),
                                "--format", "csv", "--today", TODAY])
    assert named.stdout == once.stdout
    checked = runner.invoke(app, ["validate", str(sample), str(sample / "cases/L-2026-003"),
                                  "-f", "json", "--today", TODAY])
    plain = runner.invoke(app, ["validate", str(sample), "-f", "json", "--today", TODAY])
    assert checked.stdout == plain.stdout

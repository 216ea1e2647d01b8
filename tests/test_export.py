"""pathway export: flat rows for monitoring, and pseudonyms that need the caseload's key."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pathway_cli.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "sample_cases"
TODAY = "2026-11-23"
KEY = Path(".pathway") / "pseudonym.key"
NAMES = ["José", "Núñez", "Łukasz", "Zieliński", "Oleksandr", "Kovalenko", "Elif", "Yılmaz",
         "Giulia", "Esposito", "João", "Zofia", "Jonas Müller", "Rania", "Sabine Krause",
         "Markus Bauer", "Lea Fischer", "Heinz", "Олександр"]
# Free text, sensitive fields and private notes of the sample, one phrase each.
NEVER_PSEUDONYMISED = [
    "2005-04-17",                         # a date of birth
    "@example.org",                       # contacts
    "kitchen-maths catch-up course",      # goal text
    "Attendance has fallen to 62%",       # review summary
    "Industrial mechanic",                # programme title
    "skrause", "mbauer", "lfischer",      # team ids
    "L-2026-0",                           # learner ids
]
NEVER_EXPORTED = [
    "parcel depot",                       # private notes (team only)
    "panic attacks",                      # health support needs
    "lights out by 23.00",                # the well-being plan
    "I don't see the point",              # the learner's own reflection
    "panic plan",                         # a well-being goal's words
    "jberger", "tneumann",                # health professionals (their presence is health data)
    "psychologist",
    "2005-04-17", "2009-06-03",           # dates of birth (personal: an age band instead)
]


def export(runner: CliRunner, *args: str) -> str:
    """Run ``pathway export`` and return stdout (asserting success)."""
    result = runner.invoke(app, ["export", *args, "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def csv_rows(text: str) -> list[dict[str, str]]:
    """Parse CSV text into dictionaries."""
    return list(csv.DictReader(io.StringIO(text)))


def jsonl_rows(text: str) -> list[dict[str, Any]]:
    """Parse JSON lines."""
    return [json.loads(line) for line in text.splitlines()]


# --- plain exports -----------------------------------------------------------------------


def test_learner_rows_as_csv(runner: CliRunner) -> None:
    """One CSV row a learner, with a header; lists joined with ';'."""
    rows = csv_rows(export(runner, str(SAMPLE)))
    assert [r["learner"] for r in rows] == [f"L-2026-00{i}" for i in range(1, 10)]
    lukasz = rows[1]
    assert lukasz["name"] == "Łukasz Zieliński"
    assert lukasz["groups"] == "vet-work-based;at-risk"
    assert lukasz["risk"] == "red"
    assert lukasz["attendance"] == "0.62"
    assert lukasz["age_band"] == "16-17"
    assert lukasz["goals_at_risk"] == "2"
    assert lukasz["consent_given"] == "true"


def test_learner_rows_as_jsonl(runner: CliRunner) -> None:
    """--format jsonl gives one JSON object a line with lists and numbers as such."""
    rows = jsonl_rows(export(runner, str(SAMPLE), "--format", "jsonl"))
    assert len(rows) == 9
    lukasz = rows[1]
    assert lukasz["groups"] == ["vet-work-based", "at-risk"]
    assert lukasz["attendance"] == pytest.approx(0.62)
    assert lukasz["wellbeing"] == 2
    assert lukasz["alerts"][0] == "attendance-low"
    assert rows[8]["learner"] == "L-2026-009" and rows[8]["goals_total"] == 0
    assert {tuple(r) for r in rows} == {tuple(rows[0])}  # every row has the same columns


def test_goal_rows(runner: CliRunner) -> None:
    """--rows goals gives one row a plan goal, with its status, dates and owner's role."""
    rows = jsonl_rows(export(runner, str(SAMPLE), "--rows", "goals", "--format", "jsonl"))
    assert len(rows) == 23
    g2 = next(r for r in rows if r["learner"] == "L-2026-001" and r["goal"] == "G2")
    assert g2["status"] == "in-progress" and g2["overdue"] is True
    assert g2["due"] == "2026-11-15" and g2["owner_role"] == "learner"
    forklift = next(r for r in rows if r["learner"] == "L-2026-006" and r["goal"] == "G2")
    assert forklift["credential_type"] == "badge" and forklift["achieved_on"] == "2026-04-17"
    owned = next(r for r in rows if r["learner"] == "L-2026-002" and r["goal"] == "G3")
    assert owned["owner"] == "mbauer" and owned["owner_role"] == "coach"


def test_review_rows(runner: CliRunner) -> None:
    """--rows reviews gives one row a review with ratings and action counts."""
    rows = csv_rows(export(runner, str(SAMPLE), "--rows", "reviews"))
    assert len(rows) == 23
    conference = next(r for r in rows if r["learner"] == "L-2026-002"
                      and r["date"] == "2026-10-26")
    assert conference["kind"] == "case-conference"
    assert conference["attendance"] == "0.62" and conference["wellbeing"] == "2"
    assert (conference["actions"], conference["actions_open"]) == ("3", "2")
    assert conference["with_roles"] == "coach;employer;mentor;parent"
    assert "Options: retail | logistics" in next(
        r["summary"] for r in rows if r["learner"] == "L-2026-005" and r["date"] == "2026-11-05")
    check_in = next(r for r in rows if r["learner"] == "L-2026-001"
                    and r["date"] == "2026-11-17")
    assert (check_in["incidents"], check_in["incident_kinds"]) == ("3", "lateness;conflict")
    assert (check_in["passed"], check_in["failed"], check_in["trend"]) == ("1", "1", "")
    assert "sous-chef" not in export(runner, str(SAMPLE), "--rows", "reviews")


def test_learner_rows_carry_follow_ups_without_their_notes(runner: CliRunner) -> None:
    """A learner row counts follow-ups and gives the latest destination; the note stays."""
    text = export(runner, str(SAMPLE))
    joao = next(r for r in csv_rows(text) if r["learner"] == "L-2026-006")
    assert (joao["follow_ups"], joao["last_follow_up"], joao["destination"]) == (
        "1", "2026-10-05", "employment")
    assert joao["reopened"] == "0"
    assert "permanent contract" not in text


@pytest.mark.parametrize("rows", ["learners", "goals", "reviews"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_private_and_health_data_are_never_exported(runner: CliRunner, rows: str,
                                                    fmt: str) -> None:
    """Even a plain export leaves out private notes, health needs, the well-being plan and its
    goals' words, health professionals and the learner's reflections."""
    text = export(runner, str(SAMPLE), "--rows", rows, "--format", fmt)
    for phrase in NEVER_EXPORTED:
        assert phrase not in text


def test_spreadsheet_formulas_are_defused(runner: CliRunner, sample: Path) -> None:
    """Free text starting with '=' is written with a leading quote, so no sheet runs it."""
    plan = sample / "cases" / "L-2026-008" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "goal: Average grade 3 or better in electrical maths tests",
        "goal: \"=HYPERLINK('http://example.org')\""), encoding="utf-8")
    rows = csv_rows(export(runner, str(sample), "--rows", "goals"))
    text = next(r["text"] for r in rows if r["learner"] == "L-2026-008" and r["goal"] == "G1")
    assert text == "'=HYPERLINK('http://example.org')"


def test_output_file(runner: CliRunner, sample: Path) -> None:
    """-o writes the export to a file and says so on stderr; stdout stays empty."""
    target = sample / "monitoring" / "goals.jsonl"
    result = runner.invoke(app, ["export", str(sample), "--rows", "goals", "--format", "jsonl",
                                 "-o", str(target), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert len(target.read_text(encoding="utf-8").splitlines()) == 23
    assert "goals.jsonl (23 goals)" in result.stderr


def test_output_folder_gets_a_named_file(runner: CliRunner, sample: Path) -> None:
    """-o naming an existing folder writes <rows>.<format> inside it."""
    folder = sample / "out"
    folder.mkdir()
    result = runner.invoke(app, ["export", str(sample), "-o", str(folder), "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert len(csv_rows((folder / "learners.csv").read_text(encoding="utf-8"))) == 9


def test_unreadable_learner_is_left_out_with_a_note(runner: CliRunner, sample: Path) -> None:
    """A case whose learner.yaml cannot be read is not exported, and stderr says so."""
    (sample / "cases" / "L-2026-008" / "learner.yaml").write_text("id: [\n", encoding="utf-8")
    result = runner.invoke(app, ["export", str(sample), "--today", TODAY])
    assert result.exit_code == 0
    assert "L-2026-008" not in result.stdout
    assert "L-2026-008: learner.yaml could not be read" in " ".join(result.stderr.split())


# --- pseudonymised exports ---------------------------------------------------------------


@pytest.mark.parametrize("rows", ["learners", "goals", "reviews"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_pseudonymised_export_drops_names_and_free_text(runner: CliRunner, sample: Path,
                                                        rows: str, fmt: str) -> None:
    """No name, id, contact, date of birth or free text survives --pseudonymise."""
    text = export(runner, str(sample), "--pseudonymise", "--rows", rows, "--format", fmt)
    assert text.strip()
    for phrase in NAMES + NEVER_PSEUDONYMISED + NEVER_EXPORTED:
        assert phrase not in text, phrase


def test_pseudonymised_learner_columns(runner: CliRunner, sample: Path) -> None:
    """Categories, dates, scales and counts stay; identifying columns are gone."""
    rows = jsonl_rows(export(runner, str(sample), "--pseudonymise", "--format", "jsonl"))
    assert len(rows) == 9
    columns = set(rows[0])
    assert columns.isdisjoint({"name", "preferred_name", "date_of_birth", "programme",
                               "provider"})
    assert columns >= {"learner", "age_band", "status", "opened", "groups", "sector",
                       "key_worker", "attendance", "wellbeing", "risk"}
    assert all(r["learner"].startswith("P-") and len(r["learner"]) == 18 for r in rows)
    assert all(r["key_worker"].startswith("T-") for r in rows)
    assert len({r["learner"] for r in rows}) == 9


def test_pseudonyms_are_stable_with_the_same_key(runner: CliRunner, sample: Path) -> None:
    """Two exports with the same key give every learner the same pseudonym."""
    first = export(runner, str(sample), "--pseudonymise")
    second = export(runner, str(sample), "--pseudonymise")
    assert first == second


def test_pseudonyms_link_rows_of_different_kinds(runner: CliRunner, sample: Path) -> None:
    """A learner's goal and review rows carry the same pseudonym as their learner row."""
    learners = {r["learner"] for r in csv_rows(export(runner, str(sample), "--pseudonymise"))}
    goals = {r["learner"] for r in csv_rows(export(runner, str(sample), "--pseudonymise",
                                                   "--rows", "goals"))}
    assert goals <= learners and len(goals) == 7


def test_another_key_gives_other_pseudonyms(runner: CliRunner, sample: Path,
                                            tmp_path: Path) -> None:
    """The same learners in a caseload with another key get entirely different pseudonyms."""
    other = tmp_path / "other"
    shutil.copytree(sample, other)
    mine = {r["learner"] for r in csv_rows(export(runner, str(sample), "--pseudonymise"))}
    theirs = {r["learner"] for r in csv_rows(export(runner, str(other), "--pseudonymise"))}
    assert (sample / KEY).read_bytes() != (other / KEY).read_bytes()
    assert mine.isdisjoint(theirs)


def test_pseudonyms_cannot_be_found_from_ids_or_names(runner: CliRunner,
                                                      sample: Path) -> None:
    """A pseudonym is not a plain hash of the id or the name, so a list of names finds no one."""
    rows = csv_rows(export(runner, str(sample), "--pseudonymise"))
    pseudonyms = {r["learner"].removeprefix("P-") for r in rows}
    guesses = set()
    for number in range(1, 10):
        learner_id = f"L-2026-00{number}"
        for text in (learner_id, f"learner\x00{learner_id}"):
            for algorithm in ("sha256", "sha1", "md5", "blake2b"):
                digest = hashlib.new(algorithm, text.encode()).hexdigest()
                guesses.update({digest[:16], digest[-16:]})
    for name in ("José Núñez García", "Łukasz Zieliński", "Rania Mansour"):
        guesses.add(hashlib.sha256(name.encode()).hexdigest()[:16])
    assert pseudonyms.isdisjoint(guesses)


def test_key_is_made_on_first_use_private_and_kept(runner: CliRunner, sample: Path) -> None:
    """The first pseudonymised export makes a 0600 key in .pathway/ and says so once."""
    first = runner.invoke(app, ["export", str(sample), "--pseudonymise", "--today", TODAY])
    key = sample / KEY
    assert key.is_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "made a new pseudonym key" in " ".join(first.stderr.split())
    content = key.read_bytes()
    second = runner.invoke(app, ["export", str(sample), "--pseudonymise", "--today", TODAY])
    assert key.read_bytes() == content
    assert "made a new pseudonym key" not in second.stderr


def test_plain_export_makes_no_key(runner: CliRunner, sample: Path) -> None:
    """Without --pseudonymise nothing is written into the caseload."""
    export(runner, str(sample))
    assert not (sample / ".pathway").exists()


def test_a_refused_output_makes_no_key(runner: CliRunner, sample: Path) -> None:
    """An export refused for its output place (inside the records) writes nothing, not even
    the pseudonym key it would have made."""
    result = runner.invoke(app, ["export", str(sample), "--pseudonymise", "-o",
                                 str(sample / "cases" / "x.csv"), "--today", TODAY])
    assert result.exit_code == 1
    assert not (sample / KEY).exists()
    assert not (sample / "cases" / "x.csv").exists()


def test_damaged_key_is_refused(runner: CliRunner, sample: Path) -> None:
    """A damaged key stops the export with advice, rather than silently making new pseudonyms."""
    (sample / ".pathway").mkdir()
    (sample / KEY).write_text("not hex at all\n", encoding="ascii")
    result = runner.invoke(app, ["export", str(sample), "--pseudonymise"])
    assert result.exit_code == 1
    assert "is damaged" in result.stderr
    assert "restore it from your backup" in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_pseudonymising_single_cases_needs_the_caseload(runner: CliRunner,
                                                        tmp_path: Path) -> None:
    """A case folder outside any caseload has nowhere to keep the key: a clear error."""
    loose = tmp_path / "L-2026-008"
    shutil.copytree(SAMPLE / "cases" / "L-2026-008", loose)
    result = runner.invoke(app, ["export", str(loose), "--pseudonymise"])
    assert result.exit_code == 1
    assert "needs the caseload root" in result.stderr


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_warns_when_git_would_commit_the_key(runner: CliRunner, sample: Path) -> None:
    """In a git work tree that does not ignore .pathway/, the export warns; once ignored, not."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git("init", "-q", cwd=sample)
    warned = runner.invoke(app, ["export", str(sample), "--pseudonymise", "--today", TODAY])
    assert "is not ignored by git" in " ".join(warned.stderr.split())
    (sample / ".gitignore").write_text(".pathway/\n", encoding="utf-8")
    quiet = runner.invoke(app, ["export", str(sample), "--pseudonymise", "--today", TODAY])
    assert "is not ignored by git" not in quiet.stderr


def test_pseudonymise_american_spelling(runner: CliRunner, sample: Path) -> None:
    """--pseudonymize works as well."""
    assert export(runner, str(sample), "--pseudonymize") == export(runner, str(sample),
                                                                   "--pseudonymise")


def test_sample_caseload_has_no_key() -> None:
    """The repository's sample caseload never carries a pseudonym key."""
    assert not (SAMPLE / KEY).exists()


def test_wellbeing_goals_keep_their_numbers_not_their_words(runner: CliRunner) -> None:
    """Elif's well-being goals are exported with status and dates, but no text."""
    rows = jsonl_rows(export(runner, str(SAMPLE), "--rows", "goals", "--format", "jsonl"))
    elif_goals = {r["goal"]: r for r in rows if r["learner"] == "L-2026-004"}
    assert elif_goals["G2"]["area"] == "wellbeing"
    assert elif_goals["G2"]["status"] == "in-progress" and elif_goals["G2"]["text"] is None
    assert elif_goals["G3"]["text"] == "Catch up on the missed anatomy and billing lessons"


def test_health_professionals_are_left_out_of_roles(runner: CliRunner) -> None:
    """The case conference with the psychologist and therapist lists only the other roles."""
    rows = jsonl_rows(export(runner, str(SAMPLE), "--rows", "reviews", "--format", "jsonl"))
    conference = next(r for r in rows if r["learner"] == "L-2026-004"
                      and r["date"] == "2026-11-02")
    assert conference["with"] == ["kschmitt", "saydin"]
    assert conference["with_roles"] == ["counsellor", "employer"]


def test_csv_guards_every_text_cell_against_formulas(runner: CliRunner, sample: Path) -> None:
    """A hand-typed sector or language starting with '=' is written so a spreadsheet shows it."""
    learner = sample / "cases/L-2026-008/learner.yaml"
    text = learner.read_text(encoding="utf-8")
    text = text.replace("languages: [", "languages: ['=1+1', ", 1)
    learner.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["export", str(sample), "--format", "csv", "--pseudonymise",
                                 "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert "'=1+1" in result.stdout
    assert ",=1+1" not in result.stdout and "\n=1+1" not in result.stdout

"""`pathway match`: who is proposed to whom, why, and the rules that are never broken."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pathway_cli.matching import Candidate, fit
from pathway_cli.models import Learner, Mentor, Settings
from tests.conftest import SAMPLE, TODAY, app

FIXTURES = Path(__file__).parent / "fixtures" / "match"


def run_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["match", *args, "--today", TODAY, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def pairs_of(data: dict[str, Any]) -> dict[str, str]:
    return {p["learner"]: p["mentor"] for p in data["pairs"]}


# --- the sample caseload -----------------------------------------------------------------


def test_sample_proposes_rami_for_rania_with_reasons(runner: CliRunner) -> None:
    """On the sample, Rania (no mentor yet) gets the social-care mentor who speaks Arabic."""
    data = run_json(runner, str(SAMPLE))
    assert pairs_of(data) == {"L-2026-001": "cozturk", "L-2026-009": "rsaleh"}
    pair = next(p for p in data["pairs"] if p["learner"] == "L-2026-009")
    assert pair["role"] == "mentor"
    assert 0 < pair["score"] <= 1
    assert "shares sector social-care" in pair["reasons"]
    assert any("ar" in r.split() or "ar," in r for r in pair["reasons"] if r.startswith("speaks"))
    assert data["unmatched"] == []


def test_json_has_the_documented_shape(runner: CliRunner) -> None:
    """JSON has pairs (learner, mentor, score, reasons) and unmatched (learner, reason)."""
    data = run_json(runner, str(FIXTURES / "scheme"))
    assert {"pairs", "unmatched"} <= data.keys()
    for pair in data["pairs"]:
        assert {"learner", "mentor", "score", "reasons"} <= pair.keys()
        assert isinstance(pair["score"], float)
        assert all(isinstance(r, str) and r for r in pair["reasons"])
    for item in data["unmatched"]:
        assert {"learner", "reason"} <= item.keys()


def test_table_explains_pairs_and_the_unmatched_in_words(runner: CliRunner) -> None:
    """The table gives each pair with reasons, each unmatched learner with the reason, the pool."""
    result = runner.invoke(app, ["match", str(FIXTURES / "scheme"), "--today", TODAY],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Proposed mentors" in out
    assert "shares sector logistics" in out
    assert "Still without a mentor" in out
    assert "Senait Tesfay" in out
    assert "shares a language" in out
    assert "not trained yet" in out
    assert "at capacity" in out
    assert "\x1b[" not in out  # no colour codes when stdout is not a terminal


# --- hard constraints --------------------------------------------------------------------


def test_untrained_mentor_is_never_proposed_even_as_the_best_fit(runner: CliRunner,
                                                                 sample: Path) -> None:
    """Iryna speaks Sasha's Ukrainian, but she has not done the training, so she is not proposed."""
    learner = sample / "cases" / "L-2026-003" / "learner.yaml"
    edit(learner, "    role: peer-mentor", "    role: other")
    data = run_json(runner, str(sample))
    assert "L-2026-003" in pairs_of(data)
    assert "ihrytsenko" not in pairs_of(data).values()


def test_mentor_trained_only_in_the_future_counts_from_that_date(runner: CliRunner,
                                                                  sample: Path) -> None:
    """A training date after --today keeps the mentor out; from that date on she is proposed."""
    edit(sample / "cases" / "L-2026-003" / "learner.yaml", "    role: peer-mentor",
         "    role: other")
    edit(sample / "mentors.yaml",
         "    # trained: not yet - booked on the induction course of 2027-01-16",
         "    trained: 2027-01-16")
    before = run_json(runner, str(sample))
    assert "ihrytsenko" not in pairs_of(before).values()
    note = next(m["note"] for m in before["mentors"] if m["id"] == "ihrytsenko")
    assert "2027-01-16" in note
    result = runner.invoke(app, ["match", str(sample), "--today", "2027-02-01", "-f", "json"])
    after = json.loads(result.stdout)
    assert pairs_of(after)["L-2026-003"] == "ihrytsenko"
    pair = next(p for p in after["pairs"] if p["learner"] == "L-2026-003")
    assert any("uk" in r and "migrant" in r for r in pair["reasons"])


def test_full_mentor_is_never_proposed(runner: CliRunner, sample: Path) -> None:
    """Heinz mentors Łukasz and takes one learner only: a new metalwork learner is not given him."""
    folder = sample / "cases" / "L-2026-010"
    folder.mkdir()
    (folder / "learner.yaml").write_text(
        "id: L-2026-010\nname: Piotr Nowak\nlanguages: [pl, de]\nstatus: active\n"
        "opened: 2026-10-01\ngroups: [vet-work-based]\n"
        "programme: {title: Industrial mechanic, mode: dual, sector: metalwork}\n"
        "interests: [fishing, chess]\n", encoding="utf-8")
    data = run_json(runner, str(sample))
    assert "L-2026-010" in pairs_of(data)
    assert pairs_of(data)["L-2026-010"] != "hbrandt"
    heinz = next(m for m in data["mentors"] if m["id"] == "hbrandt")
    assert (heinz["taken"], heinz["free"], heinz["proposed"]) == (1, 0, 0)


def test_paused_case_keeps_its_mentor_place(runner: CliRunner, sample: Path) -> None:
    """Elif's case is paused but Marta stays her mentor: with one place, Marta is full."""
    edit(sample / "mentors.yaml", "    capacity: 2\n    trained: 2026-03-12",
         "    capacity: 1\n    trained: 2026-03-12")
    data = run_json(runner, str(sample))
    marta = next(m for m in data["mentors"] if m["id"] == "mkowalczyk")
    assert (marta["taken"], marta["free"], marta["note"]) == (1, 0, "at capacity")


def test_completed_case_frees_the_place(runner: CliRunner) -> None:
    """Heinz's completed mentee no longer counts; his active one does."""
    data = run_json(runner, str(FIXTURES / "scheme"))
    heinz = next(m for m in data["mentors"] if m["id"] == "hbrandt")
    assert heinz["taken"] == 1


def test_capacity_is_counted_over_the_whole_caseload_when_one_case_is_named(
        runner: CliRunner, sample: Path) -> None:
    """Naming one case folder still counts the places other cases take."""
    edit(sample / "cases" / "L-2026-002" / "learner.yaml", "    role: mentor", "    role: other")
    data = run_json(runner, str(sample / "cases" / "L-2026-002"))
    assert set(pairs_of(data)) == {"L-2026-002"}
    okaya = next(m for m in data["mentors"] if m["id"] == "okaya")
    assert okaya["taken"] == 1  # Giulia's place, although her case was not named


def test_learner_with_no_shared_language_is_left_unmatched_with_the_reason(
        runner: CliRunner) -> None:
    """Senait speaks only Tigrinya; nobody is forced on her and the reason says why."""
    data = run_json(runner, str(FIXTURES / "scheme"))
    assert "L-2027-107" not in pairs_of(data)
    reason = next(u["reason"] for u in data["unmatched"] if u["learner"] == "L-2027-107")
    assert reason == "no trained mentor with free capacity shares a language with the learner"


def test_pairs_below_the_minimum_score_are_not_forced(runner: CliRunner, sample: Path) -> None:
    """With min_score 0.9 in pathway.yaml nobody fits well enough, and the reason names the best."""
    with (sample / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("matching:\n  min_score: 0.9\n")
    data = run_json(runner, str(sample))
    assert data["pairs"] == []
    reasons = {u["learner"]: u["reason"] for u in data["unmatched"]}
    assert "fits well enough" in reasons["L-2026-009"]
    assert "rsaleh" in reasons["L-2026-009"]


def test_weights_from_pathway_yaml_change_the_proposal(runner: CliRunner, sample: Path) -> None:
    """Switching the sector factor off and weighing peer support up gives Rania the peer mentor."""
    with (sample / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("matching:\n  sector: 0\n  peer_social: 5\n")
    data = run_json(runner, str(sample))
    assert pairs_of(data)["L-2026-009"] == "cozturk"
    assert next(p for p in data["pairs"] if p["learner"] == "L-2026-009")["role"] == (
        "peer-mentor")


def test_bad_weight_is_a_finding_of_validate_and_a_clean_error(runner: CliRunner,
                                                               sample: Path) -> None:
    """A negative weight is reported by validate with its line; match stops cleanly."""
    with (sample / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("matching:\n  sector: -1\n")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    assert result.exit_code == 1
    assert re.search(r"pathway\.yaml:\d+:\d+: error", result.stderr)


def test_all_weights_zero_is_refused(runner: CliRunner, sample: Path) -> None:
    """With every weight at 0 no pair can score; match says so instead of proposing nothing."""
    zero = "".join(f"  {k}: 0\n" for k in (
        "sector", "language", "home_language", "migrant_language", "interest", "availability",
        "independent", "peer_social", "experienced_work_based"))
    with (sample / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("matching:\n" + zero)
    result = runner.invoke(app, ["match", str(sample), "--today", TODAY])
    assert result.exit_code == 1
    assert "weight is 0" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_mentor_pool_is_a_clean_error(runner: CliRunner, sample: Path) -> None:
    """Without mentors.yaml match exits 1 with a message, not a traceback."""
    (sample / "mentors.yaml").unlink()
    result = runner.invoke(app, ["match", str(sample), "--today", TODAY])
    assert result.exit_code == 1
    assert "no mentors.yaml" in result.stderr


def test_broken_mentor_pool_is_a_clean_error(runner: CliRunner, sample: Path) -> None:
    """A mentors.yaml with an error stops match with exit 1 and a pointer to validate."""
    edit(sample / "mentors.yaml", "    capacity: 3\n    trained: 2026-02-10",
         "    capacity: three\n    trained: 2026-02-10")
    result = runner.invoke(app, ["match", str(sample), "--today", TODAY])
    assert result.exit_code == 1
    assert "mentors.yaml has errors" in result.stderr


def test_unreadable_learner_is_skipped_with_a_message(runner: CliRunner, sample: Path) -> None:
    """A case whose learner.yaml does not load is named on stderr; the others are still matched."""
    (sample / "cases" / "L-2026-007" / "learner.yaml").write_text("id: [\n", encoding="utf-8")
    result = runner.invoke(app, ["match", str(sample), "--today", TODAY, "-f", "json"])
    assert result.exit_code == 0
    assert "skipped L-2026-007" in result.stderr
    assert pairs_of(json.loads(result.stdout)) == {"L-2026-001": "cozturk",
                                                    "L-2026-009": "rsaleh"}


# --- optimality and ties -----------------------------------------------------------------


def _greedy_total(folder: Path) -> float:
    """Learners in id order each take their best free mentor: the first-come baseline."""
    from pathway_cli.caseload import load_caseload
    from pathway_cli.matching import max_points

    caseload = load_caseload([folder])
    assert caseload.mentors is not None
    weights = caseload.settings.matching
    free = {m.id: m.capacity for m in caseload.mentors.mentors}
    total = 0.0
    for case in sorted(caseload.cases, key=lambda c: c.id):
        assert case.learner is not None
        options = []
        for mentor in caseload.mentors.mentors:
            pair = fit(Candidate(case.learner), mentor, weights)
            score = pair.points / max_points(weights)
            if free[mentor.id] and not pair.refused and score >= weights.min_score:
                options.append((pair.points, mentor.id))
        if options:
            points, mentor_id = max(options)
            free[mentor_id] -= 1
            total += points
    return total


def test_optimal_assignment_beats_first_come_greedy(runner: CliRunner) -> None:
    """Where taking turns leaves Finn without a mentor, the proposal matches both, scoring more."""
    folder = FIXTURES / "greedy"
    data = run_json(runner, str(folder))
    greedy = _greedy_total(folder)
    assert data["total_points"] > greedy
    assert pairs_of(data) == {"L-1": "bkrause", "L-2": "abauer"}
    assert data["total_points"] == pytest.approx(8.0)
    assert greedy == pytest.approx(4.75)


def test_equal_fits_go_to_the_mentor_with_more_free_places(runner: CliRunner,
                                                           tmp_path: Path) -> None:
    """Two mentors fit equally: the one with more free places is proposed, whatever the order."""
    folder = copy_fixture("greedy", tmp_path)
    (folder / "cases" / "L-2").rename(tmp_path / "L-2")
    (folder / "mentors.yaml").write_text(
        "mentors:\n"
        "  - {id: zed, name: Zed Z, kind: volunteer, sectors: [retail], languages: [de],"
        " capacity: 3, trained: 2026-01-01}\n"
        "  - {id: amy, name: Amy A, kind: volunteer, sectors: [retail], languages: [de],"
        " capacity: 1, trained: 2026-01-01}\n", encoding="utf-8")
    assert pairs_of(run_json(runner, str(folder))) == {"L-1": "zed"}


def test_last_place_goes_to_the_learner_waiting_longest(runner: CliRunner,
                                                        tmp_path: Path) -> None:
    """Two learners fit the one free place equally: the case opened earlier gets it."""
    folder = copy_fixture("greedy", tmp_path)
    (folder / "mentors.yaml").write_text(
        "mentors:\n  - {id: amy, name: Amy A, kind: volunteer, sectors: [retail, logistics],"
        " languages: [de], capacity: 1, trained: 2026-01-01}\n", encoding="utf-8")
    edit(folder / "cases" / "L-1" / "learner.yaml", "opened: 2026-09-01", "opened: 2026-09-05")
    edit(folder / "cases" / "L-1" / "learner.yaml", "interests: [climbing]", "interests: [chess]")
    data = run_json(runner, str(folder))
    assert pairs_of(data) == {"L-2": "amy"}
    assert "proposed for other learners" in data["unmatched"][0]["reason"]


def test_same_input_gives_the_same_proposal(runner: CliRunner) -> None:
    """Running twice gives byte-identical JSON."""
    args = ["match", str(FIXTURES / "scheme"), "--today", TODAY, "-f", "json"]
    assert runner.invoke(app, args).stdout == runner.invoke(app, args).stdout


def test_scheme_pairs_a_coordinator_would_choose(runner: CliRunner) -> None:
    """Sector, language and interests decide: Inês (pt, logistics) gets Luís, Noah the IT peer."""
    data = run_json(runner, str(FIXTURES / "scheme"))
    pairs = pairs_of(data)
    assert pairs["L-2027-104"] == "lferreira"
    assert pairs["L-2027-105"] == "cozturk"
    assert pairs["L-2027-103"] == "amorales"
    assert pairs["L-2027-102"] == "mkowalczyk"
    assert pairs["L-2027-101"] == "okaya"
    lferreira = next(p for p in data["pairs"] if p["learner"] == "L-2027-104")
    assert "speaks pt with a migrant learner, not only de" in lferreira["reasons"]


# --- scoring in detail (the documented factors) ------------------------------------------


def _learner(**fields: Any) -> Learner:
    base: dict[str, Any] = {"id": "L-1", "name": "A B", "status": "active",
                            "opened": "2026-09-01"}
    return Learner.model_validate(base | fields)


def _mentor(**fields: Any) -> Mentor:
    base: dict[str, Any] = {"id": "m1", "name": "M M", "kind": "volunteer",
                            "trained": "2026-01-01"}
    return Mentor.model_validate(base | fields)


def test_interests_match_on_shared_words() -> None:
    """'five-a-side football' and 'football' count as one shared interest."""
    pair = fit(Candidate(_learner(interests=["five-a-side football", "opera"])),
               _mentor(interests=["football", "fishing"]), Settings().matching)
    assert "shares interests: football" in pair.reasons


def test_peer_mentor_factor_names_the_need_but_never_health() -> None:
    """A peer mentor earns the social factor for an at-risk learner; the reason names the group."""
    pair = fit(Candidate(_learner(groups=["at-risk"])), _mentor(kind="peer"),
               Settings().matching)
    assert "peer mentor for social and motivational support (at-risk)" in pair.reasons


def test_mentor_already_in_the_team_is_refused() -> None:
    """A mentor already in the learner's team in another role is not proposed again."""
    learner = _learner(team=[{"id": "m1", "name": "M M", "role": "teacher"}])
    assert fit(Candidate(learner), _mentor(), Settings().matching).refused


def test_a_learner_whose_mentor_left_is_proposed_a_new_one(runner: CliRunner) -> None:
    """José's mentor Ana left on 2026-11-06: he gets a new mentor, and the pair says whom
    he follows; before she left, he needs none."""
    data = run_json(runner, str(SAMPLE))
    pair = next(p for p in data["pairs"] if p["learner"] == "L-2026-001")
    assert pair["reasons"][0] == "follows Ana Morales, who left on 2026-11-06"
    assert pair["mentor"] != "amorales"
    result = runner.invoke(app, ["match", str(SAMPLE), "--today", "2026-11-06", "-f", "json"])
    assert "L-2026-001" not in pairs_of(json.loads(result.stdout))


def test_a_mentor_who_left_frees_the_place(runner: CliRunner) -> None:
    """Ana's place with José no longer counts against her capacity once she has left."""
    data = run_json(runner, str(SAMPLE))
    (ana,) = [m for m in data["mentors"] if m["id"] == "amorales"]
    assert ana["taken"] == 0


def test_piped_tables_are_tab_separated(runner: CliRunner,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Piped, the proposals and the pool are written for grep and cut: a title line, a
    tab-separated header and rows, the reasons one clause each; COLUMNS draws them again."""
    monkeypatch.delenv("COLUMNS", raising=False)
    piped = runner.invoke(app, ["match", str(SAMPLE), "--today", TODAY])
    assert piped.exit_code == 0, piped.stderr
    lines = piped.stdout.splitlines()
    assert "Learner\tMentor\tScore\tWhy" in lines
    assert "Mentor\tKind\tTaken\tProposed\tNote" in lines
    rania = next(line for line in lines if line.startswith("L-2026-009"))
    fields = rania.split("\t")
    assert fields[1] == "rsaleh (mentor) Rami Saleh" and fields[2] == "0.49"
    assert fields[3].startswith("shares sector social-care; speaks ar, en")
    assert not any(ch in piped.stdout for ch in "┃│━─")
    drawn = runner.invoke(app, ["match", str(SAMPLE), "--today", TODAY],
                          env={"COLUMNS": "120"})
    assert "┃" in drawn.stdout

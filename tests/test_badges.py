"""`pathway badges`: Open Badges 3.0 credentials of recognised achievements (content, privacy).

Signing, verifying, revoking and baking are tested in test_badges_signed.py.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pathway_cli.badges import build_badges
from pathway_cli.caseload import load_caseload
from tests.conftest import TODAY, app

SCHEMA = Path("specs") / "openbadges-3.0" / "achievementcredential.json"
# Learners of the sample whose records hold a credential (goal or hidden skill).
WITH_BADGES = {
    "L-2026-003": ["skill-repair-cafe-volunteer-technician"],
    "L-2026-004": ["skill-youth-first-aider"],
    "L-2026-006": ["goal-G2"],
    "L-2026-008": ["goal-G2"],
}


@pytest.fixture
def validator(shared: Path) -> Any:
    """A validator of the official 1EdTech AchievementCredential schema, in its own draft."""
    jsonschema = pytest.importorskip("jsonschema")
    path = shared / SCHEMA
    if not path.is_file():
        pytest.skip(f"{path} is absent: the official schema is needed to check credentials")
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture
def keyed(sample: Path, runner: CliRunner) -> Path:
    """The sample caseload with an issuer key made by `pathway badges keygen`."""
    result = runner.invoke(app, ["badges", "keygen", "--caseload", str(sample)])
    assert result.exit_code == 0, result.stderr
    return sample


def issue(runner: CliRunner, caseload: Path, case_id: str, *args: str) -> Any:
    return runner.invoke(app, ["badges", case_id, "--caseload", str(caseload),
                               "--today", TODAY, *args])


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def add_goal(plan: Path, goal: str) -> None:
    """Add a goal at the end of the goals list (before the career block)."""
    edit(plan, "\ncareer:", "\n" + goal + "career:")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("case_id", sorted(WITH_BADGES))
def test_sample_badges_are_valid_open_badges_3(runner: CliRunner, keyed: Path, validator: Any,
                                               case_id: str) -> None:
    """Every credential of the keyed is accepted by the official AchievementCredential schema."""
    result = issue(runner, keyed, case_id)
    assert result.exit_code == 0, result.stderr
    folder = keyed / "badges" / case_id
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{stem}{suffix}" for stem in WITH_BADGES[case_id] for suffix in (".json", ".png", ".svg"))
    for path in folder.glob("*.json"):
        credential = read(path)
        validator.validate(credential)
        assert "AchievementCredential" in credential["type"]
        for key in ("validFrom", "awardedDate"):
            assert datetime.fromisoformat(credential[key]).tzinfo is not None


@pytest.mark.parametrize("case_id", sorted(WITH_BADGES))
def test_badges_hold_no_personal_data(runner: CliRunner, keyed: Path, case_id: str) -> None:
    """No name, birth date, learner id, contact or team member's name appears in a credential."""
    issue(runner, keyed, case_id)
    learner = load_caseload([keyed]).case(case_id)
    assert learner is not None and learner.learner is not None
    person = learner.learner
    forbidden = [person.id, person.name, *person.name.split(), person.preferred_name or person.id]
    if person.date_of_birth:
        forbidden.append(person.date_of_birth.isoformat())
    for member in person.team:
        forbidden.append(member.name)
        if member.contact:
            forbidden.append(member.contact)
    for path in (keyed / "badges" / case_id).iterdir():
        text = path.read_bytes().decode("utf-8", "replace")
        for word in forbidden:
            assert word not in text, f"{word!r} in {path.name}"


def test_learner_is_named_by_a_salted_hash_a_verifier_can_check(runner: CliRunner,
                                                                keyed: Path) -> None:
    """The IdentityObject's hash is sha256 of the learner id plus the salt it carries."""
    issue(runner, keyed, "L-2026-006")
    credential = read(keyed / "badges" / "L-2026-006" / "goal-G2.json")
    identity = credential["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True
    assert identity["type"] == "IdentityObject"
    digest = hashlib.sha256(("L-2026-006" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${digest}"
    assert "id" not in credential["credentialSubject"]


def test_two_credentials_of_one_learner_carry_different_hashes(runner: CliRunner,
                                                               keyed: Path) -> None:
    """Each credential has its own salt, so two of them cannot be linked by the hash alone."""
    add_goal(
        keyed / "cases" / "L-2026-006" / "plan.yaml",
        "  - id: G9\n    area: learning\n    goal: Pass the safety briefing\n"
        "    measure: briefing record\n    target: signed\n    baseline: none\n"
        "    due: 2026-05-01\n    owner: learner\n    status: achieved\n"
        "    achieved_on: 2026-04-20\n"
        "    credential: {type: micro-credential, name: Warehouse safety, "
        "issuer: Rhein-Logistik GmbH training centre, date: 2026-04-20}\n")
    result = issue(runner, keyed, "L-2026-006")
    assert result.exit_code == 0, result.stderr
    folder = keyed / "badges" / "L-2026-006"
    first, second = (read(folder / n) for n in ("goal-G2.json", "goal-G9.json"))
    hashes = {c["credentialSubject"]["identifier"][0]["identityHash"] for c in (first, second)}
    assert len(hashes) == 2
    assert second["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"


def test_criteria_come_from_the_goal_measure_and_target(runner: CliRunner,
                                                        keyed: Path) -> None:
    """The achievement's criteria narrative states the goal, its measure and its target."""
    issue(runner, keyed, "L-2026-006")
    credential = read(keyed / "badges" / "L-2026-006" / "goal-G2.json")
    achievement = credential["credentialSubject"]["achievement"]
    narrative = achievement["criteria"]["narrative"]
    assert "Measured by: forklift operator certificate" in narrative
    assert "Target: certificate issued" in narrative
    assert achievement["name"] == "Forklift operator (DGUV 308-001)"
    assert achievement["creator"]["name"] == "Rhein-Logistik GmbH training centre"
    assert credential["validFrom"] == "2026-04-17T00:00:00Z"


def test_hidden_skill_criteria_come_from_its_evidence(runner: CliRunner, keyed: Path) -> None:
    """A hidden skill's credential states the skill and the evidence that shows it."""
    issue(runner, keyed, "L-2026-003")
    credential = read(keyed / "badges" / "L-2026-003" /
                      "skill-repair-cafe-volunteer-technician.json")
    narrative = credential["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert "smartphone and laptop repair" in narrative
    assert "repair log kept at the Repair Café" in narrative
    assert credential["validFrom"] == "2026-10-17T00:00:00Z"


def test_rerun_writes_the_same_bytes(runner: CliRunner, keyed: Path) -> None:
    """Ids and salts are derived, not random: running twice gives identical files."""
    issue(runner, keyed, "L-2026-008")
    path = keyed / "badges" / "L-2026-008" / "goal-G2.json"
    before = path.read_bytes()
    assert issue(runner, keyed, "L-2026-008").exit_code == 0
    assert path.read_bytes() == before


def test_output_folder_option(runner: CliRunner, keyed: Path, tmp_path: Path) -> None:
    """-o DIR puts the files there and writes nothing into the caseload."""
    out = tmp_path / "out"
    result = issue(runner, keyed, "L-2026-006", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["goal-G2.json", "goal-G2.png",
                                                     "goal-G2.svg"]
    assert not (keyed / "badges").exists()
    assert result.stdout.splitlines() == [str(out / n) for n in ("goal-G2.json", "goal-G2.png",
                                                                 "goal-G2.svg")]


def test_default_folder_does_not_disturb_validate(runner: CliRunner, keyed: Path) -> None:
    """Badges under <caseload>/badges/ add no finding to validate."""
    before = runner.invoke(app, ["validate", str(keyed), "--today", TODAY, "-f", "json"])
    issue(runner, keyed, "L-2026-006")
    after = runner.invoke(app, ["validate", str(keyed), "--today", TODAY, "-f", "json"])
    assert json.loads(after.stdout)["findings"] == json.loads(before.stdout)["findings"]


def test_issuer_block_of_pathway_yaml_is_used(runner: CliRunner, keyed: Path,
                                              validator: Any) -> None:
    """With issuer id and url, a signed credential names the url's did:web; unsigned, the id."""
    with (keyed / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("issuer:\n  id: https://bk-rheinstadt.example/issuer.json\n"
                     "  url: https://bk-rheinstadt.example\n")
    result = issue(runner, keyed, "L-2026-006")
    assert result.exit_code == 0, result.stderr
    assert "derived" not in result.stderr
    credential = read(keyed / "badges" / "L-2026-006" / "goal-G2.json")
    validator.validate(credential)
    assert credential["issuer"] == {
        "id": "did:web:bk-rheinstadt.example", "type": ["Profile"],
        "name": "Berufskolleg Rheinstadt", "url": "https://bk-rheinstadt.example"}
    assert issue(runner, keyed, "L-2026-006", "--unsigned").exit_code == 0
    unsigned = read(keyed / "badges" / "L-2026-006" / "goal-G2.unsigned.json")
    assert unsigned["issuer"]["id"] == "https://bk-rheinstadt.example/issuer.json"
    assert "proof" not in unsigned


def test_without_issuer_id_a_stable_urn_is_derived_and_said(runner: CliRunner,
                                                            keyed: Path) -> None:
    """Unsigned and without issuer.id, the organisation gives a urn:uuid; stderr says so."""
    result = issue(runner, keyed, "L-2026-006", "--unsigned")
    credential = read(keyed / "badges" / "L-2026-006" / "goal-G2.unsigned.json")
    assert credential["issuer"]["id"].startswith("urn:uuid:")
    assert "derived from the organisation name" in result.stderr
    assert "unsigned" in result.stderr


def test_issuer_id_that_is_not_a_uri_is_refused(runner: CliRunner, keyed: Path) -> None:
    """An issuer id like 'our school' is refused with exit 1 and nothing is written."""
    with (keyed / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("issuer:\n  id: our school\n")
    result = issue(runner, keyed, "L-2026-006")
    assert result.exit_code == 1
    assert "not a URI" in result.stderr
    assert not (keyed / "badges").exists()


def test_no_organisation_and_no_issuer_is_refused(runner: CliRunner, keyed: Path) -> None:
    """With neither organisation nor issuer in pathway.yaml there is nobody to issue: exit 1."""
    edit(keyed / "pathway.yaml", "organisation: Berufskolleg Rheinstadt", "")
    result = issue(runner, keyed, "L-2026-006")
    assert result.exit_code == 1
    assert "badges need an issuer" in result.stderr


def test_goal_not_achieved_gets_no_badge_and_a_note(runner: CliRunner, keyed: Path) -> None:
    """A credential on a goal still in progress is noted on stderr and not issued."""
    plan = keyed / "cases" / "L-2026-008" / "plan.yaml"
    edit(plan, "    status: achieved\n    progress: 100\n    achieved_on: 2026-11-06\n",
         "    status: in-progress\n    progress: 90\n")
    result = issue(runner, keyed, "L-2026-008")
    assert result.exit_code == 0, result.stderr
    assert "G2 has a credential but is not achieved yet" in result.stderr
    assert not (keyed / "badges").exists()
    assert "no recognised achievement" in result.stderr


def test_wellbeing_goal_wording_stays_out(runner: CliRunner, keyed: Path,
                                          validator: Any) -> None:
    """A well-being goal's text, measure and target never reach the credential."""
    add_goal(
        keyed / "cases" / "L-2026-006" / "plan.yaml",
        "  - id: G9\n    area: wellbeing\n    goal: Fewer panic attacks before exams\n"
        "    measure: self-report diary\n    target: at most one a month\n"
        "    baseline: weekly\n    due: 2026-06-01\n    owner: learner\n"
        "    status: achieved\n    achieved_on: 2026-05-30\n"
        "    credential: {type: badge, name: Calm under pressure, "
        "issuer: Berufskolleg Rheinstadt, date: 2026-05-30}\n")
    result = issue(runner, keyed, "L-2026-006")
    assert result.exit_code == 0, result.stderr
    assert "well-being goal" in result.stderr
    path = keyed / "badges" / "L-2026-006" / "goal-G9.json"
    validator.validate(read(path))
    text = path.read_text(encoding="utf-8")
    for private in ("panic", "diary", "one a month"):
        assert private not in text


def test_goal_naming_the_learner_is_held_back(runner: CliRunner, keyed: Path) -> None:
    """A goal whose wording names the learner gets no badge until reworded; stderr says why."""
    plan = keyed / "cases" / "L-2026-008" / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    start = text.index("  - id: G2")
    goal_line = next(line for line in text[start:].splitlines() if line.startswith("    goal:"))
    edit(plan, goal_line, "    goal: Jonas knows the five safety rules by heart")
    result = issue(runner, keyed, "L-2026-008")
    assert result.exit_code == 0, result.stderr
    assert "personal data ('Jonas')" in result.stderr
    assert not (keyed / "badges").exists()


def test_case_with_errors_is_refused(runner: CliRunner, keyed: Path) -> None:
    """Badges are issued only from valid records: an error in plan.yaml stops it with exit 1."""
    edit(keyed / "cases" / "L-2026-006" / "plan.yaml", "achieved_on: 2026-04-17",
         "achieved_on: 2026-13-40")
    result = issue(runner, keyed, "L-2026-006")
    assert result.exit_code == 1
    assert "error" in result.stderr and "pathway validate" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_learner_is_a_clean_error(runner: CliRunner, keyed: Path) -> None:
    """An id with no case folder exits 1 with a message."""
    result = issue(runner, keyed, "L-1999-999")
    assert result.exit_code == 1
    assert "no case 'L-1999-999'" in result.stderr


def test_a_signer_can_add_a_proof(keyed: Path, validator: Any) -> None:
    """The signing seam: a signer's output is what build_badges returns, still schema-valid."""

    class StampSigner:
        name = "stamp"

        def sign(self, credential: dict[str, Any]) -> dict[str, Any]:
            return credential | {"proof": [{
                "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                "created": "2026-11-23T00:00:00Z", "proofPurpose": "assertionMethod",
                "verificationMethod": "https://bk-rheinstadt.example/issuer.json#key-1",
                "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a",
            }]}

    caseload = load_caseload([keyed])
    case = caseload.case("L-2026-006")
    assert case is not None
    result = build_badges(case, caseload.settings, date(2026, 11, 23), signer=StampSigner())
    assert result.signer == "stamp"
    credential = result.badges[0].credential
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    validator.validate(credential)

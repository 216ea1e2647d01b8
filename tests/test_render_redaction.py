"""Each audience sees only what it may: redaction on the data, consent before anything."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.caseload import Case, Caseload, load_caseload
from pathway_cli.errors import UserError
from pathway_cli.rendering.escaping import markdown_escape
from pathway_cli.rendering.filters import long_date
from pathway_cli.rendering.finishing import render_case
from pathway_cli.rendering.options import OutputFormat, RenderOptions
from tests.conftest import TODAY, app

AUDIENCES = ("learner", "guardian", "employer", "team")
TEMPLATES = ("plan", "contract", "review", "case", "progress", "everything")
PERSONAL = frozenset({"team", "learner"})  # may see personal fields
PRIVATE = frozenset({"team"})  # may see private_notes

# A caseload template that prints every value it is given, to prove that what redaction
# removed is not there to print.
EVERYTHING = "{{ learner|tojson }}\n{{ assessment|tojson }}\n{{ plan|tojson }}\n" \
             "{{ contract|tojson }}\n{{ reviews|tojson }}\n{{ people|tojson }}\n" \
             "{{ goals|tojson }}\n{{ open_actions|tojson }}\n{{ key_worker|tojson }}\n"


def _share_with_everyone(root: Path) -> None:
    """Give every learner consent to share with guardian and employer."""
    for learner in root.glob("cases/*/learner.yaml"):
        text = learner.read_text("utf-8")
        text = re.sub(r"share_with: \[[^\]]*\]", "share_with: [guardian, employer]", text)
        learner.write_text(text, "utf-8")


@pytest.fixture
def open_sample(sample: Path) -> Path:
    """The sample caseload, every learner sharing with everyone, plus the dump template."""
    _share_with_everyone(sample)
    (sample / "templates").mkdir()
    (sample / "templates" / "everything.md.j2").write_text(EVERYTHING, "utf-8")
    return sample


def _lines(text: str | None) -> Iterator[str]:
    for line in (text or "").splitlines():
        if len(line.strip()) > 12:
            yield line.strip()


def _forbidden(case: Case, audience: str) -> dict[str, str]:
    """Distinctive strings of every field ``audience`` may not see, with what they are."""
    found: dict[str, str] = {}
    personal_ok = audience in PERSONAL
    learner = case.learner
    assert learner is not None
    if not personal_ok:
        if learner.date_of_birth:
            found[learner.date_of_birth.isoformat()] = "date of birth"
            found[long_date(learner.date_of_birth)] = "date of birth"
        for member in learner.team:
            if member.contact:
                found[member.contact] = "contact"
            if member.role in ("health", "psychologist"):
                found[member.name] = "health professional"
        for key, value in (learner.extra or {}).items():
            if isinstance(value, str) and len(value) > 6:
                found[value] = f"extra.{key}"
        if case.assessment:
            for need in case.assessment.support_needs:
                if need.is_sensitive:
                    found[need.need] = "health need"
                    if need.support:
                        found[need.support] = "health support"
        if case.plan and case.plan.wellbeing:
            for text in case.plan.wellbeing.needs:
                found[text] = "well-being plan"
            for action in case.plan.wellbeing.actions:
                found[action.action] = "well-being plan"
        if case.plan:
            for goal in case.plan.goals:
                if goal.area == "wellbeing":
                    found[goal.goal] = "well-being goal"
        for follow_up in learner.follow_ups:
            if follow_up.note:
                found[follow_up.note] = "follow-up note"
    if audience not in PRIVATE:
        for review in case.reviews:
            for line in _lines(review.private_notes):
                found[line] = "private notes"
            for line in _lines(review.incidents.note if review.incidents else None):
                found[line] = "incident note"
    return found


def _render(caseload: Caseload, case: Case, template: str, audience: str,
            fmt: OutputFormat = OutputFormat.md) -> bytes | None:
    """The report's bytes, or None when it is refused."""
    options = RenderOptions(template, audience, fmt, date.fromisoformat(TODAY))  # type: ignore[arg-type]
    try:
        return render_case(caseload, case, options)
    except UserError:
        return None


def _absent(text: str, needle: str) -> bool:
    return needle not in text and markdown_escape(needle) not in text


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_sensitive_field_reaches_an_audience_not_allowed_it(
    open_sample: Path, audience: str
) -> None:
    """For every sample case and template, nothing withheld from the audience is printed."""
    caseload = load_caseload([open_sample])
    rendered: dict[str, int] = dict.fromkeys(TEMPLATES, 0)
    for case in caseload.cases:
        forbidden = _forbidden(case, audience)
        for template in TEMPLATES:
            data = _render(caseload, case, template, audience)
            if data is None:
                continue
            rendered[template] += 1
            text = data.decode("utf-8")
            leaks = [f"{what}: {needle!r}" for needle, what in forbidden.items()
                     if not _absent(text, needle)]
            assert not leaks, f"{case.id} {template} for {audience}: {leaks}"
    assert rendered["everything"] == len(caseload.cases), rendered
    assert rendered["case"] == len(caseload.cases), rendered
    assert sum(rendered.values()) >= 30, rendered


def test_the_team_sees_what_others_may_not(open_sample: Path) -> None:
    """The forbidden strings are real: the team's case summary prints each of them."""
    caseload = load_caseload([open_sample])
    for case_id in ("L-2026-002", "L-2026-004"):
        case = caseload.case(case_id)
        assert case is not None
        data = _render(caseload, case, "case", "team")
        assert data is not None
        text = data.decode("utf-8")
        missing = [
            (what, needle) for needle, what in _forbidden(case, "employer").items()
            if _absent(text, needle)
            and not (what == "date of birth" and needle[:4].isdigit())  # shown in words
            and not what.startswith("extra")  # shown on one line
        ]
        assert not missing, (case_id, missing)


def test_the_learner_sees_personal_fields_but_not_private_notes(open_sample: Path) -> None:
    """The learner's own case summary shows date of birth and health needs, not team notes."""
    caseload = load_caseload([open_sample])
    case = caseload.case("L-2026-004")
    assert case is not None
    data = _render(caseload, case, "case", "learner")
    assert data is not None
    text = data.decode("utf-8")
    assert "29 August 2007" in text
    assert "panic attacks and anxiety before exams" in text
    assert "Therapist reports good engagement" not in text


def test_employer_pdf_of_a_paused_case_holds_no_health_detail(open_sample: Path) -> None:
    """The employer's PDF case summary for a learner on sick leave names no health detail."""
    from pypdf import PdfReader

    caseload = load_caseload([open_sample])
    case = caseload.case("L-2026-004")
    assert case is not None
    data = _render(caseload, case, "case", "employer", OutputFormat.pdf)
    assert data is not None
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split()
    )
    assert "Elif Yılmaz" in text
    for needle in ("panic", "therap", "psycholog", "Tanja Neumann", "Julia Berger", "sick note",
                   "Sleep at least seven hours", "k.schmitt@example.org", "2007"):
        assert needle not in text, needle


def test_references_to_health_professionals_are_withheld_too(open_sample: Path) -> None:
    """A psychologist who owns a learning goal or made the assessment is not named to others."""
    case_dir = open_sample / "cases" / "L-2026-004"
    plan = case_dir / "plan.yaml"
    plan.write_text(plan.read_text("utf-8").replace("owner: kschmitt", "owner: jberger"), "utf-8")
    assessment = case_dir / "assessment.yaml"
    assessment.write_text(
        assessment.read_text("utf-8").replace("assessor: kschmitt", "assessor: jberger"), "utf-8"
    )
    caseload = load_caseload([open_sample])
    case = caseload.case("L-2026-004")
    assert case is not None
    for audience in ("guardian", "employer"):
        data = _render(caseload, case, "everything", audience)
        assert data is not None
        text = data.decode("utf-8")
        assert "jberger" not in text and "Julia Berger" not in text, audience
    data = _render(caseload, case, "everything", "learner")
    assert data is not None and "jberger" in data.decode("utf-8")


def test_audiences_settings_cannot_open_sensitive_fields(open_sample: Path) -> None:
    """Even with 'guardian: [all]' in pathway.yaml, the guardian gets no personal field."""
    settings = open_sample / "pathway.yaml"
    settings.write_text(
        settings.read_text("utf-8").replace(
            "guardian: [profile, plan, contract, reviews]", "guardian: [all]"
        ),
        "utf-8",
    )
    caseload = load_caseload([open_sample])
    case = caseload.case("L-2026-004")
    assert case is not None
    data = _render(caseload, case, "everything", "guardian")
    assert data is not None
    text = data.decode("utf-8")
    for needle in _forbidden(case, "guardian"):
        assert _absent(text, needle), needle
    assert "catch-up packages on Moodle" in text  # the learning need is there: [all] applies


def test_sections_not_listed_for_an_audience_are_left_out(open_sample: Path) -> None:
    """The employer (profile, plan.learning, plan.career, contract) gets no review text."""
    caseload = load_caseload([open_sample])
    case = caseload.case("L-2026-002")
    assert case is not None
    data = _render(caseload, case, "everything", "employer")
    assert data is not None
    text = data.decode("utf-8")
    assert '"reviews"' not in text and "Honestly I don" not in text
    assert "First meeting with Heinz" not in text
    assert "Pass the theory section" in text


# --- consent --------------------------------------------------------------------------------


@pytest.mark.parametrize(("case_id", "audience", "named"), [
    ("L-2026-001", "guardian", "nobody"),
    ("L-2026-001", "employer", "nobody"),
    ("L-2026-003", "employer", "guardian"),
    ("L-2026-004", "guardian", "employer"),
])
def test_report_is_refused_without_consent_to_share(
    runner: CliRunner, sample: Path, tmp_path: Path, case_id: str, audience: str, named: str
) -> None:
    """No share_with consent for the audience: exit 1, a message naming it, nothing written."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(sample / "cases" / case_id), "-t", "plan",
                                 "--audience", audience, "--to", "pdf", "-o", str(out),
                                 "--today", TODAY])
    assert result.exit_code == 1
    assert f"consent does not cover reports for the {audience}" in result.stderr
    assert f"names {named}" in result.stderr
    assert "consent.share_with" in result.stderr
    assert not out.exists() or not any(out.iterdir())
    assert result.stdout == ""


def test_report_is_refused_for_everyone_without_consent_to_data_processing(
    runner: CliRunner, sample: Path
) -> None:
    """Without data-processing consent no report is made, not even for the team."""
    learner = sample / "cases" / "L-2026-008" / "learner.yaml"
    learner.write_text(learner.read_text("utf-8").replace("given: true", "given: false"), "utf-8")
    for audience in AUDIENCES:
        result = runner.invoke(app, ["render", str(learner.parent), "-t", "case",
                                     "--audience", audience, "--today", TODAY])
        assert result.exit_code == 1, audience
        assert "no consent to data processing" in result.stderr
        assert result.stdout == ""


def test_learner_and_team_need_no_share_consent(runner: CliRunner, sample: Path) -> None:
    """A learner who shares with nobody still gets their own report, and the team theirs."""
    for audience in ("learner", "team"):
        result = runner.invoke(app, ["render", str(sample / "cases" / "L-2026-001"),
                                     "-t", "progress", "--audience", audience, "--today", TODAY])
        assert result.exit_code == 0, result.stderr


def test_guardian_report_with_consent_is_made(runner: CliRunner, sample: Path) -> None:
    """A learner sharing with the guardian: the guardian's plan is rendered."""
    result = runner.invoke(app, ["render", str(sample / "cases" / "L-2026-003"), "-t", "plan",
                                 "--audience", "guardian", "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    assert "Prepared for the learner's parent or guardian" in result.stdout
    assert "2010-02-11" not in result.stdout and "11 February 2010" not in result.stdout


def test_template_needing_a_section_the_audience_lacks_is_refused(
    runner: CliRunner, sample: Path
) -> None:
    """The employer may not see reviews, so a review report for the employer is refused."""
    result = runner.invoke(app, ["render", str(sample / "cases" / "L-2026-002"), "-t", "review",
                                 "--audience", "employer", "--today", TODAY])
    assert result.exit_code == 1
    assert "audiences.employer" in result.stderr

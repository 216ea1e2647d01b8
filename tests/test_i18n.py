"""Reports in the learner's and the family's language: choosing it, formatting, bilingual, RTL."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pathway_cli.i18n import available_languages, language
from tests.conftest import SAMPLE, TODAY, app

CASE = "L-2026-003"  # a learner with a plan, reviews and a guardian


def _render(runner: CliRunner, target: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["render", str(target), *args, "--today", TODAY])


def _set_locale(caseload: Path, locale: str) -> None:
    settings_file = caseload / "pathway.yaml"
    text = settings_file.read_text("utf-8")
    settings_file.write_text(re.sub(r"(?m)^locale: \w+", f"locale: {locale}", text), "utf-8")


def _set_report_language(caseload: Path, case_id: str, value: str) -> None:
    learner = caseload / "cases" / case_id / "learner.yaml"
    text = learner.read_text("utf-8")
    learner.write_text(re.sub(r"(?m)^(status: .*)$", rf"report_language: {value}\n\1", text,
                              count=1), "utf-8")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


# --- formatting ----------------------------------------------------------------------------


def test_dates_and_percentages_follow_the_locale() -> None:
    """Babel writes dates and percentages the language's way."""
    from datetime import date

    day = date(2026, 11, 23)
    assert language("en").long_date(day) == "23 November 2026"
    assert language("de").long_date(day) == "23. November 2026"
    assert language("en").percent(0.62) == "62%"
    assert language("de").percent(0.62) == "62\xa0%"


def test_plural_forms_come_from_the_catalogue() -> None:
    """ngettext picks the language's plural form (Arabic has six)."""
    de = language("de")
    assert de.ngettext("%(num)d learner", "%(num)d learners", 1) % {"num": 1} == "1 Lernende:r"
    assert de.ngettext("%(num)d learner", "%(num)d learners", 3) % {"num": 3} == "3 Lernende"
    ar = language("ar")
    assert ar.ngettext("%(num)d learner", "%(num)d learners", 2) % {"num": 2} == "متعلمان"


# --- choosing the language -----------------------------------------------------------------


@pytest.mark.parametrize(("template", "audience", "words"), [
    ("plan", "team", ["Individueller Lern- und Berufswegeplan", "Ziele auf einen Blick"]),
    ("contract", "guardian", ["Lernvereinbarung", "Unterschriften"]),
    ("review", "team", ["Fördergespräch vom", "Vereinbarte Maßnahmen"]),
    ("case", "team", ["Fallübersicht", "Team um die lernende Person"]),
    ("progress", "guardian", ["Entwicklungsbericht", "Wie es weitergeht", "23. November 2026"]),
])
def test_locale_de_gives_german_reports(runner: CliRunner, sample: Path, template: str,
                                        audience: str, words: list[str]) -> None:
    """locale: de in pathway.yaml makes every report German, its dates included."""
    _set_locale(sample, "de")
    result = _render(runner, sample / "cases" / "L-2026-005", "--template", template,
                     "--audience", audience)
    assert result.exit_code == 0, result.stderr
    for word in words:
        assert word in result.stdout
    assert 'lang: "de"' in result.stdout


def test_locale_de_gives_a_german_caseload_overview(runner: CliRunner, sample: Path) -> None:
    """The team lead's overview is German too: headings, statuses, plural of learners."""
    _set_locale(sample, "de")
    result = _render(runner, sample, "--template", "caseload")
    assert result.exit_code == 0, result.stderr
    for word in ("Übersicht über alle Fälle", "9 Lernende", "Auf einen Blick", "aktiv",
                 "Warnhinweise"):
        assert word in result.stdout


def test_unknown_locale_is_a_validate_finding(runner: CliRunner, sample: Path) -> None:
    """locale: klingon fails validate with the languages pathway has."""
    _set_locale(sample, "klingon")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    assert result.exit_code == 1
    said = result.stdout + result.stderr
    assert "pathway.yaml:4:9: error locale-unknown: 'klingon' is not a report language " \
           "pathway has (languages: en, " in said


def test_unknown_locale_refuses_reports(runner: CliRunner, sample: Path) -> None:
    """A report is not made in a language pathway does not have: a message, exit 1."""
    _set_locale(sample, "tlh")
    result = _render(runner, sample / "cases" / CASE, "--template", "plan")
    assert result.exit_code == 1
    assert "'tlh' is not a report language" in result.stderr


def test_unknown_locale_stops_a_batch_before_it_starts(runner: CliRunner, sample: Path,
                                                      tmp_path: Path) -> None:
    """A batch with an unknown team locale writes nothing and says why once."""
    _set_locale(sample, "tlh")
    result = _render(runner, sample, "--template", "plan", "-o", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "locale: 'tlh' is not a report language" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["klingon", "de+", "xx+de", "", "../de"])
def test_unknown_lang_is_a_usage_error(runner: CliRunner, value: str) -> None:
    """--lang with a language pathway lacks is a usage error naming the languages."""
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "progress", "--lang", value)
    assert result.exit_code == 2
    assert "languages: en" in " ".join(result.stderr.split())


@pytest.mark.parametrize(("value", "words"), [("de+de", "the same language twice"),
                                              ("ar+de+uk", "names 3 languages")])
def test_a_wrong_pair_of_known_languages_says_what_is_wrong(
    runner: CliRunner, value: str, words: str
) -> None:
    """Two known languages that cannot make a bilingual report are told apart from unknown ones."""
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "progress", "--lang", value)
    assert result.exit_code == 2
    assert words in " ".join(result.stderr.split())


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=12))
def test_any_lang_gives_a_report_or_a_clean_error(value: str) -> None:
    """Whatever --lang says, the result is a report or a usage error, never a traceback."""
    result = CliRunner().invoke(app, ["render", str(SAMPLE / "cases" / CASE), "--template",
                                      "progress", "--lang", value, "--today", TODAY])
    assert result.exit_code in (0, 1, 2)
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_report_language_is_for_learner_and_guardian(runner: CliRunner, sample: Path) -> None:
    """report_language: ar makes the guardian's progress report Arabic; the team's stays."""
    _set_report_language(sample, CASE, "ar")
    guardian = _render(runner, sample / "cases" / CASE, "--template", "progress",
                       "--audience", "guardian")
    team = _render(runner, sample / "cases" / CASE, "--template", "progress")
    assert guardian.exit_code == 0, guardian.stderr
    assert "تقرير التقدّم" in guardian.stdout
    assert "Progress report" in team.stdout


def test_report_language_falls_back_where_not_translated(runner: CliRunner,
                                                         sample: Path) -> None:
    """A report not yet translated into the family's language comes in the team's."""
    _set_locale(sample, "de")
    _set_report_language(sample, CASE, "ar")
    result = _render(runner, sample / "cases" / CASE, "--template", "review",
                     "--audience", "learner")
    assert result.exit_code == 0, result.stderr
    assert "Fördergespräch vom" in result.stdout


def test_bilingual_report_language_for_the_family(runner: CliRunner, sample: Path) -> None:
    """report_language: uk+de makes the guardian's plan bilingual; a review stays monolingual."""
    _set_locale(sample, "de")
    _set_report_language(sample, CASE, "uk+de")
    plan = _render(runner, sample / "cases" / CASE, "--template", "plan",
                   "--audience", "guardian")
    assert plan.exit_code == 0, plan.stderr
    assert '::: {lang="uk" dir="ltr"}' in plan.stdout
    assert '::: {lang="de" dir="ltr"}' in plan.stdout
    review = _render(runner, sample / "cases" / CASE, "--template", "review",
                     "--audience", "learner")
    assert review.exit_code == 0, review.stderr
    assert ":::" not in review.stdout and "Fördergespräch vom" in review.stdout


def test_unknown_report_language_is_a_validate_finding(runner: CliRunner,
                                                       sample: Path) -> None:
    """report_language: xx in learner.yaml is a finding naming the languages."""
    _set_report_language(sample, CASE, "xx")
    result = runner.invoke(app, ["validate", str(sample), "--today", TODAY])
    assert result.exit_code == 1
    said = result.stdout + result.stderr
    assert "learner.yaml" in said and "error report-language-unknown: 'xx'" in said


def test_lang_overrides_locale_and_report_language(runner: CliRunner, sample: Path) -> None:
    """--lang wins over the learner's report_language and the team's locale."""
    _set_locale(sample, "ar")
    _set_report_language(sample, CASE, "ar")
    result = _render(runner, sample / "cases" / CASE, "--template", "progress",
                     "--audience", "guardian", "--lang", "de")
    assert result.exit_code == 0, result.stderr
    assert "Entwicklungsbericht" in result.stdout


def test_report_not_translated_is_refused(runner: CliRunner) -> None:
    """--lang ar for a report Arabic does not cover yet says which reports it has."""
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "case", "--lang", "ar")
    assert result.exit_code == 1
    assert "not translated into Arabic (ar) yet (reports in Arabic: contract, plan, " \
           "progress)" in result.stderr


# --- bilingual and right to left -----------------------------------------------------------


def test_bilingual_progress_has_each_section_in_both_languages(runner: CliRunner) -> None:
    """--lang ar+de: every section in Arabic, then the same in German."""
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "progress",
                     "--audience", "guardian", "--lang", "ar+de")
    assert result.exit_code == 0, result.stderr
    parts = re.findall(r'^::: \{lang="(\w+)" dir="(\w+)"\}$', result.stdout, re.MULTILINE)
    assert parts[:4] == [("ar", "rtl"), ("de", "ltr"), ("ar", "rtl"), ("de", "ltr")]
    assert len(parts) % 2 == 0
    assert result.stdout.index("## ما أنجزه") < result.stdout.index("## Was Sasha erreicht hat")


def test_bilingual_html_and_pdf_say_team_text_is_as_written(runner: CliRunner) -> None:
    """The bilingual report's footer says the team's own text is not translated."""
    html = _render(runner, SAMPLE / "cases" / CASE, "--template", "plan", "--audience",
                   "guardian", "--lang", "ar+de", "--to", "html")
    assert html.exit_code == 0, html.stderr
    assert '<div lang="ar" dir="rtl">' in html.stdout
    assert '<div lang="de" dir="ltr">' in html.stdout
    assert "Vom Team verfasste Texte stehen so da" in html.stdout
    pdf = _render(runner, SAMPLE / "cases" / CASE, "--template", "contract", "--audience",
                  "guardian", "--lang", "ar+de", "--to", "pdf")
    assert pdf.exit_code == 0, pdf.stderr
    assert "nicht übersetzt" in _pdf_text(pdf.stdout_bytes)


def test_bilingual_is_only_for_family_reports(runner: CliRunner) -> None:
    """A case report in two languages is refused with the reports that can be."""
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "case", "--lang", "de+en")
    assert result.exit_code == 1
    assert "bilingual reports: contract, plan, progress" in result.stderr


def test_arabic_html_reads_right_to_left(runner: CliRunner) -> None:
    """An Arabic report's page is dir="rtl"; table cells align to where lines start."""
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "progress",
                     "--audience", "guardian", "--lang", "ar", "--to", "html")
    assert result.exit_code == 0, result.stderr
    assert '<html lang="ar" dir="rtl">' in result.stdout
    assert "text-align: start" in result.stdout


def test_latin_text_is_isolated_in_arabic_reports(runner: CliRunner) -> None:
    """Names and goals in Latin script keep their own direction inside Arabic text."""
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "progress",
                     "--audience", "guardian", "--lang", "ar")
    assert "\u2068Pass the telc German B1 exam\u2069" in result.stdout
    english = _render(runner, SAMPLE / "cases" / CASE, "--template", "progress")
    assert "\u2068" not in english.stdout


def test_arabic_pdf_has_the_glyphs(runner: CliRunner) -> None:
    """The Arabic PDF embeds the bundled Arabic font and carries the Arabic text."""
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "progress",
                     "--audience", "guardian", "--lang", "ar", "--to", "pdf")
    assert result.exit_code == 0, result.stderr
    assert b"Amiri" in result.stdout_bytes
    text = _pdf_text(result.stdout_bytes)
    assert "نوفمبر" in text and "Oleksandr Kovalenko" in text


def test_languages_are_the_catalogues_shipped() -> None:
    """The languages on offer are English and one per catalogue in the package."""
    langs = available_languages()
    assert langs[0] == "en"
    assert {"de", "ar"} <= set(langs)


# --- alerts --------------------------------------------------------------------------------


def test_alert_sentences_are_catalogue_texts() -> None:
    """Every alert of the sample caseload says in English exactly what its catalogue text says."""
    from datetime import date

    from pathway_cli.alerts import find_alerts
    from pathway_cli.caseload import load_caseload

    alerts = find_alerts(load_caseload([SAMPLE]), date.fromisoformat(TODAY))
    assert alerts
    for alert in alerts:
        assert alert.why is not None
        assert alert.why.say() == alert.message


def test_german_overview_gives_alert_sentences_in_german(runner: CliRunner,
                                                         sample: Path) -> None:
    """The caseload overview in German explains each alert in German, days in the plural,
    dates and percentages the German way."""
    _set_locale(sample, "de")
    result = _render(runner, sample, "--template", "caseload")
    assert result.exit_code == 0, result.stderr
    assert "das nächste Fördergespräch war am 02.11.2026 fällig" in result.stdout
    assert "Anwesenheit 62\u00a0% beim Gespräch am 26.10.2026" in result.stdout
    assert "21 Tage verspätet" in result.stdout
    assert "validation error" not in result.stdout


# --- Arabic PDF text -----------------------------------------------------------------------

_MARKS = re.compile("[\u064b-\u0652\u0670\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _arabic_pdf(runner: CliRunner) -> bytes:
    result = _render(runner, SAMPLE / "cases" / CASE, "--template", "progress",
                     "--audience", "guardian", "--lang", "ar", "--to", "pdf")
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def test_arabic_pdf_lines_extract_in_reading_order(runner: CliRunner) -> None:
    """pypdf reads the Arabic PDF's lines top to bottom in reading order, words intact."""
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(_arabic_pdf(runner))).pages[0].extract_text()
    lines = [_MARKS.sub("", line) for line in text.splitlines()]
    wanted = [("تقرير", "التق"), ("Oleksandr", "Kovalenko"), ("أنجزه", "Sasha"),
              ("أهداف", "تسير"), ("الخطوة", "التالية")]
    found = [next(i for i, line in enumerate(lines) if all(w in line for w in words))
             for words in wanted]
    assert found == sorted(found)
    assert "Pass the telc German B1 exam" in text  # Latin text reads left to right within


def _reading_order(pdf: bytes) -> list[str]:
    """The lines of the PDF's first page as a bidi-aware reader gives them (what poppler's
    pdftotext does, from pip packages): glyphs on one baseline form a line, in their visual
    order left to right with a space where they stand apart; the Unicode bidi algorithm,
    for a right-to-left paragraph, turns that into reading order."""
    from bidi import get_display
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTComponent

    def glyphs(item: LTComponent) -> list[LTChar]:
        if isinstance(item, LTChar):
            return [item]
        return [g for child in getattr(item, "_objs", []) for g in glyphs(child)]

    page = next(extract_pages(io.BytesIO(pdf), page_numbers=[0]))
    rows: dict[int, list[LTChar]] = {}
    for glyph in glyphs(page):
        rows.setdefault(round(glyph.matrix[5]), []).append(glyph)  # the baseline
    lines = []
    for baseline in sorted(rows, reverse=True):
        visual, previous = "", None
        for glyph in sorted(rows[baseline], key=lambda g: g.x0):
            if previous is not None and glyph.x0 - previous.x1 > 0.2 * glyph.size:
                visual += " "
            visual += glyph.get_text()
            previous = glyph
        logical = get_display(_MARKS.sub("", visual), base_dir="R")
        lines.append(" ".join(logical.split()))
    return lines


def test_arabic_pdf_text_extracts_in_reading_order(runner: CliRunner) -> None:
    """Read with the bidi algorithm (pip packages, so CI runs it), the Arabic PDF gives its
    sentences in reading order with the Latin names inside them intact."""
    lines = _reading_order(_arabic_pdf(runner))
    assert "ما أنجزه Sasha" in lines
    assert "كيف تسير أهداف Sasha" in lines
    assert lines.index("ما أنجزه Sasha") < lines.index("كيف تسير أهداف Sasha")
    sentence = next(line for line in lines if line.startswith("هذا تقرير قصير عن سير"))
    question, contact = "إذا كان لديكم أي سؤال،", "التواصل مع Lea Fischer"
    assert question in sentence and contact in sentence
    assert sentence.index(question) < sentence.index(contact)
    assert any(line.startswith("Pass the telc German B1 exam ") for line in lines)


def test_arabic_pdf_text_reads_right_to_left(runner: CliRunner, tmp_path: Path) -> None:
    """A PDF reader that applies the bidi algorithm (poppler) gets the Arabic in logical order."""
    import shutil
    import subprocess

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler's pdftotext is not installed")
    pdf = tmp_path / "ar.pdf"
    pdf.write_bytes(_arabic_pdf(runner))
    text = subprocess.run([pdftotext, "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    lines = [" ".join(_MARKS.sub("", line).split()) for line in text.splitlines()]
    assert "تقرير التقدم" in lines
    assert "ما أنجزه Sasha" in lines
    assert "كيف تسير أهداف Sasha" in lines

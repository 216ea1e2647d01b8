"""summarise and alerts in the team's language: headers, footers, alert texts, dates, numbers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pathway_cli.alerts import find_alerts
from pathway_cli.caseload import load_caseload
from pathway_cli.i18n import language
from pathway_cli.overview_text import alert_headline, alert_message
from tests.conftest import SAMPLE, TODAY, app

COMPLETE = ("de", "fr", "es", "it")


def _set_locale(caseload: Path, locale: str) -> None:
    settings_file = caseload / "pathway.yaml"
    text = settings_file.read_text("utf-8")
    settings_file.write_text(re.sub(r"(?m)^locale: \w+", f"locale: {locale}", text), "utf-8")


def _run(runner: CliRunner, command: str, caseload: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [command, str(caseload), *args, "--today", TODAY])


def test_summarise_speaks_the_team_language(runner: CliRunner, sample: Path) -> None:
    """With locale: de the piped summary has German headers, dates, percentages, headlines
    and footer."""
    _set_locale(sample, "de")
    result = _run(runner, "summarise", sample)
    assert result.exit_code == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split("\t") == [
        "Risiko", "lernende Person", "Name", "Bezugsperson", "Ziele", "letztes Gespräch",
        "nächstes Gespräch", "Anw.", "Wohlbefinden", "warum"]
    row = next(r.split("\t") for r in rows if r.split("\t")[1] == "L-2026-002")
    assert row[0] == "rot"
    assert row[5:8] == ["26.10.2026", "02.11.2026 verspätet", "62 %"]  # one space a cell
    assert "Fördergespräch 21 Tage verspätet" in row[9]
    assert "Maßnahme 24 Tage überfällig (mbauer)" in row[9]
    assert "Elif Yılmaz (pausiert)" in result.stdout
    assert result.stderr.startswith("9 lernende Personen: 6 aktiv, ")
    assert "Gefährdet: 5 (3 rot, 2 gelb)." in result.stderr


def test_alerts_speak_the_language_of_lang(runner: CliRunner, sample: Path) -> None:
    """--lang fr overrides the team's locale: French sentences, dates and footer."""
    _set_locale(sample, "de")
    result = _run(runner, "alerts", sample, "--lang", "fr")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split("\t") == [
        "niveau", "apprenant", "règle", "quoi", "fiche"]
    assert "rouge\tL-2026-002\tattendance-low\tassiduité de 62 % à l’entretien du " \
           "26 oct. 2026, sous le seuil rouge de 70 %" in result.stdout
    assert result.stderr.startswith("7 rouge, 9 alertes orange pour 5 sur 9 apprenants")


@pytest.mark.parametrize(("command", "fmt"), [("summarise", "json"), ("summarise", "csv"),
                                              ("alerts", "json")])
def test_machine_output_does_not_change_with_the_language(runner: CliRunner, sample: Path,
                                                          command: str, fmt: str) -> None:
    """JSON and CSV keep their keys, ISO dates and English messages in every language."""
    english = _run(runner, command, sample, "--format", fmt)
    _set_locale(sample, "de")
    german = _run(runner, command, sample, "--format", fmt)
    french = _run(runner, command, sample, "--format", fmt, "--lang", "fr")
    assert english.exit_code == german.exit_code == french.exit_code == 0
    assert german.stdout == english.stdout == french.stdout
    assert "2026-11-02" in english.stdout


@pytest.mark.parametrize("command", ["summarise", "alerts"])
def test_english_is_as_before(runner: CliRunner, sample: Path, command: str) -> None:
    """--lang en on a German team gives the English table, ISO dates, the rules' own words."""
    english = _run(runner, command, sample)
    _set_locale(sample, "de")
    chosen = _run(runner, command, sample, "--lang", "en")
    assert chosen.stdout == english.stdout and chosen.stderr == english.stderr
    if command == "summarise":
        assert "2026-11-02 late\t62%\t2/5\tattendance 62%; well-being 4->2; review 21 days " \
               "late" in english.stdout
        assert english.stderr.startswith("9 learners: 6 active, ")


def test_a_language_without_the_overview_is_a_usage_error(runner: CliRunner) -> None:
    """--lang uk (reports for families only) is refused, naming the overview's languages."""
    result = _run(runner, "summarise", SAMPLE, "--lang", "uk")
    assert result.exit_code == 2
    assert "de, es, fr, it" in result.stderr


def test_a_team_language_without_the_overview_gives_english(runner: CliRunner,
                                                            sample: Path) -> None:
    """locale: uk keeps the command line in English (the overview is not translated)."""
    _set_locale(sample, "uk")
    result = _run(runner, "summarise", sample)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("risk\tlearner\tname")


@pytest.mark.parametrize("code", COMPLETE)
def test_every_alert_of_the_sample_has_its_headline_translated(code: str) -> None:
    """Each alert's few words are a translated headline, not the sentence or the English."""
    alerts = find_alerts(load_caseload([SAMPLE]), date.fromisoformat(TODAY))
    rules = {alert.rule for alert in alerts}
    assert len(rules) >= 10
    lang = language(code)
    for alert in alerts:
        headline = alert_headline(alert, lang)
        assert headline != alert_message(alert, lang), alert.rule
        assert "%(" not in headline
        if code == "de":  # no German headline reads like the English one
            assert headline != alert.headline, alert.rule


def test_why_a_line_is_tighter_is_translated(runner: CliRunner, sample: Path) -> None:
    """The reason for a tighter line (first year, transition group) is in German too."""
    _set_locale(sample, "de")
    result = _run(runner, "alerts", sample)
    assert result.exit_code == 0, result.stderr
    assert "(strenger als die übliche Linie von 85 %: Tag 64 der ersten 365 Tage der " \
           "Ausbildung, die am 01.09.2026 begann)" in result.stdout
    assert "of the programme" not in result.stdout

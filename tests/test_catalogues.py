"""The message catalogues: up to date with the code, complete where promised, every report
renders in every language shipped, and golden progress reports per language.

After changing a text: extract and update the catalogues (README, "Report languages"), then
regenerate the golden files here with ``PATHWAY_UPDATE_GOLDEN=1`` and read the diff.
"""

from __future__ import annotations

import os
import typing
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from pathway_cli import models
from pathway_cli.caseload import load_caseload
from pathway_cli.errors import UserError
from pathway_cli.i18n import DOMAIN, LOCALES_DIR, available_languages, language, translated
from pathway_cli.models import AUDIENCES
from pathway_cli.rendering.caseload_report import prepare_caseload
from pathway_cli.rendering.options import (
    BUILTIN_TEMPLATES,
    FAMILY_REPORTS,
    OutputFormat,
    RenderOptions,
)
from pathway_cli.rendering.preparing import prepare_case
from pathway_cli.vocabulary import RECORD_TERMS, RECORD_WORDS
from tests.conftest import REPO, SAMPLE, TODAY, app

GOLDEN = Path(__file__).parent / "golden" / "i18n"
UPDATE = os.environ.get("PATHWAY_UPDATE_GOLDEN") == "1"
# Languages whose every report is translated; the others cover the family reports.
COMPLETE = ("de", "es", "fr", "it")
LANGUAGES = available_languages()


def _catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[Any]:
    return {m.id for m in catalog if m.id}


def _extracted() -> set[Any]:
    with (REPO / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NP_": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map, options_map, keywords=keywords):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _po(code: str) -> Path:
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def test_template_catalogue_is_up_to_date() -> None:
    """Extraction from the templates and the code finds no text missing from pathway.pot."""
    pot = {m if isinstance(m, str) else tuple(m) for m in _ids(_catalog(LOCALES_DIR /
                                                                         f"{DOMAIN}.pot"))}
    extracted = _extracted()
    assert extracted - pot == set(), "new texts: run pybabel extract and update"
    assert pot - extracted == set(), "texts no longer used: run pybabel extract and update"


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_every_catalogue_has_every_text(code: str) -> None:
    """Each language's catalogue was updated from pathway.pot: same texts, none obsolete."""
    pot = _ids(_catalog(LOCALES_DIR / f"{DOMAIN}.pot"))
    catalog = _catalog(_po(code))
    assert _ids(catalog) == pot, "run pybabel update (README, Report languages)"
    assert not catalog.obsolete


@pytest.mark.parametrize("code", COMPLETE)
def test_complete_languages_translate_everything(code: str) -> None:
    """A complete language has no untranslated and no fuzzy entry, and covers every report."""
    catalog = _catalog(_po(code))
    missing = [m.id for m in catalog if m.id and not translated(m)]
    assert missing == []
    assert language(code).reports is None


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c not in ("en", *COMPLETE)])
def test_family_languages_cover_the_family_reports(code: str) -> None:
    """Every other language covers at least the progress, plan and contract reports."""
    assert (language(code).reports or frozenset(BUILTIN_TEMPLATES)) >= FAMILY_REPORTS


def test_translations_keep_their_placeholders() -> None:
    """A translation uses only the placeholders its text offers (a typo would raise)."""
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]")
    for code in LANGUAGES[1:]:
        for message in _catalog(_po(code)):
            if not message.id or not translated(message):
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            offered = {name for text in ids for name in pattern.findall(text)}
            offered |= {"report", "reader"} if "%(template)s" in ids[0] else set()
            strings = [message.string] if isinstance(message.string, str) \
                else list(message.string)
            for text in strings:
                assert set(pattern.findall(text)) <= offered, (code, message.id, text)


def test_vocabulary_has_every_word_the_format_allows() -> None:
    """Every status, role, area... the format allows is in the catalogues as reports show it."""
    names = ["Status", "Outcome", "Group", "Mode", "Role", "Audience", "NeedCategory",
             "GoalArea", "GoalStatus", "ReviewKind", "Party", "LearningKind", "CredentialType"]
    for name in names:
        for value in typing.get_args(getattr(models, name)):
            assert value.replace("-", " ") in RECORD_WORDS, (name, value)
    for value in (*typing.get_args(models.Group), *typing.get_args(models.LearningKind)):
        assert value in RECORD_TERMS


# --- every report in every language --------------------------------------------------------


def test_every_template_renders_in_every_language() -> None:
    """Every built-in template renders for every sample case and audience in every language
    it covers; where it does not cover one, the refusal is a message, not an error."""
    caseload = load_caseload([SAMPLE])
    today = __import__("datetime").date.fromisoformat(TODAY)
    made = 0
    for code in LANGUAGES:
        covered = language(code).reports
        for template in BUILTIN_TEMPLATES:
            for audience in AUDIENCES:
                options = RenderOptions(template, audience, OutputFormat.md, today, lang=code)
                cases = [None] if template == "caseload" else caseload.cases
                for case in cases:
                    try:
                        if case is None:
                            prepared = prepare_caseload(caseload, options)
                        else:
                            prepared = prepare_case(caseload, case, options)
                    except UserError as error:  # consent, nothing to report, not translated
                        if covered is None or template in covered:
                            assert "not translated into" not in error.message
                        continue
                    assert covered is None or template in covered
                    assert prepared.body.strip()
                    made += 1
    assert made > 100 * len(LANGUAGES) // 2


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_family_reports_render_bilingual_with_german(code: str) -> None:
    """Each family language pairs with the team's German for progress, plan and contract."""
    caseload = load_caseload([SAMPLE])
    case = next(c for c in caseload.cases if c.id == "L-2026-003")
    today = __import__("datetime").date.fromisoformat(TODAY)
    pair = f"{code}+de" if code != "de" else "de+en"
    for template in sorted(FAMILY_REPORTS):
        options = RenderOptions(template, "guardian", OutputFormat.md, today, lang=pair)
        body = prepare_case(caseload, case, options).body
        assert body.count(":::") >= 4


@pytest.mark.parametrize("code", LANGUAGES)
def test_progress_report_matches_its_golden_file(code: str) -> None:
    """The guardian's progress report in each language is what its golden file says."""
    result = CliRunner().invoke(app, [
        "render", str(SAMPLE / "cases" / "L-2026-003"), "--template", "progress",
        "--audience", "guardian", "--lang", code, "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / f"L-2026-003-progress-guardian.{code}.md"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(result.stdout, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with PATHWAY_UPDATE_GOLDEN=1"
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_bilingual_progress_matches_its_golden_file() -> None:
    """The Arabic and German family progress report is what its golden file says."""
    result = CliRunner().invoke(app, [
        "render", str(SAMPLE / "cases" / "L-2026-003"), "--template", "progress",
        "--audience", "guardian", "--lang", "ar+de", "--today", TODAY])
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / "L-2026-003-progress-guardian.ar+de.md"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")

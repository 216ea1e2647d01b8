"""Report languages: message catalogues, choosing a language, dates and numbers per locale.

A language is one gettext catalogue, ``locales/<lang>/LC_MESSAGES/pathway.po`` inside the
package, read at run time and compiled in memory once per process, so ``pip install``
needs no build step and a teacher's correction to a ``.po`` file shows in the next report.
English is the source language and needs no catalogue.

A language covers a report when every text of that report's template (and of the shared
pieces: macros, the page, the report titles) is translated; a complete language covers
every report. Dates, numbers and percentages are formatted by Babel for the locale.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property, lru_cache
from importlib import resources
from io import BytesIO
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # Babel is imported when a date, a number or a catalogue is needed: an
    # English table on the command line needs none
    from babel import Locale
    from babel.messages.catalog import Catalog

__all__ = [
    "DOMAIN",
    "ENGLISH_WORDS",
    "LOCALES_DIR",
    "NP_",
    "N_",
    "SOURCE_LANGUAGE",
    "Language",
    "UnknownLanguage",
    "Words",
    "available_languages",
    "gettext_callables",
    "is_report_gettext",
    "language",
    "language_problem",
    "parse_languages",
    "translated",
]

DOMAIN = "pathway"
LOCALES_DIR = Path(str(resources.files("pathway_cli") / "locales"))
SOURCE_LANGUAGE = "en"
# English is written the British way (23 November 2026), as the source texts are.
_FORMAT_LOCALE = {"en": "en_GB"}
_CODE = re.compile(r"[A-Za-z]{2,3}")


def N_(message: str) -> str:
    """Mark a constant text for the catalogues; it is translated where it is shown."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a text with its plural for the catalogues; it is translated where it is shown."""
    return singular, plural


class Words(Protocol):
    """What translates a text: a Language, or English as written."""

    def gettext(self, message: str) -> str:
        """The translation of ``message``."""

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The translation of a text with a number."""


ENGLISH_WORDS: Words = gettext_module.NullTranslations()


class UnknownLanguage(ValueError):
    """A language that pathway has no catalogue for."""


@dataclass(frozen=True)
class Language:
    """One report language: its catalogue and its locale for dates and numbers."""

    code: str
    region: str | None
    translations: gettext_module.NullTranslations
    reports: frozenset[str] | None  # None: every report

    @property
    def locale(self) -> Locale:
        """The Babel locale for dates and numbers (made on first use)."""
        return _babel_locale(self.code, self.region)

    @property
    def tag(self) -> str:
        """The language tag for HTML and metadata: de, de-AT."""
        return self.code if self.region is None else f"{self.code}-{self.region}"

    @property
    def name(self) -> str:
        """The language's name in English: German."""
        return str(self.locale.get_display_name("en"))

    @cached_property  # asked for every line of text a report shows
    def rtl(self) -> bool:
        """True for a language written right to left (Arabic)."""
        return bool(self.locale.character_order == "right-to-left")

    def covers(self, report: str) -> bool:
        """True when every text of ``report`` is translated in this language."""
        return self.reports is None or report in self.reports

    def gettext(self, message: str) -> str:
        """The translation of ``message`` (the message itself where there is none)."""
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The translation of a text with a number, in the plural form the language uses."""
        return self.translations.ngettext(singular, plural, n)

    def long_date(self, value: date) -> str:
        """A date in words: 23 November 2026, 23. November 2026."""
        return _long_date(self.locale, value)

    def percent(self, fraction: float) -> str:
        """A fraction as a percentage: 62%, 62 %."""
        return _percent(self.locale, fraction)

    def percent_text(self, fraction: float, text: str) -> str:
        """A percentage written ``text`` in English ("84.9%"), the locale's way elsewhere
        ("84,9 %"), with as many decimals."""
        if self.code == SOURCE_LANGUAGE:
            return text
        from babel.numbers import format_percent

        decimals = len(text.removesuffix("%").partition(".")[2])
        return str(format_percent(round(fraction, 2 + decimals), locale=self.locale,
                                  decimal_quantization=False))

    def day(self, value: date) -> str:
        """A date in a table or a sentence of the command line: ISO in English (2026-11-02),
        the locale's own numeric form elsewhere (02.11.2026, 2 nov. 2026)."""
        if self.code == SOURCE_LANGUAGE:
            return value.isoformat()
        from babel.dates import format_date

        return str(format_date(value, "medium", locale=self.locale))

    def isolate(self, text: str) -> str:
        """Text from the records kept in its own direction inside a right-to-left report.

        A Latin name or goal ending in punctuation would otherwise have the punctuation
        pulled to the wrong end; Unicode isolates (FSI ... PDI) keep the run together.
        """
        if not self.rtl or not text or (text.startswith("\u2068") and text.endswith("\u2069")):
            return text
        return f"\u2068{text}\u2069"

    def listing(self, items: list[str]) -> str:
        """Items as a list in running text: a, b, c (English), a, b und c, a وb وc."""
        if not items:
            return ""
        from babel.lists import format_list

        try:  # CLDR has no narrow list style for some locales
            return str(format_list(items, style="standard-narrow",  # type: ignore[arg-type]
                                   locale=self.locale))
        except KeyError:
            return str(format_list(items, style="standard-short", locale=self.locale))

    def number(self, value: float) -> str:
        """A number with the locale's decimal sign."""
        from babel.numbers import format_decimal

        return str(format_decimal(value, locale=self.locale))


# A batch of reports writes the same few hundred dates and rates thousands of times.
@lru_cache(maxsize=4096)
def _long_date(locale: Locale, value: date) -> str:
    from babel.dates import format_date

    return str(format_date(value, "long", locale=locale))


@lru_cache(maxsize=4096, typed=True)  # typed: 1 and 1.0 are kept apart
def _percent(locale: Locale, fraction: float) -> str:
    from babel.numbers import format_percent

    return str(format_percent(fraction, locale=locale))


@cache  # the catalogues are part of the installed package
def available_languages() -> tuple[str, ...]:
    """The languages pathway has catalogues for, English first."""
    found = sorted(p.name for p in LOCALES_DIR.iterdir()
                   if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()) \
        if LOCALES_DIR.is_dir() else []
    return (SOURCE_LANGUAGE, *[c for c in found if c != SOURCE_LANGUAGE])


def _split(value: str) -> tuple[str, str | None]:
    parts = re.split(r"[-_]", value.strip())
    if not parts or not _CODE.fullmatch(parts[0]) or len(parts) > 2:
        raise UnknownLanguage(value)
    region = None
    if len(parts) == 2:
        if not re.fullmatch(r"[A-Za-z]{2}|\d{3}", parts[1]):
            raise UnknownLanguage(value)
        region = parts[1].upper()
    return parts[0].lower(), region


def language_problem(value: str, pair: bool = False) -> str | None:
    """Why ``value`` is not a report language pathway has, or None when it is.

    With ``pair``, two languages joined by ``+`` (a bilingual report) are accepted too.
    """
    try:
        parse_languages(value) if pair else language(value)
    except UnknownLanguage:
        parts = value.split("+") if pair else [value]
        if len(parts) > 1 and all(language_problem(part) is None for part in parts):
            if len(parts) > 2:
                return (f"'{value}' names {len(parts)} languages; a bilingual report has two "
                        "(the family's, then the team's: e.g. uk+de)")
            return (f"'{value}' names the same language twice; a bilingual report has two "
                    "different ones (the family's, then the team's: e.g. uk+de)")
        return (f"'{value}' is not a report language pathway has (languages: "
                f"{', '.join(available_languages())})")
    return None


def language(value: str) -> Language:
    """The language for a locale such as ``de``, ``de-AT`` or ``ar`` (cached)."""
    code, region = _split(value)
    if code not in available_languages():
        raise UnknownLanguage(value)
    return _language(code, region)


def parse_languages(value: str) -> tuple[Language, ...]:
    """One language, or two joined by ``+`` for a bilingual report: ``ar+de``."""
    parts = value.split("+")
    if len(parts) > 2 or len(set(parts)) != len(parts):
        raise UnknownLanguage(value)
    return tuple(language(part) for part in parts)


@cache
def _language(code: str, region: str | None) -> Language:
    if code == SOURCE_LANGUAGE:
        return Language(code, region, gettext_module.NullTranslations(), None)
    catalog = _catalog(code)
    return Language(code, region, _translations(catalog), _covered(catalog))


@cache
def _babel_locale(code: str, region: str | None) -> Locale:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(_FORMAT_LOCALE.get(code, code) if region is None
                            else f"{code}_{region}")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(_FORMAT_LOCALE.get(code, code))


@cache
def _catalog(code: str) -> Catalog:
    from babel.messages.pofile import read_po

    path = LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=code, domain=DOMAIN)


def _translations(catalog: Catalog) -> gettext_module.GNUTranslations:
    from babel.messages.mofile import write_mo

    buffer = BytesIO()
    # Fuzzy entries are guesses waiting for a translator: they are not shown.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def translated(message: Any) -> bool:
    """True when a catalogue entry has a translation that is not fuzzy."""
    if message.fuzzy:
        return False
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def _covered(catalog: Catalog) -> frozenset[str] | None:
    """The reports whose every text is translated; None when every text is.

    A text used outside the report templates (macros, titles, the record's words) is
    shared: while one of them is missing, the language covers no report.
    """
    missing: set[str] = set()
    reports: set[str] = set()
    shared_missing = False
    for message in catalog:
        if not message.id:
            continue
        names = {_report_name(loc[0]) for loc in message.locations}
        reports |= names - {""}
        if not translated(message):
            missing |= names - {""}
            shared_missing = shared_missing or "" in names
    if not missing and not shared_missing:
        return None
    if shared_missing:
        return frozenset()
    return frozenset(reports - missing)


def _report_name(source: str) -> str:
    """``templates/plan.md.j2`` -> ``plan``; "" for a file every report shares."""
    path = Path(source)
    name = path.name
    # Alert sentences (the alerts package) and the overview's words (summarise, alerts) are
    # the caseload overview's.
    if path.parent.name == "alerts" or name == "overview_text.py":
        return "caseload"
    if name.endswith(".md.j2") and not name.startswith("_"):
        return name.removesuffix(".md.j2")
    return ""


def gettext_callables(lang: Language) -> dict[str, Callable[..., str]]:
    """``gettext`` and ``ngettext`` for Jinja's i18n extension (new style: ``%(name)s``)."""

    translate = lang.translations.gettext  # said some sixty times a report

    def _gettext(message: str, **variables: Any) -> str:
        text = translate(message)
        if not variables:
            return text
        return text % {key: lang.isolate(str(value)) for key, value in variables.items()}

    def _ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", n)
        return lang.ngettext(singular, plural, n) % {
            key: value if key == "num" else lang.isolate(str(value))
            for key, value in variables.items()}

    return {"gettext": _gettext, "ngettext": _ngettext}


# Every report's gettext is a closure of the one ``_gettext`` above: its code tells it apart
# from any other callable a template might name gettext.
_GETTEXT_CODE = next(const for const in gettext_callables.__code__.co_consts
                     if isinstance(const, CodeType) and const.co_name == "_gettext")


def is_report_gettext(func: object) -> bool:
    """True for a ``gettext`` made by ``gettext_callables``."""
    return getattr(func, "__code__", None) is _GETTEXT_CODE

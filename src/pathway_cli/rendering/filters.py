"""The filters report templates use: dates, percentages, words, names, in the report's
language (``long_date``, ``pct``, ``words``, ``who``...).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context as JinjaContext

from pathway_cli.i18n import Language
from pathway_cli.rendering.options import ENGLISH

__all__ = [
    "long_date",
]


def _iso(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def long_date(value: Any, lang: Language = ENGLISH) -> str:
    """A date in words for the language: 23 November 2026, 23. November 2026."""
    if not isinstance(value, date):
        return _iso(value)
    return lang.long_date(value)


def _language_of(ctx: JinjaContext) -> Language:
    # ``ctx.get`` without its two frames around this lookup: a report's filters ask for
    # the language a hundred times and more
    found = ctx.resolve_or_missing("language")
    return found if isinstance(found, Language) else ENGLISH


@pass_context
def _long_date(ctx: JinjaContext, value: Any) -> str:
    return long_date(value, _language_of(ctx))


@pass_context
def _pct(ctx: JinjaContext, value: Any) -> str:
    """A rate (0.62) or a percentage (62) as the language writes it: 62%, 62 %."""
    if value is None:
        return "—"
    if isinstance(value, float) and value <= 1.0:
        return _language_of(ctx).percent(round(value * 100) / 100)
    return _language_of(ctx).percent(value / 100)


def _dash(value: Any) -> Any:
    return "—" if value is None or value == "" or value == [] else value


# Line breaks and runs of spaces, but not the no-break spaces of "62 %" or "23 Nov".
_BREAKING_SPACE = re.compile(r"[^\S\u00a0\u202f\u2007]+")


def _oneline(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return _oneline_text(value)
    return _BREAKING_SPACE.sub(" ", str(value)).strip(" ")


@lru_cache(maxsize=8192)
def _oneline_text(text: str) -> str:
    """Text on one line (a batch shows the same names, words and dates in report after
    report, in a table cell each)."""
    return _BREAKING_SPACE.sub(" ", text).strip(" ")


def _quote(value: Any) -> str:
    if value is None:
        return ""
    return "\n".join(f"> {line}".rstrip() for line in str(value).split("\n"))


def _words(value: Any) -> str:
    """An identifier in words: in-progress, name_native -> in progress, name native."""
    if value is None:
        return ""
    return str(value).replace("-", " ").replace("\\_", " ").replace("_", " ")


@pass_context
def _words_in(ctx: JinjaContext, value: Any) -> str:
    """An identifier in words, in the report's language (the record's words: VOCABULARY)."""
    return _language_of(ctx).gettext(_words(value))


@pass_context
def _isolated_line(ctx: JinjaContext, value: Any) -> str:
    """Free text on one line; in a right-to-left report, kept in its own direction."""
    return _language_of(ctx).isolate(_oneline(value))


@pass_context
def _listing(ctx: JinjaContext, value: Any) -> str:
    """Items in running text the language's way: a, b, c; a, b und c."""
    return _language_of(ctx).listing([str(v) for v in value or ()])


@pass_context
def _term(ctx: JinjaContext, value: Any) -> str:
    """A record's word as it is (vet-school), in the report's language."""
    return "" if value is None else _language_of(ctx).gettext(str(value))


@pass_context
def _capital(ctx: JinjaContext, value: Any) -> str:
    text = _language_of(ctx).gettext(_words(value))
    return text[:1].upper() + text[1:]


@pass_context
def _who(ctx: JinjaContext, value: Any) -> str:
    """A team id as the person's name; the learner's own id as their name."""
    if value is None:
        return "—"
    people = ctx.get("people") or {}
    person = people.get(value)
    if person is not None:
        return str(person["name"])
    if value == "learner":
        learner = ctx.get("learner") or {}
        return str(learner.get("display_name") or value)
    return str(value)

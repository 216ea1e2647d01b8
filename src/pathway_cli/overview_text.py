"""The caseload overview's words in the team's language: what ``summarise`` and ``alerts``
print in a terminal or a pipe (column headers, footers, alert headlines and sentences,
dates and percentages).

The alert rules write English (``Alert.message``, ``Alert.headline``) and keep each
sentence as a catalogue text with its values (``Alert.why``); here they are said in the
reader's language when they are shown. English is given exactly as the rules wrote it.
Machine output (``--format json`` and ``csv``) is not made here: its keys, ISO dates and
English messages stay the same in every language, for the scripts that read them.
"""

from __future__ import annotations

from collections.abc import Mapping

from pathway_cli.alerts import Alert, Why
from pathway_cli.i18n import (
    N_,
    NP_,
    SOURCE_LANGUAGE,
    Language,
    UnknownLanguage,
    available_languages,
    language,
)

__all__ = [
    "ALERTS_HEADERS",
    "SUMMARY_HEADERS",
    "alert_headline",
    "alert_message",
    "alerts_footer",
    "header",
    "is_english",
    "late",
    "more_alerts",
    "no_learners",
    "overview_language",
    "overview_language_problem",
    "summary_footer",
]

# The report whose texts these are: a language has them when it covers this report.
OVERVIEW = "caseload"

# Column headers (the English words are the keys the table code uses).
SUMMARY_HEADERS = (
    N_("risk"), N_("learner"), N_("name"), N_("key worker"), N_("goals"), N_("last review"),
    N_("next review"), N_("attend."), N_("well-being"), N_("why"),
)
ALERTS_HEADERS = (
    N_("level"), N_("learner"), N_("rule"), N_("what"), N_("record"),
    N_("what, and the record behind it"),
)

# The few words a table has room for, per rule, from the values of the alert's sentence.
# Each says what the English headline of the alerts package says.
_HEADLINES: Mapping[str, str | tuple[str, str]] = {
    "attendance-low": N_("attendance %(rate)s"),
    "attendance-drop": N_("attendance -%(fall)s points"),
    "wellbeing-drop": N_("well-being %(before)s->%(after)s"),
    "behaviour-incidents": NP_("%(count)d incident", "%(count)d incidents"),
    "course-failure": N_("%(failed)s failed"),
    "engagement-drop": N_("engagement %(before)s->%(after)s"),
    "review-overdue": N_("review %(late)s late"),
    "action-overdue": N_("action %(late)s overdue (%(owner)s)"),
    "goal-overdue": N_("goal %(goal)s %(late)s overdue"),
    "goal-at-risk": N_("goal %(goal)s at risk"),
    "no-plan": N_("no plan after %(waited)s"),
    "follow-up-due": N_("%(months)s-month follow-up due"),
    "records-invalid": NP_("%(count)d record error", "%(count)d record errors"),
}
# Headlines without values, by the English headline.
_FIXED_HEADLINES = {
    "grades falling": N_("grades falling"),
    "contract unsigned": N_("contract unsigned"),
    "no contract": N_("no contract"),
}
# What a count in a headline counts, for the rules whose headline has a plural.
_COUNTED = {"behaviour-incidents": "count", "records-invalid": ""}


def overview_languages() -> list[str]:
    """The languages the overview is translated into, English first."""
    return [code for code in available_languages() if language(code).covers(OVERVIEW)]


def overview_language_problem(value: str) -> str | None:
    """Why ``value`` cannot be the overview's language (``--lang``), or None."""
    try:
        if language(value).covers(OVERVIEW):
            return None
    except UnknownLanguage:
        pass
    return (f"'{value}' is not a language the caseload overview is translated into "
            f"(languages: {', '.join(overview_languages())})")


def overview_language(locale: str | None, wanted: str | None = None) -> Language:
    """The overview's language: ``wanted`` (``--lang``), else the team's ``locale`` where
    the overview is translated into it, else English."""
    if wanted is not None:
        return language(wanted)
    try:
        team = language(locale or SOURCE_LANGUAGE)
    except UnknownLanguage:  # validate reports it (locale-unknown)
        return language(SOURCE_LANGUAGE)
    return team if team.covers(OVERVIEW) else language(SOURCE_LANGUAGE)


def is_english(lang: Language) -> bool:
    """True for the language pathway's own words are written in (no catalogue needed)."""
    return lang.code == SOURCE_LANGUAGE



def header(name: str, lang: Language) -> str:
    """A column header in ``lang``."""
    return name if is_english(lang) else lang.gettext(name)


def alert_message(alert: Alert, lang: Language) -> str:
    """The alert's sentence in ``lang``."""
    if is_english(lang) or alert.why is None:
        return alert.message
    return alert.why.say(lang)


def _values(why: Why) -> dict[str, object]:
    """The values of an alert's sentence, through the "tighter line" wrapper."""
    values = dict(why.values)
    base = values.get("base")
    if isinstance(base, Why):
        values = {**base.values, **values}
    return values


def alert_headline(alert: Alert, lang: Language) -> str:
    """The alert's few words for a table in ``lang`` (its sentence where a rule has none)."""
    if is_english(lang):
        return alert.headline or alert.rule
    if alert.headline in _FIXED_HEADLINES:
        return lang.gettext(_FIXED_HEADLINES[alert.headline])
    text = _HEADLINES.get(alert.rule)
    if text is None or alert.why is None:
        return alert_message(alert, lang)
    values = _values(alert.why)
    try:
        if isinstance(text, tuple):
            key = _COUNTED[alert.rule]
            count = int(str(values[key] if key else alert.value))
            values.pop("count", None)  # the count of the plural, a number
            return Why(text[0], values, plural=text[1], count=count).say(lang)
        return Why(text, values).say(lang)
    except (KeyError, ValueError, TypeError):  # a rule that changed its sentence's values
        return alert_message(alert, lang)


def more_alerts(count: int, lang: Language) -> str:
    """"+2 more" after the headlines a table has room for."""
    return lang.gettext(N_("+%(num)d more")) % {"num": count}


def summary_footer(learners: int, by_status: Mapping[str, int], at_risk: int, red: int,
                   amber: int, due_soon: int, overdue: int, lang: Language) -> str:
    """The line under the summary table (Rich markup): learners, statuses, risk, reviews."""
    statuses = ", ".join(
        lang.gettext(N_("%(num)d %(status)s")) % {"num": count, "status": lang.gettext(status)}
        for status, count in sorted(by_status.items(), key=lambda item: -item[1]))
    red_text = lang.gettext(N_("%(num)d red")) % {"num": red}
    amber_text = lang.gettext(N_("%(num)d amber")) % {"num": amber}
    return " ".join((
        lang.ngettext("%(num)d learner: %(statuses)s.", "%(num)d learners: %(statuses)s.",
                      learners) % {"num": learners, "statuses": statuses},
        lang.gettext(N_("At risk: %(num)d (%(red)s, %(amber)s).")) % {
            "num": at_risk, "red": f"[bold red]{red_text}[/]",
            "amber": f"[yellow]{amber_text}[/]"},
        lang.gettext(N_("Reviews due in the next 7 days: %(soon)d, overdue: %(overdue)d.")) % {
            "soon": due_soon, "overdue": overdue},
    ))


def alerts_footer(red: int, amber: int, with_alerts: int, learners: int,
                  lang: Language) -> str:
    """The line under the alerts table: how many alerts of each level, for how many."""
    return ", ".join((
        lang.gettext(N_("%(num)d red")) % {"num": red},
        " ".join((
            lang.ngettext("%(num)d amber alert", "%(num)d amber alerts", amber) % {
                "num": amber},
            lang.ngettext("for %(with_alerts)d of %(num)d learner",
                          "for %(with_alerts)d of %(num)d learners", learners) % {
                "with_alerts": with_alerts, "num": learners},
        )),
    ))


def late(lang: Language) -> str:
    """The word after a next review that is past."""
    return lang.gettext(N_("late"))


def no_learners(lang: Language) -> str:
    """What ``summarise`` says when no learner matches the filters."""
    return lang.gettext(N_("no learners match"))

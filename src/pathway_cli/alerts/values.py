"""The alert and its sentence: ``Alert``, the sentence as catalogue text and values
(``Why``) for translation, the values it is told with (``Days``, ``Percent``, ``Term``),
and the helpers every rule says it with."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

from pathway_cli.findings import KeyPath
from pathway_cli.i18n import ENGLISH_WORDS, N_, Language, Words

__all__ = [
    "Alert",
    "Days",
    "Level",
    "Percent",
    "Term",
    "Why",
    "packed_alerts",
    "unpacked_alerts",
]

Level = Literal["amber", "red"]


@dataclass(frozen=True, init=False)
class Alert:
    """One early-warning flag about one learner.

    ``message`` is the full sentence with the value and the threshold in words;
    ``headline`` is the few words a table has room for. ``file``/``line`` name the record
    behind the alert (``line`` is None until placed from ``key_path``).
    """

    learner: str
    level: Level
    rule: str
    message: str
    file: Path
    line: int | None = None
    headline: str = ""
    value: str | None = None
    threshold: str | None = None
    key_path: KeyPath | None = None
    why: Why | None = None  # the message as catalogue text and values, for translation

    def __init__(self, learner: str, level: Level, rule: str, message: str, file: Path,
                 line: int | None = None, headline: str = "", value: str | None = None,
                 threshold: str | None = None, key_path: KeyPath | None = None,
                 why: Why | None = None) -> None:
        # The fields of dataclass's own __init__, set at once: a frozen dataclass sets each
        # through object.__setattr__, and a warm run makes thousands of alerts.
        self.__dict__.update(learner=learner, level=level, rule=rule, message=message,
                             file=file, line=line, headline=headline, value=value,
                             threshold=threshold, key_path=key_path, why=why)

    @property
    def is_red(self) -> bool:
        """True for a red alert."""
        return self.level == "red"

    def but(self, **changes: Any) -> Alert:
        """A copy with ``changes`` (field names and values): ``dataclasses.replace`` would look
        up every field by name and run ``__init__``, thousands of times a run."""
        if not changes.keys() <= self.__dict__.keys():
            raise TypeError(f"Alert has no field {sorted(changes.keys() - self.__dict__.keys())}")
        copy = object.__new__(Alert)
        copy.__dict__.update(self.__dict__, **changes)
        return copy

    def without_sentence(self) -> Alert:
        """The alert without ``why``, for output in English only: most of what an alert costs
        to send from a worker is its sentence's values."""
        return self if self.why is None else self.but(why=None)


_FIELDS = tuple(f.name for f in fields(Alert))
_FILE = _FIELDS.index("file")
_WHY = _FIELDS.index("why")
_values = attrgetter(*_FIELDS)


def packed_alerts(alerts: Iterable[Alert], *,
                  sentences: bool = True) -> tuple[tuple[Any, ...], ...]:
    """Alerts as plain tuples of their fields, the record's path as text, for sending from
    a worker: a dataclass pickles as a dict, a path as its parts, and both load slowly.
    Without ``sentences`` their ``why`` is left out (output in English needs ``message``
    only, and the sentence's values are most of what an alert costs to send)."""
    packed = []
    for alert in alerts:
        values = _values(alert)
        packed.append((*values[:_FILE], str(values[_FILE]), *values[_FILE + 1:_WHY],
                       values[_WHY] if sentences else None))
    return tuple(packed)


def unpacked_alerts(packed: Iterable[tuple[Any, ...]]) -> tuple[Alert, ...]:
    """The alerts of ``packed_alerts``, equal to those packed."""
    alerts = []
    for values in packed:
        alert = object.__new__(Alert)  # as ``Alert.but``: no per-field ``__init__`` checks
        alert.__dict__.update(zip(_FIELDS, values, strict=True))
        alert.__dict__["file"] = _at(values[_FILE])
        alerts.append(alert)
    return tuple(alerts)


class Days(int):
    """A number of days in an alert's sentence: "1 day", "3 days", "3 Tage"."""


class Percent(str):
    """A percentage in an alert's sentence ("72%"), shown the locale's way ("72 %")."""

    __slots__ = ()

    @property
    def fraction(self) -> float:
        """The percentage as a fraction: 0.72."""
        return float(self.removesuffix("%")) / 100


class Term(str):
    """A word of an alert's sentence that is translated with it (red, learner...)."""

    __slots__ = ()


# Values of a sentence shown as they are, in any language (not their subclasses: Days, Term).
_PLAIN = frozenset({str, int})


@dataclass(frozen=True)
class Why:
    """An alert's sentence as its catalogue text and its values, so a report in another
    language can translate it; ``str(why)`` is the English message."""

    text: str
    values: Mapping[str, object] = field(default_factory=dict)
    plural: str | None = None  # the text for a count other than one (``count``)
    count: int = 1

    def say(self, words: Words = ENGLISH_WORDS) -> str:
        """The sentence in the language of ``words``."""
        shown: dict[str, object] = {"count": self.count}
        for key, value in self.values.items():
            kind = type(value)
            if kind in _PLAIN:  # thousands of sentences a run: the common kinds first
                shown[key] = value  # "%(key)s" shows it as str() does
            elif kind is Days and words is ENGLISH_WORDS:
                shown[key] = ("%d day" if value == 1 else "%d days") % value
            elif kind is date and words is ENGLISH_WORDS:
                shown[key] = str(value)  # ISO, as the chain below ends
            elif isinstance(value, Days):
                shown[key] = words.ngettext("%(num)d day", "%(num)d days", value) % {
                    "num": value}
            elif isinstance(value, Term):
                shown[key] = words.gettext(value)
            elif isinstance(value, Why):
                shown[key] = value.say(words)
            elif isinstance(words, Language) and isinstance(value, Percent):
                shown[key] = words.percent_text(value.fraction, value)
            elif isinstance(words, Language) and isinstance(value, date):
                shown[key] = words.day(value)
            else:
                shown[key] = str(value)
        if self.plural is not None:
            return words.ngettext(self.text, self.plural, self.count) % shown
        return words.gettext(self.text) % shown

    def __str__(self) -> str:
        return self.say()


def _why(text: str, red: str | None = None, level: str = "amber",
         **values: object) -> dict[str, Any]:
    """An Alert's ``message`` (English) and ``why``: ``text``, or ``red`` for a red alert."""
    why = Why(red if red is not None and level == "red" else text, values)
    return {"message": str(why), "why": why}


def _tighter(message: dict[str, Any], tighter: tuple[object, Why] | None) -> dict[str, Any]:
    """The message, with why its line is tighter than the usual one (the risky windows)."""
    if tighter is None:
        return message
    usual, reason = tighter
    why = Why(N_("%(base)s (tighter than the usual %(usual)s: %(reason)s)"),
              {"base": message["why"], "usual": usual, "reason": reason})
    return {"message": str(why), "why": why}


@functools.lru_cache(maxsize=4096)
def _at(path: str) -> Path:
    """The path of an alert's record (the facts keep paths as text: they load faster)."""
    return Path(path)


def _pct(rate: float, line: float | None = None) -> Percent:
    text = f"{rate * 100:.0f}%"
    # 84.9% must not read as "85%, below the line of 85%".
    if line is not None and rate != line and text == f"{line * 100:.0f}%":
        text = f"{rate * 100:.1f}%"
    return Percent(text)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"

"""Early-warning alerts: who needs attention, why, and which record says so.

Each rule is a small function ``alert_x(case, ctx) -> list[Alert]`` and is listed in
``ALERT_RULES`` with the case statuses it watches, so a team can read in one place what
raises an alert and how loud it is. Alerts are values; ``find_alerts`` runs every rule
over every case and places each alert at the line of the record behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from pathway_cli.caseload import Case, Caseload
from pathway_cli.findings import KeyPath
from pathway_cli.validation import Context

__all__ = [
    "ALERT_RULES",
    "Alert",
    "AlertRule",
    "Level",
    "find_alerts",
    "sort_alerts",
]

Level = Literal["amber", "red"]


@dataclass(frozen=True)
class Alert:
    """One early-warning flag about one learner.

    ``message`` is the full sentence with the value and the threshold in words;
    ``headline`` is the few words a table has room for. ``file``/``line`` name the record
    behind the alert (``line`` is None until placed).
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

    @property
    def is_red(self) -> bool:
        """True for a red alert."""
        return self.level == "red"


@dataclass(frozen=True)
class AlertRule:
    """A rule id, the case statuses it watches, and the function that checks it."""

    id: str
    statuses: tuple[str, ...]
    check: Callable[[Case, Context], list[Alert]]


ALERT_RULES: list[AlertRule] = []


def find_alerts(caseload: Caseload, today: date, *, locate: bool = True) -> list[Alert]:
    """Every alert of every case, red first; with ``locate``, each placed at its line."""
    ctx = Context(caseload.settings, caseload.mentors, today)
    found: list[Alert] = []
    for case in caseload.cases:
        learner = case.learner
        if learner is None:
            continue
        for rule in ALERT_RULES:
            if learner.status in rule.statuses:
                found.extend(rule.check(case, ctx))
    if locate:
        found = _placed(caseload, found)
    return sort_alerts(found)


def sort_alerts(alerts: Sequence[Alert]) -> list[Alert]:
    """Red before amber, then by learner and rule."""
    return sorted(alerts, key=lambda a: (a.level != "red", a.learner, a.rule, str(a.file)))


def _placed(caseload: Caseload, alerts: list[Alert]) -> list[Alert]:
    sources = {s.path: s for s in caseload.sources()}
    placed = []
    for alert in alerts:
        source = sources.get(alert.file)
        if alert.line is None and alert.key_path is not None and source is not None:
            line, _ = source.locate(alert.key_path)
            alert = replace(alert, line=line)
        placed.append(alert)
    return placed

"""The tables of the caseload overview (``summarise``) and of ``alerts``: drawn with Rich on
a terminal, written as plain tab-separated lines when piped (thousands of rows cost little)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pathway_cli.cli.app import display_path, err_console, out_console
from pathway_cli.cli.output import (
    PIPE_WIDTH,
    certainly_piped,
    plain_cell,
    wide_when_piped,
    write_note,
)
from pathway_cli.cli.output import plain_tables as _plain_on

if TYPE_CHECKING:  # Rich's Text is imported for a drawn table only (piped: plain text)
    from rich.console import Console
    from rich.text import Text

    from pathway_cli.alerts import Alert
    from pathway_cli.i18n import Language
    from pathway_cli.summary import LearnerSummary

__all__ = ["LEVEL_STYLE", "PIPE_WIDTH", "Shown", "alerts_table", "data_console",
           "plain_tables", "summary_table", "write_plain_table"]

LEVEL_STYLE = {"red": "bold red", "amber": "yellow", "green": "green"}


def data_console() -> Console:
    """The console of the tables, as wide as ``PIPE_WIDTH`` when piped."""
    return wide_when_piped(out_console())


def plain_tables() -> bool:
    """True when stdout is a pipe or a file and no COLUMNS asks for a drawn table (Rich is
    asked only when that is not certain without it)."""
    if "COLUMNS" in os.environ:
        return False
    return certainly_piped(sys.stdout) or _plain_on(out_console())


def _text_class() -> type[Text]:
    from rich.text import Text

    return Text


def _text(text: str = "", style: str = "") -> Text:
    """A Rich ``Text`` (Rich's text module is imported by the first drawn cell)."""
    return _text_class()(text, style=style)


def write_plain_table(header: list[str], rows: Sequence[Sequence[Text | str]]) -> None:
    """A table for grep, cut and sort: a header line, then one tab-separated line a row."""

    lines = ["\t".join(header)]
    lines += ["\t".join([plain_cell(c if type(c) is str else c.plain)  # type: ignore[union-attr]
                         for c in row]) for row in rows]
    sys.stdout.write("\n".join(lines) + "\n")


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.0f}%"


def _why(row: LearnerSummary, lang: Language, room: int = 2) -> str:
    from pathway_cli.overview_text import alert_headline, more_alerts

    headlines = [alert_headline(a, lang) for a in row.alerts]
    shown = "; ".join(headlines[:room])
    more = len(headlines) - room
    return shown + (f"; {more_alerts(more, lang)}" if more > 0 else "")


def _all_alerts_why(row: LearnerSummary, shown: Shown) -> str:
    """The why of a plain table: every alert's headline (a drawn one has room for two)."""
    return _why(row, shown.lang, room=len(row.alerts))


@dataclass(frozen=True)
class Shown:
    """What a cell needs besides its row: the day of the overview and its language."""

    today: date
    lang: Language


@dataclass(frozen=True)
class _Column:
    header: str
    cell: Callable[[LearnerSummary, Shown], Text]
    # The cell's words without the styles, for a plain table (thousands of rows: a Text a
    # cell cost more than deciding the rows); None: ``cell(...).plain``.
    plain: Callable[[LearnerSummary, Shown], str] | None = None
    # The narrowest console that still shows this column; narrower ones leave it out.
    from_width: int = 0
    wraps: bool = False
    right: bool = False
    ratio: int | None = None


def _name_cell(row: LearnerSummary, shown: Shown) -> Text:
    name = _text(row.name)
    if row.status != "active":  # the usual case goes without saying
        name.append(f" ({shown.lang.gettext(row.status)})",
                    style="dim" if row.is_closed else "italic")
    return name


def _name_plain(row: LearnerSummary, shown: Shown) -> str:
    if row.status != "active":
        return f"{row.name} ({shown.lang.gettext(row.status)})"
    return row.name


def _next_review_late(row: LearnerSummary, shown: Shown) -> bool:
    return (row.next_review is not None and row.next_review < shown.today
            and not row.is_closed)


def _next_review_plain(row: LearnerSummary, shown: Shown) -> str:
    from pathway_cli.overview_text import late

    return ((_day(row.next_review, shown) or "-")
            + (f" {late(shown.lang)}" if _next_review_late(row, shown) else ""))


def _next_review_cell(row: LearnerSummary, shown: Shown) -> Text:
    return _text(_next_review_plain(row, shown),
                style="red" if _next_review_late(row, shown) else "")


def _day(value: date | None, shown: Shown) -> str | None:
    return None if value is None else shown.lang.day(value)


def _rate(rate: float | None, shown: Shown) -> str:
    return shown.lang.percent_text(round(rate, 2), _pct(rate)) if rate is not None else ""


def _goals(row: LearnerSummary) -> str:
    return f"{row.goals_achieved}/{row.goals_total}" if row.goals_total else ""


def _wellbeing(row: LearnerSummary) -> str:
    return f"{row.wellbeing}/5" if row.wellbeing else ""


SUMMARY_COLUMNS = (
    _Column("risk", lambda r, s: _text(s.lang.gettext(r.risk), style=LEVEL_STYLE[r.risk]),
            lambda r, s: s.lang.gettext(r.risk)),
    _Column("learner", lambda r, _: _text(r.id, style="bold"), lambda r, _: r.id),
    _Column("name", _name_cell, _name_plain, wraps=True, ratio=1),
    _Column("key worker", lambda r, _: _text(r.key_worker or ""),
            lambda r, _: r.key_worker or "", from_width=130),
    _Column("goals", lambda r, _: _text(_goals(r)), lambda r, _: _goals(r), from_width=130,
            right=True),
    _Column("last review", lambda r, s: _text(_day(r.last_review, s) or "-"),
            lambda r, s: _day(r.last_review, s) or "-", from_width=160),
    _Column("next review", _next_review_cell, _next_review_plain),
    _Column("attend.", lambda r, s: _text(_rate(r.attendance, s)),
            lambda r, s: _rate(r.attendance, s), from_width=130, right=True),
    _Column("well-being", lambda r, _: _text(_wellbeing(r)), lambda r, _: _wellbeing(r),
            from_width=130, right=True),
    _Column("why", lambda r, s: _text(_why(r, s.lang)), lambda r, s: _why(r, s.lang),
            wraps=True, ratio=2),
)


def summary_table(rows: list[LearnerSummary], shown: Shown) -> None:
    from pathway_cli.overview_text import header

    lang = shown.lang
    if plain_tables():
        cells = [_all_alerts_why if column.header == "why" else column.plain or column.cell
                 for column in SUMMARY_COLUMNS]
        write_plain_table([header(c.header, lang) for c in SUMMARY_COLUMNS],
                          [[cell(row, shown) for cell in cells] for row in rows])
        footer = _summary_footer(rows, shown)
        if not write_note(footer, SUMMARY_FOOTER_TAGS):
            err_console().print(footer)
        return
    from rich.table import Table

    console = data_console()
    columns = [c for c in SUMMARY_COLUMNS if console.width >= c.from_width]
    table = Table(header_style="bold", pad_edge=False, show_edge=False)
    for column in columns:
        table.add_column(header(column.header, lang), no_wrap=not column.wraps,
                         ratio=column.ratio, justify="right" if column.right else "left")
    for row in rows:
        table.add_row(*(column.cell(row, shown) for column in columns),
                      style="dim" if row.is_closed else None)
    console.print(table)
    console.print("\n" + _summary_footer(rows, shown))


# The styles ``overview_text.summary_footer`` marks its counts of red and amber with.
SUMMARY_FOOTER_TAGS = ("[bold red]", "[yellow]", "[/]")


def _summary_footer(rows: list[LearnerSummary], shown: Shown) -> str:
    from pathway_cli.overview_text import summary_footer
    from pathway_cli.summary import summary_totals

    totals = summary_totals(rows, shown.today)
    return summary_footer(totals.learners, totals.by_status, totals.at_risk, totals.red,
                          totals.amber, totals.reviews_due_soon, totals.reviews_overdue,
                          shown.lang)


def _record(alert: Alert, shown: dict[Path, str]) -> str:
    """Where the record behind an alert is, as the user sees it: file and line (a file
    is shown once a table: a case's alerts often name the same one)."""
    where = shown.get(alert.file)
    if where is None:
        where = shown[alert.file] = display_path(alert.file)
    return where + (f":{alert.line}" if alert.line else "")


def alerts_table(alerts: list[Alert], learners: int, lang: Language) -> None:
    from pathway_cli.overview_text import alert_message, alerts_footer, header

    if alerts and plain_tables():
        shown_paths: dict[Path, str] = {}
        write_plain_table(
            [header(name, lang) for name in ("level", "learner", "rule", "what", "record")],
            [[lang.gettext(a.level), a.learner, a.rule, alert_message(a, lang),
              _record(a, shown_paths)] for a in alerts],
        )
    elif alerts:
        from rich.table import Table

        console = data_console()
        table = Table(header_style="bold", pad_edge=False, show_edge=False)
        for name in ("level", "learner", "rule"):
            table.add_column(header(name, lang), no_wrap=True)
        table.add_column(header("what, and the record behind it", lang), overflow="fold")
        for alert in alerts:
            where = display_path(alert.file) + (f":{alert.line}" if alert.line else "")
            table.add_row(_text(lang.gettext(alert.level), style=LEVEL_STYLE[alert.level]),
                          _text(alert.learner, style="bold"), _text(alert.rule),
                          _text_class().assemble(alert_message(alert, lang), "\n", (where, "dim")))
        console.print(table)
    red = sum(1 for a in alerts if a.is_red)
    with_alerts = len({a.learner for a in alerts})
    footer = alerts_footer(red, len(alerts) - red, with_alerts, learners, lang)
    if not write_note(footer):
        err_console().print(footer, style="red" if red else ("yellow" if alerts else "green"))

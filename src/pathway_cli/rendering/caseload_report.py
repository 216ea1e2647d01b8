"""The caseload report: the team lead's overview of the loaded cases, from the summary
and the alerts (team audience only; learners without recorded consent by id only).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pathway_cli.caseload import Caseload
from pathway_cli.i18n import Language
from pathway_cli.redaction import ConsentRefused, consent_problem
from pathway_cli.rendering.context import _language_context, _report_header, report_languages
from pathway_cli.rendering.escaping import escape_tree
from pathway_cli.rendering.finishing import assets_for, finish
from pathway_cli.rendering.options import RenderOptions
from pathway_cli.rendering.preparing import (
    Prepared,
    _check_settings,
    _check_template_name,
    _prepare,
)

__all__ = [
    "prepare_caseload",
    "render_caseload_report",
]


def render_caseload_report(caseload: Caseload, options: RenderOptions,
                           statuses: Iterable[str] = ()) -> bytes:
    """The team lead's overview of the loaded cases, from the summary and the alerts."""
    prepared = prepare_caseload(caseload, options, statuses)
    return finish(prepared, options.fmt, assets_for(caseload))


def prepare_caseload(caseload: Caseload, options: RenderOptions,
                     statuses: Iterable[str] = ()) -> Prepared:
    """Render the caseload overview to Markdown (team audience only).

    ``statuses`` keeps only cases with those statuses (empty or "all": every case).
    """
    from pathway_cli.alerts import CaseFilter, find_alerts
    from pathway_cli.summary import summarise_caseload, summary_totals

    _check_template_name(options.template)
    _check_settings(caseload)
    (lang,) = report_languages(caseload, None, options)
    if options.audience != "team":
        raise ConsentRefused(
            "the caseload report is for the team only: it lists every learner "
            f"(asked for the {options.audience})"
        )
    wanted = frozenset(statuses) - {"all"}
    only = CaseFilter(statuses=wanted) if wanted else None
    # A learner whose consent to data processing is not recorded appears by id only: the
    # team must see that the consent is missing, but no more of the record.
    no_consent = sorted(
        case.id for case in caseload.cases
        if case.learner is not None
        and consent_problem(case.learner, "team", today=options.today) is not None
    )
    rows = [r for r in summarise_caseload(caseload, options.today, only)
            if r.id not in no_consent]
    alerts = [a for a in find_alerts(caseload, options.today, only=only)
              if a.learner not in no_consent]
    withheld = ([lang.gettext("learners with no recorded consent to data processing "
                              "(%(ids)s)") % {"ids": ", ".join(no_consent)}]
                if no_consent else [])
    names = {
        case.id: {m.id: m.name for m in case.learner.team}
        for case in caseload.cases if case.learner is not None
    }
    context = escape_tree({
        "report": {**_report_header(caseload, options, lang), "withheld": withheld,
                   "sections": ["all"]},
        "rows": [_summary_row(row, names.get(row.id, {})) for row in rows],
        "totals": _plain(summary_totals(rows, options.today)),
        "alerts": [_alert_row(alert, caseload, lang) for alert in alerts],
    })
    count = len(rows)
    subtitle = lang.ngettext("%(num)d learner", "%(num)d learners", count) % {"num": count}
    return _prepare(caseload, options.template, options,
                    {**_language_context(lang), **context}, None, subtitle, lang)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def _summary_row(row: Any, team: Mapping[str, str]) -> dict[str, Any]:
    data = {name: _plain(getattr(row, name)) for name in row.__dataclass_fields__
            if name != "alerts"}
    data["alert_rules"] = list(row.alert_rules)
    data["key_worker_name"] = team.get(row.key_worker, row.key_worker)
    return data


def _alert_row(alert: Any, caseload: Caseload, lang: Language) -> dict[str, Any]:
    data = {name: _plain(getattr(alert, name)) for name in alert.__dataclass_fields__
            if name in ("learner", "level", "rule", "message", "headline", "line")}
    if alert.why is not None:  # the sentence in the report's language
        data["message"] = alert.why.say(lang)
    path = Path(alert.file)
    if caseload.root is not None:
        with contextlib.suppress(ValueError):
            path = path.resolve().relative_to(caseload.root.resolve())
    data["file"] = path.as_posix()
    return data

"""What a report is asked for with, and why one is refused.

``RenderOptions`` and the output formats; the built-in reports (the sections each shows,
their default titles, the words for each audience, which ones a family may receive);
the refusals a report can meet (``TemplateProblem``, ``ReportUnavailable``,
``AudienceRefused``, ``CaseInvalid``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pathway_cli.errors import UserError
from pathway_cli.i18n import N_, language
from pathway_cli.models import Audience
from pathway_cli.redaction import PLAN_SECTIONS

__all__ = [
    "BUILTIN_TEMPLATES",
    "CaseInvalid",
    "OutputFormat",
    "RenderOptions",
    "ReportUnavailable",
    "TemplateProblem",
]

# Which sections a template shows: an audience given none of them gets no such report.
TEMPLATE_SECTIONS: dict[str, tuple[str, ...]] = {
    "plan": PLAN_SECTIONS,
    "contract": ("contract",),
    "review": ("reviews",),
    "progress": (*PLAN_SECTIONS, "reviews"),
    "case": (),
    "caseload": (),
}
BUILTIN_TEMPLATES: tuple[str, ...] = tuple(TEMPLATE_SECTIONS)
CASELOAD_TEMPLATES = frozenset({"caseload", "evaluation"})
DEFAULT_TITLES = {
    "plan": N_("Individual learning and career plan"),
    "contract": N_("Learning contract"),
    "review": N_("Review"),
    "case": N_("Case summary"),
    "progress": N_("My progress"),
    "caseload": N_("Caseload overview"),
    # English only, unmarked for translation: the evaluation report is made in English.
    "evaluation": "Programme evaluation",
}
AUDIENCE_WORDS = {
    "learner": N_("the learner"),
    "guardian": N_("the learner's parent or guardian"),
    "employer": N_("the employer"),
    "team": N_("the team around the learner"),
    # Audiences of the evaluation report (aggregate figures, no names or ids; English).
    "leadership": "the school leadership",
    "funder": "the funder",
}
# What the index calls each built-in report (the title may address the learner: "My").
REPORT_NAMES = {**DEFAULT_TITLES, "progress": N_("Progress report")}
# Reports a family may receive: these are translated into the families' languages and
# may be bilingual (--lang uk+de).
FAMILY_REPORTS = frozenset({"progress", "plan", "contract"})
ENGLISH = language("en")


class OutputFormat(StrEnum):
    """What a report is written as."""

    md = "md"
    html = "html"
    pdf = "pdf"


class TemplateProblem(UserError):
    """A report template that does not render: names the template and the line."""


class ReportUnavailable(UserError):
    """A report that cannot be made for this case (no such record, no such review)."""


class AudienceRefused(UserError):
    """A report whose sections pathway.yaml does not give to the audience asked for."""


class CaseInvalid(UserError):
    """A case whose records have errors: reports are made from valid records only."""


@dataclass(frozen=True)
class RenderOptions:
    """What to render: template, audience, format, the date of the report."""

    template: str
    audience: Audience
    fmt: OutputFormat
    today: date
    review_date: date | None = None
    lang: str | None = None  # --lang: one language or two joined by "+" (uk+de)

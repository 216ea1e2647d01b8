"""Preparing a report: checks, then the template rendered to Markdown with its metadata.

A report is refused before anything is rendered when pathway.yaml is broken, the case
has errors, consent is missing, the audience is not given the sections, or there is
nothing to report. ``Prepared`` is the Markdown body with its YAML metadata block
(pandoc-ready) and page metadata; ``bilingual`` joins two languages section by section.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pathway_cli.caseload import Case, Caseload
from pathway_cli.checked import free_of_errors
from pathway_cli.errors import UserError
from pathway_cli.findings import Finding
from pathway_cli.i18n import Language
from pathway_cli.locating import TEMPLATE_SUFFIX
from pathway_cli.models import ID_PATTERN
from pathway_cli.redaction import allowed_sections, check_consent
from pathway_cli.rendering.context import (
    _language_context,
    _report_header,
    case_context,
    report_languages,
)
from pathway_cli.rendering.escaping import escape_tree, markdown_escape, markdown_unescape
from pathway_cli.rendering.filters import long_date
from pathway_cli.rendering.options import (
    AUDIENCE_WORDS,
    CASELOAD_TEMPLATES,
    DEFAULT_TITLES,
    ENGLISH,
    TEMPLATE_SECTIONS,
    AudienceRefused,
    CaseInvalid,
    RenderOptions,
    ReportUnavailable,
)
from pathway_cli.rendering.templates import _render_template, template_dirs
from pathway_cli.typesetting import PageMeta, language_part
from pathway_cli.validation import Context, case_findings

__all__ = [
    "prepare_case",
    "prepare_report",
]


@dataclass(frozen=True)
class Prepared:
    """A report rendered to Markdown, ready to write or typeset."""

    case_id: str | None
    body: str
    meta: PageMeta
    metadata: dict[str, str]

    @property
    def markdown(self) -> str:
        """The Markdown file: YAML metadata block, then the body."""
        lines = ["---", *(f"{key}: {json.dumps(value, ensure_ascii=False)}"
                          for key, value in self.metadata.items()), "---", ""]
        return "\n".join(lines) + "\n" + self.body


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"


def _page_meta(lang: Language, title: str, subtitle: str, organisation: str,
               options: RenderOptions, footer: str) -> PageMeta:
    return PageMeta(
        title=title, subtitle=subtitle, organisation=organisation, date=options.today,
        date_text=long_date(options.today, lang), lang=lang.code, region=lang.region,
        audience=options.audience, footer=footer, page_word=lang.gettext("Page"),
        of_word=lang.gettext("of"), direction="rtl" if lang.rtl else "ltr",
    )


def _prepare(caseload: Caseload, template: str, options: RenderOptions,
             context: Mapping[str, Any], case_id: str | None, subtitle: str,
             lang: Language = ENGLISH) -> Prepared:
    """Render ``template`` and wrap it with metadata; ``subtitle`` is escaped Markdown."""
    dirs = template_dirs(caseload)
    body, exported = _render_template(dirs, template + TEMPLATE_SUFFIX, context)
    default_title = DEFAULT_TITLES.get(template)
    title = str(exported.get("title")
                or (lang.gettext(default_title) if default_title else template.capitalize()))
    subtitle = str(exported.get("subtitle") or subtitle)
    header = _report_header(caseload, options, lang)
    plain_title = markdown_unescape(title)
    reader = lang.gettext(AUDIENCE_WORDS[options.audience])
    meta = _page_meta(lang, plain_title, markdown_unescape(subtitle), header["organisation"],
                      options, lang.gettext("Confidential: prepared for %(reader)s")
                      % {"reader": reader})
    # Pandoc reads metadata values as Markdown: they stay escaped like the body.
    metadata = {
        "title": title, "subtitle": subtitle,
        "organisation": markdown_escape(header["organisation"]),
        "date": options.today.isoformat(), "lang": header["lang"],
        "template": template, "audience": options.audience,
    }
    if case_id is not None:
        metadata["learner"] = case_id
    return Prepared(case_id, _tidy(body), meta, metadata)


def _sections(body: str) -> list[str]:
    """A report body cut before each level-2 heading (the first piece is the preamble)."""
    return re.split(r"(?m)^(?=## )", body)


def bilingual(versions: Sequence[tuple[Language, Prepared]], options: RenderOptions) -> Prepared:
    """One report in two languages: each section in the family's language, then the team's.

    The texts of the report are translated; what the team wrote in the records (goals,
    actions, notes) appears as written in both, and the footer says so.
    """
    (first, one), (second, other) = versions
    ours, theirs = _sections(one.body), _sections(other.body)
    if len(ours) != len(theirs):  # a custom template may differ by language: whole reports
        ours, theirs = [one.body], [other.body]
    parts: list[str] = []
    for mine, yours in zip(ours, theirs, strict=True):
        for lang, text in ((first, mine), (second, yours)):
            if text.strip():
                parts.append(language_part(lang.tag, "rtl" if lang.rtl else "ltr", text))
    note = [lang.gettext("Text written by the team is shown as written, not translated.")
            for lang, _ in versions]
    title = f"{one.meta.title} / {other.meta.title}"
    meta = dataclasses.replace(
        one.meta, title=title,
        footer=f"{one.meta.footer} · {note[0]} {second.isolate(note[1])}",
    )
    metadata = {**one.metadata, "title": markdown_escape(title),
                "lang": f"{first.tag}+{second.tag}"}
    return Prepared(one.case_id, "\n".join(parts), meta, metadata)


def _check_settings(caseload: Caseload) -> None:
    """Refuse every report while pathway.yaml is broken.

    pathway.yaml says which sections each audience may see; falling back to the defaults
    could show a guardian or an employer more than the team decided.
    """
    loaded = caseload.settings_file
    if loaded is None or loaded.model is not None:
        return
    first = next((f for f in loaded.source.findings if f.is_error), None)
    detail = ""
    if first is not None:
        placed = loaded.source.place(first)
        detail = f" (line {placed.line or 1}: {placed.message})"
    raise UserError(
        f"{loaded.path} has errors{detail}; no report is made while it is broken, because it "
        "says what each audience may see",
        hint=f"run: pathway validate {loaded.path}",
    )


def _check_template_name(name: str) -> None:
    if not re.fullmatch(ID_PATTERN, name) or name.startswith("_"):
        raise UserError(f"'{name}' is not a template name (use a name such as plan or case)")


def _check_case(caseload: Caseload, case: Case, options: RenderOptions) -> None:
    """Refuse a report that may not or cannot be made: validity, consent, sections, data.

    Validity is taken from the cache of checked cases where it knows the case is free of
    errors today; otherwise the error rules run here.
    """
    errors: list[Finding] = []
    if not free_of_errors(caseload, case, options.today):
        findings = case_findings(case, Context(caseload.settings, caseload.mentors,
                                               options.today), errors_only=True)
        errors = [f for f in findings if f.is_error]
    if errors or case.learner is None:
        detail = f" (first: {_where(case, errors[0])}: {errors[0].message})" if errors else ""
        count = len(errors) or 1
        raise CaseInvalid(
            f"{case.id}: {count} error{'s' if count != 1 else ''} in the records{detail}; "
            "reports are made from valid records only",
            hint=f"run: pathway validate {case.folder}",
        )
    check_consent(case, options.audience, options.today)
    template = options.template
    needed = TEMPLATE_SECTIONS.get(template, ())
    sections = allowed_sections(caseload.settings, options.audience)
    if needed and not sections.intersection(needed):
        raise AudienceRefused(
            f"the {template} report shows {' or '.join(dict.fromkeys(needed))}, which "
            f"pathway.yaml (audiences.{options.audience}) does not give to the "
            f"{options.audience}"
        )
    if template == "plan" and case.plan is None:
        raise ReportUnavailable(f"{case.id}: there is no plan yet (plan.yaml)")
    if template == "contract" and case.contract is None:
        raise ReportUnavailable(f"{case.id}: there is no contract yet (contract.yaml)")
    if template == "review":
        if not case.reviews:
            raise ReportUnavailable(f"{case.id}: there is no review yet (reviews/)")
        if options.review_date is not None and not any(
            r.date == options.review_date for r in case.reviews
        ):
            raise ReportUnavailable(
                f"{case.id}: there is no review on {options.review_date.isoformat()} "
                f"(reviews: {', '.join(r.date.isoformat() for r in case.reviews)})"
            )
    if template == "progress" and case.plan is None and not case.reviews:
        raise ReportUnavailable(f"{case.id}: there is no plan and no review to report on yet")


def _where(case: Case, finding: Finding) -> str:
    """``plan.yaml:12`` (the file within the case, and the line where known)."""
    placed = finding
    for loaded in case.files():
        if loaded.path == finding.file:
            placed = loaded.source.place(finding)
    try:
        name = placed.file.relative_to(case.folder).as_posix()
    except ValueError:
        name = placed.file.name
    return f"{name}:{placed.line}" if placed.line else name


def prepare_case(caseload: Caseload, case: Case, options: RenderOptions) -> Prepared:
    """Check and render one case's report to Markdown (raises UserError when refused)."""
    _check_template_name(options.template)
    _check_settings(caseload)
    if options.template in CASELOAD_TEMPLATES:
        raise UserError(
            f"the {options.template} template reports on the whole caseload, not on one case"
        )
    _check_case(caseload, case, options)
    langs = report_languages(caseload, case, options)
    learner = case.learner
    subtitle = markdown_escape(f"{learner.name} ({case.id})" if learner else case.id)
    versions = [_prepare(caseload, options.template, options,
                         case_context(caseload, case, options, lang), case.id, subtitle, lang)
                for lang in langs]
    if len(versions) == 1:
        return versions[0]
    return bilingual(list(zip(langs, versions, strict=True)), options)


def prepare_report(caseload: Caseload, options: RenderOptions, context: Mapping[str, Any],
                   subtitle: str) -> Prepared:
    """A caseload-wide report from data its caller built (the evaluation): the data is
    escaped for Markdown and ``report`` (organisation, audience, date) is added."""
    _check_template_name(options.template)
    _check_settings(caseload)
    # The evaluation's template and its figures' labels are English.
    data = escape_tree({"report": _report_header(caseload, options, ENGLISH), **context})
    return _prepare(caseload, options.template, options,
                    {**_language_context(ENGLISH), **data}, None, markdown_escape(subtitle),
                    ENGLISH)

"""Reports: from a case to Markdown, HTML and PDF, one case or a whole caseload.

The pipeline for one report:

1. consent and validity are checked (a refused report writes nothing);
2. ``redaction.redact_case`` turns the case into plain data holding only what the
   audience may see; nothing else reaches a template;
3. report data is derived from that view (names, goal history, achievements, open
   actions, who signs) and every string is escaped for Markdown, so learner text can
   never become Markdown, HTML or table syntax whatever a template does with it;
4. a Jinja template (``templates/<name>.md.j2``; a caseload's own ``templates/``
   folder comes first) renders the Markdown body in a sandbox with strict undefined;
5. a YAML metadata block (title, organisation, date, lang) makes it pandoc-ready;
   HTML and PDF are typeset from that Markdown (``typesetting``).

Errors in a template come back as ``TemplateProblem`` naming the template and line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import multiprocessing
import os
import re
import stat
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context as JinjaContext
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from pathway_cli.actions import latest_mentions
from pathway_cli.caseload import Case, Caseload
from pathway_cli.errors import UserError
from pathway_cli.findings import Finding
from pathway_cli.i18n import (
    N_,
    Language,
    UnknownLanguage,
    gettext_callables,
    language,
    language_problem,
    parse_languages,
)
from pathway_cli.models import ID_PATTERN, Audience
from pathway_cli.parallel import CHUNKS_PER_WORKER, worker_count
from pathway_cli.plaintext import strip_controls
from pathway_cli.privacy import known_parties
from pathway_cli.redaction import (
    PLAN_SECTIONS,
    ConsentRefused,
    allowed_sections,
    check_consent,
    consent_problem,
    redact_case,
)
from pathway_cli.terms import OutputFormat
from pathway_cli.typesetting import (
    PageMeta,
    PdfWorkers,
    TypesetError,
    html_sections,
    language_part,
    pdf_report,
)
from pathway_cli.validation import Context, case_findings
from pathway_cli.writer import atomic_write, ensure_inside, refuse_record_area, sync_folder

__all__ = [
    "BUILTIN_TEMPLATES",
    "BatchResult",
    "CaseInvalid",
    "Outcome",
    "OutputFormat",
    "RenderOptions",
    "ReportUnavailable",
    "TemplateProblem",
    "assets_for",
    "available_templates",
    "case_context",
    "escape_tree",
    "finish",
    "long_date",
    "markdown_escape",
    "prepare_case",
    "prepare_caseload",
    "prepare_report",
    "render_batch",
    "render_case",
    "render_caseload_report",
    "report_file_name",
    "select_cases",
    "template_environment",
    "templates_at",
    "write_report",
]

BUILTIN_DIR = Path(str(resources.files("pathway_cli.templates")))
TEMPLATE_SUFFIX = ".md.j2"
CSS_FILE = "report.css"
TYPST_FILE = "report.typ"
PAGE_TEMPLATE = "page.html.j2"
FONTS_DIR = "fonts"

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


# --- Markdown escaping -------------------------------------------------------------------

_ALWAYS = re.compile(r"[\\`*\[\]<|~$^]")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MENTION = re.compile(r"(^|\s)@")
_LINE_START = re.compile(r"^([#>+=:-])")
_NUMBERED = re.compile(r"^(\d+)([.)])")


@lru_cache(maxsize=8192)
def markdown_escape(text: str) -> str:
    """Text as Markdown that shows exactly that text (CommonMark, GFM tables, pandoc).

    Each line is stripped (indentation would make a code block), characters with a
    meaning anywhere are backslash-escaped, and so are those that mean something at the
    start of a line. A ``_`` inside a word and an ``@`` inside an address stay as they are.
    Control characters (an escape sequence in a record) are left out.
    """
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.strip().split("\n")
    out = []
    for raw in lines:
        line = _ALWAYS.sub(r"\\\g<0>", raw.strip())
        line = _UNDERSCORE.sub(r"\\_", line)
        line = _ENTITY.sub(r"\\&", line)
        line = _MENTION.sub(r"\1\\@", line)
        line = _LINE_START.sub(r"\\\1", line)
        line = _NUMBERED.sub(r"\1\\\2", line)
        out.append(line)
    return "\n".join(out)


def markdown_unescape(text: str) -> str:
    """Plain text from escaped Markdown text (for HTML titles and PDF metadata)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


_PLAIN_KEY = re.compile(r"\w+")


def escape_tree(value: Any) -> Any:
    """Every string in nested data escaped for Markdown; other values as they are.

    Keys are escaped too, except word-like keys (``with_``, ``name_native``), which
    templates look up by name and which cannot carry Markdown syntax.
    """
    if isinstance(value, str):
        return markdown_escape(value)
    if type(value) is dict or isinstance(value, Mapping):  # the exact type is the quick test
        return {_escape_key(k): escape_tree(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [escape_tree(v) for v in value]
    return value


@lru_cache(maxsize=4096)
def _escape_key(key: Any) -> Any:
    """A mapping key as escape_tree writes it (the same few keys come back thousands of
    times in a batch)."""
    return key if not isinstance(key, str) or _PLAIN_KEY.fullmatch(key) else markdown_escape(key)


# --- the template environment ------------------------------------------------------------


def template_dirs(caseload: Caseload | None) -> tuple[Path, ...]:
    """Where templates are looked up: the caseload's own templates/ first, then built-ins."""
    dirs: list[Path] = []
    if caseload is not None and caseload.root is not None:
        own = caseload.root / "templates"
        if own.is_dir():
            dirs.append(_confined_templates(own, caseload.root))
    dirs.append(BUILTIN_DIR)
    return tuple(dirs)


_MAX_TEMPLATE_ENTRIES = 10_000


def _confined_templates(folder: Path, root: Path) -> Path:
    """The caseload's templates/ folder, refused when it reaches outside itself.

    Templates, imports, includes, report.css, report.typ and fonts are read from it by
    name, so a link in it to a record (``_leak.md.j2`` -> a review) or to any file
    (``report.css`` -> /etc/hostname) would put that file into a report. Every entry
    must be a plain file or folder inside the folder after resolving links, and the
    folder itself must not be (or hold) the records.
    """
    resolved = folder.resolve()
    base = root.resolve()
    if resolved == base or resolved in base.parents or (base / "cases").resolve() in (
        resolved, *resolved.parents
    ):
        raise TemplateProblem(f"{folder} leads to {resolved}, which holds the records; "
                              "templates/ must be a folder of templates only")
    seen = 0
    for current, folders, files in os.walk(resolved):
        for name in [*folders, *files]:
            seen += 1
            if seen > _MAX_TEMPLATE_ENTRIES:
                raise TemplateProblem(f"{folder} holds more than {_MAX_TEMPLATE_ENTRIES:,} "
                                      "files; keep only the templates there")
            _check_template_entry(Path(current) / name, resolved, folder)
    return resolved


def _check_template_entry(path: Path, resolved: Path, folder: Path) -> None:
    shown = folder / path.relative_to(resolved)
    hint = "replace the link by a copy of the file, or remove it"
    try:
        target = path.resolve(strict=True)
        mode = target.stat().st_mode
    except (OSError, RuntimeError):
        raise TemplateProblem(f"{shown} is a broken or looping link", hint=hint) from None
    if target != resolved and resolved not in target.parents:
        raise TemplateProblem(
            f"{shown} is a link to {target}, outside templates/; template files must be "
            "plain files inside templates/", hint=hint)
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise TemplateProblem(f"{shown} is not a plain file (a device or a pipe)", hint=hint)


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
    found = ctx.get("language")
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
    return _BREAKING_SPACE.sub(" ", str(value)).strip(" ")


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


# A report is a few pages: a template that multiplies text or raises numbers to huge
# powers is a mistake or an attack, and would otherwise run until memory runs out.
_MAX_REPEAT = 10_000
_MAX_EXPONENT = 1_000


class _ReportSandbox(SandboxedEnvironment):
    """Jinja's sandbox, which also bounds ``*`` on text and lists and ``**`` on numbers."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: JinjaContext, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (isinstance(seq, str | list | tuple) and isinstance(times, int)
                        and times * max(len(seq), 1) > _MAX_REPEAT * 100):
                    raise SecurityError(
                        f"repeating a text or list {times:,} times makes no report"
                    )
        if operator == "**" and isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"a power of {right:,} makes no report")
        return super().call_binop(context, operator, left, right)


@cache
def template_environment(dirs: tuple[Path, ...]) -> SandboxedEnvironment:
    """The one Jinja environment for a template search path (cached).

    Sandboxed, because a caseload's own templates are code the tool did not write:
    a template cannot reach Python internals (``lipsum.__globals__`` and the like).
    Strict undefined, so a misspelt name is an error rather than an empty string.
    HTML templates autoescape; Markdown templates get their data escaped beforehand.
    """
    env = _ReportSandbox(
        loader=FileSystemLoader([str(d) for d in dirs]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"),
                                     default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    # gettext and ngettext come with each report's data (its language); {% trans %} blocks
    # are trimmed so a msgid is one line whatever the template's layout.
    env.policies["ext.i18n.trimmed"] = True
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    # tojson for a template's own debugging or data export: dates as ISO strings.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False,
                                         "default": _iso}
    env.filters.update({
        "date": _iso,
        "long_date": _long_date,
        "pct": _pct,
        "dash": _dash,
        "cell": _isolated_line,
        "oneline": _isolated_line,
        "quote": _quote,
        "words": _words_in,
        "term": _term,
        "listing": _listing,
        "capital": _capital,
        "who": _who,
    })
    return env


def available_templates(caseload: Caseload | None) -> list[str]:
    """Names of the report templates a caseload can use (built-in and its own)."""
    return _template_names(template_dirs(caseload))


def templates_at(root: Path | None) -> list[str]:
    """Names of the report templates of the caseload at ``root`` (built-in and its own)."""
    own = root / "templates" if root is not None else None
    return _template_names((own, BUILTIN_DIR) if own is not None and own.is_dir()
                           else (BUILTIN_DIR,))


def _template_names(dirs: Sequence[Path]) -> list[str]:
    names = set(BUILTIN_TEMPLATES)
    for folder in dirs:
        for path in folder.glob(f"*{TEMPLATE_SUFFIX}"):
            if not path.name.startswith("_"):
                names.add(path.name.removesuffix(TEMPLATE_SUFFIX))
    return sorted(names)


def _template_location(filename: str | None, dirs: Sequence[Path]) -> str:
    if not filename:
        return "template"
    path = Path(filename)
    if BUILTIN_DIR in path.parents:
        return f"built-in template {path.name}"
    for folder in dirs:
        if folder in path.resolve().parents:
            return f"{folder.name}/{path.relative_to(folder)}"
    return str(path)


def _template_problem(exc: BaseException, name: str,
                      dirs: Sequence[Path]) -> TemplateProblem | None:
    """The error as a message naming template and line; None when no template raised it."""
    filename: str | None = None
    line: int | None = None
    if isinstance(exc, TemplateSyntaxError):
        filename, line = exc.filename, exc.lineno
    else:
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            code_file = frame.f_code.co_filename
            if code_file.endswith(".j2"):
                filename, line = code_file, lineno
    if line is None and not isinstance(exc, TemplateError):
        return None
    where = _template_location(filename or name, dirs)
    if line is not None:
        where = f"{where}, line {line}"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return TemplateProblem(
        f"{where}: {message}",
        hint="fix the template, or remove it from the caseload's templates/ folder "
        "to use the built-in one",
    )


def _render_template(dirs: tuple[Path, ...], name: str,
                     context: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """Render ``name``; return the text and the template's top-level ``set`` variables."""
    env = template_environment(dirs)
    try:
        template = env.get_template(name)
        try:
            module = template.make_module(dict(context))
        except Exception:
            # make_module, unlike render, leaves Python line numbers in the traceback;
            # this re-raises the error with the template's own lines.
            env.handle_exception()
    except TemplateNotFound as exc:
        if exc.name != name:  # the template imports or includes a file that is not there
            raise _template_problem(exc, name, dirs) or TemplateProblem(str(exc)) from None
        raise TemplateProblem(
            f"no template named '{name.removesuffix(TEMPLATE_SUFFIX)}' (templates: "
            f"{', '.join(_template_names(dirs))}; a caseload adds its own as "
            f"templates/<name>{TEMPLATE_SUFFIX})"
        ) from None
    except UnicodeDecodeError:
        raise TemplateProblem(
            f"{_template_location(name, dirs)}: a template (or a file it imports) is not "
            "saved as UTF-8 text; save it again as UTF-8"
        ) from None
    except Exception as exc:  # a template can raise anything: report where, not a traceback
        problem = _template_problem(exc, name, dirs)
        if problem is None:
            raise
        raise problem from None
    exported = {key: getattr(module, key) for key in ("title", "subtitle")
                if hasattr(module, key)}
    return str(module), exported


# --- report data -------------------------------------------------------------------------


def _goal_history(goal_id: str, reviews: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    history = []
    for review in reviews:
        entry = review["goals"].get(goal_id)
        if entry is not None:
            history.append({"date": review["date"], **entry})
    return history


def _credentials(view: Mapping[str, Any], earned: Set[str]) -> list[dict[str, Any]]:
    """The credentials earned: of the goals in ``earned`` and of hidden skills."""
    found: list[dict[str, Any]] = []
    plan = view["plan"]
    if plan is not None:
        for goal in plan["goals"]:
            if goal["credential"] is not None and goal["id"] in earned:
                found.append({**goal["credential"], "for": goal["goal"], "goal": goal["id"]})
    assessment = view["assessment"]
    if assessment is not None:
        for skill in assessment["hidden_skills"]:
            if skill["credential"] is not None:
                found.append({**skill["credential"], "for": skill["skill"], "goal": None})
    return sorted(found, key=lambda c: (c["date"], c["name"]))


def _signatories(view: Mapping[str, Any], people: Mapping[str, Mapping[str, Any]],
                 template: str) -> list[dict[str, Any]]:
    """Who signs this document: learner and provider always; guardian and employer when
    they are part of the case. Signatures already on the contract are filled in."""
    learner = view["learner"]
    consent = learner.get("consent") or {}
    processing = consent.get("data_processing") or {}
    team = learner.get("team") or []
    key_worker = people.get(learner.get("key_worker") or "")
    programme = learner.get("programme") or {}
    rows: list[dict[str, Any]] = [
        {"party": "learner", "label": N_("Learner"), "name": learner["name"]},
        {"party": "provider",
         "label": N_("Key worker") if template == "plan" else N_("For the provider"),
         "name": key_worker["name"] if key_worker else programme.get("provider")},
    ]
    parent = next((m for m in team if m["role"] in ("parent", "guardian")), None)
    if processing.get("by") == "guardian" or (template == "contract" and parent):
        rows.append({"party": "guardian", "label": N_("Parent or guardian"),
                     "name": parent["name"] if parent else None})
    employer = next((m for m in team if m["role"] == "employer"), None)
    if template == "contract" and employer is not None:
        rows.append({"party": "employer", "label": N_("Employer"), "name": employer["name"]})
    contract = view["contract"] if template == "contract" else None
    signed = {s["party"]: s for s in (contract or {}).get("signatures", [])}
    for row in rows:
        signature = signed.pop(row["party"], None)
        row["date"] = signature["date"] if signature else None
        if signature:
            row["name"] = signature["name"]
    for party, signature in signed.items():
        rows.append({"party": party, "label": party.capitalize(), "name": signature["name"],
                     "date": signature["date"]})
    parties = known_parties(view["audience"])
    return [row for row in rows if row["party"] in parties]


def report_languages(caseload: Caseload, case: Case | None,
                     options: RenderOptions) -> tuple[Language, ...]:
    """The language(s) of a report: ``--lang``, else the learner's ``report_language`` (for
    the learner and guardian), else the team's ``locale``. Two for a bilingual report."""
    wanted = options.lang
    learner = case.learner if case is not None else None
    if wanted is None and learner is not None and learner.report_language \
            and options.audience in ("learner", "guardian"):
        # The family's language where this report is translated into it; else the team's.
        with contextlib.suppress(UnknownLanguage):
            own = parse_languages(learner.report_language)
            if all(lang.covers(options.template) for lang in own) and (
                    len(own) == 1 or options.template in FAMILY_REPORTS):
                wanted = learner.report_language
    if wanted is None:
        wanted = caseload.settings.locale
    try:
        langs = parse_languages(wanted)
    except UnknownLanguage:
        raise UserError(language_problem(wanted, pair=True)
                        or f"'{wanted}' is not a report language",
                        hint="set locale in pathway.yaml, report_language in learner.yaml "
                        "or --lang to one of these") from None
    if len(langs) > 1 and options.template not in FAMILY_REPORTS:
        raise UserError(f"the {options.template} report is not made in two languages "
                        f"(bilingual reports: {', '.join(sorted(FAMILY_REPORTS))})")
    for lang in langs:
        if not lang.covers(options.template):
            covered = ", ".join(sorted(lang.reports or ())) or "none yet"
            raise UserError(f"the {options.template} report is not translated into "
                            f"{lang.name} ({lang.code}) yet (reports in {lang.name}: "
                            f"{covered})")
    return langs


def _report_header(caseload: Caseload, options: RenderOptions,
                   lang: Language) -> dict[str, Any]:
    settings = caseload.settings
    return {
        "template": options.template,
        "audience": options.audience,
        "audience_words": lang.gettext(AUDIENCE_WORDS[options.audience]),
        "date": options.today,
        "organisation": settings.organisation or "",
        "lang": lang.tag,
    }


def _language_context(lang: Language) -> dict[str, Any]:
    """What a template needs to speak ``lang``: its gettext and the language itself."""
    return {"language": lang, **gettext_callables(lang)}


def case_context(caseload: Caseload, case: Case, options: RenderOptions,
                 lang: Language = ENGLISH) -> dict[str, Any]:
    """What a per-case template is given: the redacted view and data derived from it.

    Every string is Markdown-escaped; dates stay dates (format them with the ``date``
    and ``long_date`` filters). The view is escaped first and everything derived from
    it: ids and dates are compared escaped on both sides.
    """
    view = escape_tree(redact_case(case, caseload.settings, options.audience))
    learner = view["learner"]
    learner["display_name"] = learner.get("preferred_name") or learner["name"]
    people = {m["id"]: m for m in (learner.get("team") or [])}
    reviews = view["reviews"]
    goals = []
    plan = view["plan"]
    # The one rule for "earned" (Goal.earned_credential), on the record; ids are escaped
    # in the view, so they are compared escaped.
    earned = {escape_tree(g.id) for g in (case.plan.goals if case.plan else ())
              if g.earned_credential(options.today) is not None}
    for goal in (plan["goals"] if plan else []):
        history = _goal_history(goal["id"], reviews)
        goals.append({**goal, "history": history, "credential_earned": goal["id"] in earned})
    # Each action once, as its latest mention has it (a review may carry it over).
    open_actions = [
        {**action, "overdue": action["due"] is not None and action["due"] < options.today}
        for action in latest_mentions(reviews) if not action["done"]
    ]
    review = _pick_review(reviews, options.review_date) if reviews else None
    latest = reviews[-1] if reviews else None
    return {
        **_language_context(lang),
        "report": {**escape_tree(_report_header(caseload, options, lang)),
                   "withheld": [lang.gettext(w) for w in view["withheld"]],
                   "sections": view["sections"]},
        "learner": learner,
        "key_worker": people.get(learner.get("key_worker") or ""),
        "people": people,
        "assessment": view["assessment"],
        "plan": plan,
        "goals": goals,
        "achieved": [g for g in goals if g["status"] == "achieved"],
        "open_goals": [g for g in goals if g["status"] in ("planned", "in-progress", "at-risk")],
        "credentials": _credentials(view, earned),
        "contract": view["contract"],
        "reviews": reviews,
        "review": review,
        "latest_review": latest,
        "next_review": latest["next_review"] if latest else None,
        "open_actions": open_actions,
        "concerns": [{"date": r["date"], "concern": c} for r in reviews for c in r["concerns"]],
        "signatories": _signatories(view, people, options.template),
    }


def _pick_review(reviews: Sequence[dict[str, Any]], wanted: date | None) -> dict[str, Any]:
    if wanted is None:
        return reviews[-1]
    matching = [r for r in reviews if r["date"] == wanted]
    if not matching:
        dates = ", ".join(r["date"].isoformat() for r in reviews)
        raise ReportUnavailable(f"there is no review on {wanted.isoformat()} (reviews: {dates})")
    return matching[-1]


# --- one report --------------------------------------------------------------------------


@dataclass(frozen=True)
class Assets:
    """The page design files of a caseload (its own, or the built-in ones)."""

    dirs: tuple[Path, ...]
    css: str
    typst: str
    typst_root: Path
    font_dirs: tuple[Path, ...]


def _find(dirs: Sequence[Path], name: str) -> Path:
    for folder in dirs:
        if (folder / name).is_file():
            return folder / name
    return BUILTIN_DIR / name


@cache
def _assets(dirs: tuple[Path, ...]) -> Assets:
    typst_file = _find(dirs, TYPST_FILE)
    fonts = tuple(d / FONTS_DIR for d in dirs if (d / FONTS_DIR).is_dir())
    return Assets(dirs, _read_design(_find(dirs, CSS_FILE)), _read_design(typst_file),
                  typst_file.parent, fonts)


def _read_design(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError:
        raise TemplateProblem(f"{path} is not saved as UTF-8 text; save it again as UTF-8") \
            from None


def assets_for(caseload: Caseload | None) -> Assets:
    """The page design files the caseload's reports use."""
    return _assets(template_dirs(caseload))


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
    """Refuse a report that may not or cannot be made: validity, consent, sections, data."""
    findings = case_findings(case, Context(caseload.settings, caseload.mentors, options.today))
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


def finish(prepared: Prepared, fmt: OutputFormat, assets: Assets,
           images: Mapping[str, str] | None = None) -> bytes:
    """The bytes of the report file in ``fmt``; ``images`` are SVG documents that
    Markdown images with those sources (``chart:name``) show in HTML and PDF."""
    if fmt is OutputFormat.md:
        return prepared.markdown.encode("utf-8")
    if fmt is OutputFormat.html:
        return _html_page(prepared, assets, images).encode("utf-8")
    try:
        return pdf_report(prepared.meta, assets.typst, prepared.body, assets.typst_root,
                          assets.font_dirs, images)
    except TypesetError as exc:
        raise _typeset_problem(exc) from None


def _typeset_problem(exc: TypesetError) -> TemplateProblem:
    return TemplateProblem(f"{TYPST_FILE}: the PDF could not be made: {exc}")


def _html_page(prepared: Prepared, assets: Assets,
               images: Mapping[str, str] | None = None) -> str:
    env = template_environment(assets.dirs)
    meta = prepared.meta
    try:
        page = env.get_template(PAGE_TEMPLATE)
        return page.render(
            meta=meta,
            lang=prepared.metadata["lang"],
            css=Markup(assets.css),  # noqa: S704 - the caseload's own style sheet
            # markdown-it escapes text; images are SVG made by the charts module
            body=Markup(html_sections(prepared.body, images)),  # noqa: S704
        )
    except Exception as exc:
        problem = _template_problem(exc, PAGE_TEMPLATE, assets.dirs)
        if problem is None:
            raise
        raise problem from None


def render_case(caseload: Caseload, case: Case, options: RenderOptions) -> bytes:
    """One case's report as file bytes; raises UserError when it is refused."""
    prepared = prepare_case(caseload, case, options)
    return finish(prepared, options.fmt, assets_for(caseload))


def report_file_name(case_id: str | None, template: str, audience: str,
                     fmt: OutputFormat) -> str:
    """``<id>-<template>-<audience>.<ext>`` (``<template>-<audience>.<ext>`` for a caseload)."""
    stem = f"{template}-{audience}" if case_id is None else f"{case_id}-{template}-{audience}"
    return f"{stem}.{fmt.value}"


# --- the caseload report -----------------------------------------------------------------


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


# --- batch -------------------------------------------------------------------------------

Kind = Literal["written", "invalid", "consent", "audience", "template", "unavailable"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one case in a batch."""

    case_id: str
    name: str
    status: str
    kind: Kind
    path: Path | None = None
    reason: str | None = None

    @property
    def written(self) -> bool:
        """True when the report was written."""
        return self.kind == "written"


@dataclass
class BatchResult:
    """Every case of a batch, in id order, and the index file."""

    outcomes: list[Outcome] = field(default_factory=list)
    index: Path | None = None

    @property
    def written(self) -> list[Outcome]:
        """Cases whose report was written."""
        return [o for o in self.outcomes if o.written]

    @property
    def skipped(self) -> list[Outcome]:
        """Cases skipped: invalid records, no consent, nothing to report."""
        return [o for o in self.outcomes if not o.written]


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot make the output folder {folder}: {exc.strerror}") from None


def write_report(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write one report file atomically; a failing disk is a message, not a traceback."""
    _make_folder(path.parent)
    try:
        atomic_write(path, data, durable=durable)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def select_cases(caseload: Caseload, statuses: Iterable[str]) -> list[Case]:
    """Cases whose status is in ``statuses`` ("all" for every one), in id order.

    A case whose learner.yaml cannot be read is kept, so the batch reports it.
    """
    wanted = set(statuses)
    every = "all" in wanted
    return sorted(
        (c for c in caseload.cases
         if every or c.learner is None or c.learner.status in wanted),
        key=lambda c: c.id,
    )


def _skip(case: Case, error: UserError) -> Outcome:
    kind: Kind = "unavailable"
    if isinstance(error, CaseInvalid):
        kind = "invalid"
    elif isinstance(error, ConsentRefused):
        kind = "consent"
    elif isinstance(error, AudienceRefused):
        kind = "audience"
    elif isinstance(error, TemplateProblem):
        kind = "template"
    learner = case.learner
    reason = error.message.removeprefix(f"{case.id}: ")
    return Outcome(case.id, learner.name if learner else "", learner.status if learner else "",
                   kind, reason=reason)


def _workers(jobs: int | None) -> int:
    return max(1, jobs if jobs is not None else (os.cpu_count() or 1))


# What forked workers of a Markdown or HTML batch render from: set before the fork.
_BATCH: dict[str, Any] = {}


def _text_workers(cases: int, jobs: int | None) -> int:
    """Processes for a Markdown or HTML batch: as for validate (``parallel.worker_count``),
    where the system can fork (the workers use the parent's loaded cases, not a copy)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return worker_count(cases, jobs)


def _render_text_chunk(indices: range) -> list[tuple[str, Any]]:
    """In a worker: the reports of ``cases[indices]`` as (kind, value), in order."""
    caseload, cases, options, assets = _BATCH["batch"]
    done: list[tuple[str, Any]] = []
    for index in indices:
        case = cases[index]
        try:
            done.append(("written",
                         finish(prepare_case(caseload, case, options), options.fmt, assets)))
        except TemplateProblem as problem:
            done.append(("template", (problem.message, problem.hint)))
            break
        except UserError as error:
            done.append(("skipped", _skip(case, error)))
    return done


def _text_reports(caseload: Caseload, cases: Sequence[Case], options: RenderOptions,
                  assets: Assets, workers: int) -> Iterator[tuple[Case, str, Any]]:
    """(case, kind, value) for each case in order: its report's bytes ("written"), its
    Outcome ("skipped") or a broken template's message and hint ("template"), made in
    ``workers`` forked processes, a few chunks each so that no core waits for another."""
    count = min(len(cases), workers * CHUNKS_PER_WORKER)
    size, extra = divmod(len(cases), count)
    bounds = [0]
    for index in range(count):
        bounds.append(bounds[-1] + size + (1 if index < extra else 0))
    chunks = [range(start, end) for start, end in itertools.pairwise(bounds)]
    _BATCH["batch"] = (caseload, cases, options, assets)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        futures = [pool.submit(_render_text_chunk, chunk) for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            for index, (kind, value) in zip(chunk, future.result(), strict=False):
                yield cases[index], kind, value
    finally:
        pool.shutdown(cancel_futures=True)
        _BATCH.clear()


def render_batch(
    caseload: Caseload,
    cases: Sequence[Case],
    options: RenderOptions,
    out_dir: Path,
    *,
    jobs: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Render ``cases`` into ``out_dir`` as ``<id>-<template>-<audience>.<ext>``, plus an index.

    A case that is invalid, lacks consent or has nothing to report is skipped and the
    batch goes on; a broken template stops it (every case would fail the same way).
    PDFs are compiled in ``jobs`` worker processes (default: one per core). Files are
    written atomically; the same records and date give the same bytes.
    """
    _check_template_name(options.template)
    _check_settings(caseload)
    unknown = language_problem(caseload.settings.locale)
    if options.lang is None and unknown is not None:  # every case would be refused alike
        raise UserError(f"pathway.yaml: locale: {unknown}",
                        hint="set locale in pathway.yaml to one of these, or give --lang")
    refuse_record_area(out_dir, caseload.root)
    _make_folder(out_dir)
    assets = assets_for(caseload)
    outcomes: dict[str, Outcome] = {}

    def record(outcome: Outcome) -> None:
        outcomes[outcome.case_id] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    def write(case: Case, data: bytes) -> None:
        path = ensure_inside(out_dir / report_file_name(case.id, options.template,
                                                        options.audience, options.fmt), out_dir)
        write_report(path, data, durable=False)  # one sync of the folder at the end
        learner = case.learner
        record(Outcome(case.id, learner.name if learner else "",
                       learner.status if learner else "", "written", path=path))

    if options.fmt is not OutputFormat.pdf and _text_workers(len(cases), jobs) > 1:
        for case, kind, value in _text_reports(caseload, cases, options, assets,
                                               _text_workers(len(cases), jobs)):
            if kind == "written":
                write(case, value)
            elif kind == "skipped":
                record(value)
            else:  # a broken template: every case would fail the same way
                raise TemplateProblem(value[0], hint=value[1])
        cases_done: Sequence[Case] = ()
    else:
        cases_done = cases
    workers = _workers(jobs)
    parallel = options.fmt is OutputFormat.pdf and workers > 1 and len(cases) > 1
    pool = PdfWorkers(min(workers, len(cases))) if parallel else None
    # Reports in flight, oldest first: written in submission order, at most a few per worker,
    # so the parent's work stays linear in the number of cases.
    pending: deque[tuple[Future[bytes], Case]] = deque()
    in_flight = 2 * workers
    try:
        for case in cases_done:
            try:
                ready = prepare_case(caseload, case, options)
            except TemplateProblem:
                raise
            except UserError as error:
                record(_skip(case, error))
                continue
            if pool is None:
                write(case, finish(ready, options.fmt, assets))
                continue
            future = pool.submit(ready.meta, assets.typst, ready.body, assets.typst_root,
                                 assets.font_dirs)
            pending.append((future, case))
            while len(pending) >= in_flight or (pending and pending[0][0].done()):
                done, done_case = pending.popleft()
                write(done_case, done.result())
        while pending:
            done, done_case = pending.popleft()
            write(done_case, done.result())
    except TypesetError as exc:
        raise _typeset_problem(exc) from None
    finally:
        if pool is not None:
            pool.close()
    result = BatchResult([outcomes[c.id] for c in sorted(cases, key=lambda c: c.id)
                          if c.id in outcomes])
    result.index = _write_index(caseload, options, out_dir, result)
    sync_folder(out_dir)
    return result


def _index_language(caseload: Caseload, options: RenderOptions) -> Language:
    """The index is the team's list: in the team's language (the last of ``uk+de``)."""
    for wanted in (options.lang, caseload.settings.locale):
        if wanted is not None:
            with contextlib.suppress(UnknownLanguage):
                return parse_languages(wanted)[-1]
    return ENGLISH


def _index_markdown(options: RenderOptions, result: BatchResult, lang: Language) -> str:
    template, audience = options.template, options.audience
    _ = lang.gettext
    report = _(REPORT_NAMES[template]) if template in REPORT_NAMES else template
    count = len(result.written)
    lines = [
        # A translation may name the report by its title (report) rather than its id.
        lang.ngettext("%(num)d %(template)s report for %(reader)s, %(date)s.",
                      "%(num)d %(template)s reports for %(reader)s, %(date)s.", count)
        % {"num": count, "template": template, "report": markdown_escape(report),
           "reader": markdown_escape(_(AUDIENCE_WORDS[audience])),
           "date": long_date(options.today, lang)},
        "",
    ]
    if result.written:
        columns = (_("Learner"), _("Name"), _("Status"), _("Report"))
        lines += ["| " + " | ".join(columns) + " |", "|---|---|---|---|"]
        for o in result.written:
            assert o.path is not None  # noqa: S101 - written outcomes have a path
            name = o.path.name
            lines.append(f"| {o.case_id} | {markdown_escape(o.name)} | {_(_words(o.status))} | "
                         f"[{markdown_escape(name)}]({name}) |")
        lines.append("")
    if result.skipped and audience != "team":
        # This folder goes to the guardian or employer: who was left out, and why (consent,
        # errors in the records), is the team's business. The details are on stderr.
        count = len(result.skipped)
        lines += [lang.ngettext("%(num)d other case was not rendered.",
                                "%(num)d other cases were not rendered.", count)
                  % {"num": count}, ""]
    elif result.skipped:
        skipped = (_("Learner"), _("Name"), _("Why"))
        lines += ["## " + _("Not rendered"), "", "| " + " | ".join(skipped) + " |",
                  "|---|---|---|"]
        for o in result.skipped:
            why = _oneline(markdown_escape(o.reason or o.kind))
            lines.append(f"| {o.case_id} | {markdown_escape(o.name)} | {why} |")
        lines.append("")
    return "\n".join(lines)


def _write_index(caseload: Caseload, options: RenderOptions, out_dir: Path,
                 result: BatchResult) -> Path:
    lang = _index_language(caseload, options)
    header = _report_header(caseload, options, lang)
    _ = lang.gettext
    report = _(REPORT_NAMES[options.template]) if options.template in REPORT_NAMES \
        else options.template
    title = _("Reports: %(template)s for the %(audience)s") % {
        "template": options.template, "audience": options.audience,
        "report": report, "reader": _(AUDIENCE_WORDS[options.audience])}
    meta = _page_meta(lang, title, header["organisation"], header["organisation"], options,
                      _("Confidential: list of reports"))
    prepared = Prepared(None, _index_markdown(options, result, lang), meta, {
        "title": title, "organisation": markdown_escape(header["organisation"]),
        "date": options.today.isoformat(), "lang": header["lang"],
        "template": options.template, "audience": options.audience,
    })
    fmt = OutputFormat.html if options.fmt is OutputFormat.html else OutputFormat.md
    path = ensure_inside(out_dir / f"index-{options.template}-{options.audience}.{fmt.value}",
                         out_dir)
    write_report(path, finish(prepared, fmt, assets_for(caseload)), durable=False)
    return path

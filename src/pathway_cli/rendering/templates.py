"""The template environment: where templates are found, and the sandbox they run in.

A caseload's own ``templates/`` folder comes before the built-in templates and is
confined to itself (no links out of it, no records in it). ``template_environment`` is
the one Jinja environment factory (sandboxed, strict undefined, autoescape for HTML);
an error in a template comes back as ``TemplateProblem`` naming the template and line.
"""

from __future__ import annotations

import os
import stat
import traceback
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

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

from pathway_cli.caseload import Caseload
from pathway_cli.i18n import is_report_gettext
from pathway_cli.locating import MAX_TEMPLATE_ENTRIES, TEMPLATE_SUFFIX, builtin_templates
from pathway_cli.rendering.filters import (
    _capital,
    _dash,
    _iso,
    _isolated_line,
    _listing,
    _long_date,
    _pct,
    _quote,
    _term,
    _who,
    _words_in,
)
from pathway_cli.rendering.options import BUILTIN_TEMPLATES, TemplateProblem

__all__ = [
    "available_templates",
    "template_environment",
    "templates_at",
]

BUILTIN_DIR = builtin_templates()


def template_dirs(caseload: Caseload | None) -> tuple[Path, ...]:
    """Where templates are looked up: the caseload's own templates/ first, then built-ins."""
    dirs: list[Path] = []
    if caseload is not None and caseload.root is not None:
        own = caseload.root / "templates"
        if own.is_dir():
            dirs.append(_confined_templates(own, caseload.root))
    dirs.append(BUILTIN_DIR)
    return tuple(dirs)



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
            if seen > MAX_TEMPLATE_ENTRIES:
                raise TemplateProblem(f"{folder} holds more than {MAX_TEMPLATE_ENTRIES:,} "
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

    def call(__self, __context: JinjaContext, __obj: Any,  # Jinja's names: any keyword passes
             *args: Any, **kwargs: Any) -> Any:
        """Call ``__obj`` from a template; ``_()``, pathway's own, said some sixty times a
        report, is called without the sandbox's checks, which it passes anyway."""
        if __obj is _translate:  # _translate's own test, without its frame and resolve's
            found = __context.resolve_or_missing("gettext")
            if is_report_gettext(found):
                return found(*args, **kwargs)
            return _translate(__context, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``learner.name``: a report's data is plain dicts, so the key, looked up first.

        Jinja tries the attribute first and takes the key after an AttributeError. A plain
        dict has no attribute but its type's, so for any other name the answer is the same
        without an exception raised and caught for each of the thousands of names a batch
        of reports shows.
        """
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


@pass_context
def _translate(context: JinjaContext, *args: Any, **kwargs: Any) -> Any:
    """``_()`` in a template, as Jinja's i18n alias, which calls ``gettext`` through the
    sandbox a second time: the report's own gettext (``i18n.gettext_callables``), safe
    and plain, is called directly, since a report says ``_()`` some sixty times. Any
    other ``gettext`` a template defines goes the sandbox's way."""
    found = context.resolve("gettext")
    if is_report_gettext(found):
        return found(*args, **kwargs)
    return context.call(found, *args, **kwargs)


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
    env.globals["_"] = _translate
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

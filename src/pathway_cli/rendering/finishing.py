"""Finishing a prepared report to its file: Markdown, an HTML page or a typeset PDF.

The page design (``report.css``, ``report.typ``, fonts) comes from the caseload's
``templates/`` folder or the built-in one; the PDF is typeset by ``typesetting``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup

from pathway_cli.caseload import Case, Caseload
from pathway_cli.rendering.options import OutputFormat, RenderOptions, TemplateProblem
from pathway_cli.rendering.preparing import Prepared, prepare_case
from pathway_cli.rendering.templates import (
    BUILTIN_DIR,
    _template_problem,
    template_dirs,
    template_environment,
)
from pathway_cli.typesetting import TypesetError, html_sections, pdf_report

__all__ = [
    "assets_for",
    "finish",
    "render_case",
]

CSS_FILE = "report.css"
TYPST_FILE = "report.typ"
PAGE_TEMPLATE = "page.html.j2"
FONTS_DIR = "fonts"


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



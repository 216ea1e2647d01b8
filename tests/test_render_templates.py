"""A caseload's own templates: overriding built-ins, running sandboxed, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TODAY, app

CASE = "cases/L-2026-002"


def _own_template(root: Path, name: str, text: str) -> Path:
    folder = root / "templates"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _render(runner: CliRunner, root: Path, *args: str) -> object:
    return runner.invoke(app, ["render", str(root / CASE), "--today", TODAY, *args])


def test_caseload_template_overrides_the_builtin_of_the_same_name(
    runner: CliRunner, sample: Path
) -> None:
    """templates/plan.md.j2 in the caseload replaces the built-in plan report."""
    _own_template(sample, "plan.md.j2",
                  '{% set title = "Förderplan" %}Plan für {{ learner.name }}: '
                  '{{ goals|length }} Ziele\n')
    result = _render(runner, sample, "--template", "plan")
    assert result.exit_code == 0, result.stderr
    assert 'title: "Förderplan"' in result.stdout
    assert "Plan für Łukasz Zieliński: 3 Ziele" in result.stdout


def test_caseload_can_add_a_template_of_its_own(runner: CliRunner, sample: Path) -> None:
    """A new name in templates/ is a new report, rendered like the built-ins."""
    _own_template(sample, "transfer.md.j2",
                  "## Transfer note\n\n{{ learner.display_name }} moves on "
                  "{{ report.date|long_date }}.\n")
    result = _render(runner, sample, "--template", "transfer", "--to", "html")
    assert result.exit_code == 0, result.stderr
    assert "<h2>Transfer note</h2>" in result.stdout
    assert "Łukasz moves on 23 November 2026." in result.stdout


def test_own_templates_can_use_the_builtin_macros(runner: CliRunner, sample: Path) -> None:
    """The shared macros (_macros.md.j2) are available to a caseload's templates."""
    _own_template(sample, "sign.md.j2",
                  '{% import "_macros.md.j2" as m with context %}'
                  "{{ m.signature_table(signatories) }}\n")
    result = _render(runner, sample, "--template", "sign")
    assert result.exit_code == 0, result.stderr
    assert "| Learner | Łukasz Zieliński |" in result.stdout


@pytest.mark.parametrize(
    "expression",
    [
        "{{ lipsum.__globals__['os'].popen('echo pwned').read() }}",
        "{{ cycler.__init__.__globals__.os.popen('echo pwned').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ learner.__class__.__init__.__globals__ }}",
    ],
)
def test_sandbox_refuses_to_reach_python_internals(
    runner: CliRunner, sample: Path, expression: str
) -> None:
    """A template cannot reach os or Python internals: clean error, exit 1, nothing run."""
    _own_template(sample, "evil.md.j2", f"line one\n{expression}\n")
    result = _render(runner, sample, "--template", "evil")
    assert result.exit_code == 1
    assert "pwned" not in result.stdout
    assert "templates/evil.md.j2, line 2" in result.stderr
    assert "unsafe" in result.stderr or "undefined" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_name_of_a_dict_method_still_gives_the_method(runner: CliRunner, sample: Path) -> None:
    """``x.items`` is the dict's method and ``x.name`` its key, as in Jinja; a key that is
    not there is a clear error naming it."""
    _own_template(sample, "keys.md.j2",
                  "{{ learner.name }}|{{ learner.items() | list | length > 3 }}|"
                  "{{ learner.get('id') }}\n")
    result = _render(runner, sample, "--template", "keys")
    assert result.exit_code == 0, result.stderr
    assert "Łukasz Zieliński|True|L-2026-002" in result.stdout
    _own_template(sample, "missing.md.j2", "one\n{{ learner.no_such_key }}\n")
    result = _render(runner, sample, "--template", "missing")
    assert result.exit_code == 1
    assert "templates/missing.md.j2, line 2" in result.stderr
    assert "no_such_key" in result.stderr


def test_underscore_calls_a_gettext_the_template_defines_through_the_sandbox(
    runner: CliRunner, sample: Path
) -> None:
    """``_()`` translates with the report's language; where a template names something else
    gettext, ``_()`` calls that instead, still inside the sandbox."""
    _own_template(sample, "words.md.j2", '{{ _("Learner") }}\n')
    result = _render(runner, sample, "--template", "words", "--lang", "de")
    assert result.exit_code == 0, result.stderr
    assert "Lernende Person" in result.stdout
    _own_template(sample, "own-words.md.j2",
                  '{% macro gettext(text) %}[{{ text }}]{% endmacro %}{{ _("Learner") }}\n')
    result = _render(runner, sample, "--template", "own-words")
    assert result.exit_code == 0, result.stderr
    assert "[Learner]" in result.stdout
    _own_template(sample, "evil-words.md.j2",
                  "{% set gettext = lipsum.__globals__ %}{{ _('x') }}\n")
    result = _render(runner, sample, "--template", "evil-words")
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


def test_template_syntax_error_names_template_and_line(runner: CliRunner, sample: Path) -> None:
    """A syntax error is reported as templates/NAME, line N, without a traceback."""
    _own_template(sample, "plan.md.j2", "one\ntwo\n{% if learner.name %}\nthree\n")
    result = _render(runner, sample, "--template", "plan")
    assert result.exit_code == 1
    assert "templates/plan.md.j2, line 4" in result.stderr
    assert "endif" in result.stderr
    assert "Traceback" not in result.stderr


def test_misspelt_name_in_template_is_an_error_not_an_empty_string(
    runner: CliRunner, sample: Path
) -> None:
    """Strict undefined: a misspelt variable names its line instead of printing nothing."""
    _own_template(sample, "plan.md.j2", "Hello\n\n{{ learner.nmae }}\n")
    result = _render(runner, sample, "--template", "plan")
    assert result.exit_code == 1
    assert "templates/plan.md.j2, line 3" in result.stderr
    assert "nmae" in result.stderr


def test_error_inside_an_imported_macro_names_the_macro_file(
    runner: CliRunner, sample: Path
) -> None:
    """An error raised in a macro file points at that file's line."""
    _own_template(sample, "_bits.md.j2", "{% macro boom(x) %}\n{{ x.missing }}\n{% endmacro %}\n")
    _own_template(sample, "plan.md.j2", '{% import "_bits.md.j2" as b %}{{ b.boom(learner) }}\n')
    result = _render(runner, sample, "--template", "plan")
    assert result.exit_code == 1
    assert "templates/_bits.md.j2, line 2" in result.stderr


def test_unknown_template_is_a_clear_error(runner: CliRunner, sample: Path) -> None:
    """Asking for a template that exists nowhere says so and lists where it looked."""
    result = _render(runner, sample, "--template", "nosuch")
    assert result.exit_code == 1
    assert "no template named 'nosuch'" in result.stderr


def test_template_name_cannot_leave_the_templates_folder(
    runner: CliRunner, sample: Path
) -> None:
    """A template name with a path in it is refused."""
    result = _render(runner, sample, "--template", "../pathway")
    assert result.exit_code == 1
    assert "not a template name" in result.stderr


def test_broken_typst_page_design_is_reported_cleanly(runner: CliRunner, sample: Path) -> None:
    """A caseload's report.typ that does not compile gives a message, not a traceback."""
    _own_template(sample, "report.typ", "#let x = (\n")
    result = _render(runner, sample, "--template", "plan", "--to", "pdf")
    assert result.exit_code == 1
    assert "report.typ: the PDF could not be made" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_page_design_stops_a_parallel_pdf_batch_cleanly(
    runner: CliRunner, sample: Path, tmp_path: Path
) -> None:
    """In a batch compiled by worker processes, a broken report.typ is one clear message."""
    _own_template(sample, "report.typ", "#set text(size: \"big\")\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["render", str(sample), "-t", "plan", "--to", "pdf", "-j", "2",
                                 "-o", str(out), "--today", TODAY])
    assert result.exit_code == 1
    assert "report.typ: the PDF could not be made" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(out.glob("*.pdf"))


def test_caseload_style_sheet_replaces_the_builtin_one(runner: CliRunner, sample: Path) -> None:
    """templates/report.css of the caseload is the style of its HTML reports."""
    _own_template(sample, "report.css", "body { color: rebeccapurple; }\n")
    result = _render(runner, sample, "--template", "plan", "--to", "html")
    assert result.exit_code == 0, result.stderr
    assert "rebeccapurple" in result.stdout
    assert "@page" not in result.stdout

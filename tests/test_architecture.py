"""The shape of the package: imports run one way, only cli/ uses the terminal, modules stay small.

Read from the source with ``ast``: nothing is imported, so a module's import side effects
(or a cycle that only shows at run time in some order) cannot hide a problem.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

SRC = REPO / "src"
PACKAGE = "pathway_cli"

# The terminal belongs to cli/: the core (records, checks, queries, reports, updates)
# returns values and raises the project's errors, and never prints or exits itself.
TERMINAL = ("typer", "rich", "click", f"{PACKAGE}.cli")
ENTRY_POINTS = frozenset({f"{PACKAGE}.__main__"})  # `python -m pathway_cli` runs the CLI

# Cycles there are, each with its reason. Any other cycle fails the test, and so does
# removing one of these without removing its entry.
ALLOWED_CYCLES = [
    # The lazy command group (registry) looks a command up on the app it belongs to when the
    # command is first run: an import inside a function; at import time only app -> registry.
    [f"{PACKAGE}.cli.app", f"{PACKAGE}.cli.registry"],
]

# A module longer than this holds more than one job: split it by stage into a subpackage
# (as rendering/, updates/, editing/ and validation/ were) before it grows further.
MAX_LINES = 700
# Modules already longer, each held to about its present length (lines) until it is split.
# An entry goes when its module is split; a module may not newly join the list.
OVERSIZE_ALLOWED = {
    f"{PACKAGE}.alerts": 940,
    f"{PACKAGE}.models": 900,
}


def module_files(src: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of ``package`` under ``src`` by its dotted name (a package by its own)."""
    found: dict[str, Path] = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import the module runs, at the top or inside a function; not those only
    type checkers read (``if TYPE_CHECKING:``), which never run."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_names(name: str, path: Path, modules: set[str]) -> set[str]:
    """The dotted names the module imports: ``from a.b import c`` is ``a.b.c`` when that is
    a module, else ``a.b``; relative imports are resolved against the module's package."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _imports(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = name.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            full = f"{base}.{alias.name}"
            found.add(full if full in modules else base)
    return found


def import_graph(src: Path, package: str = PACKAGE) -> dict[str, set[str]]:
    """Which of the package's modules each of its modules imports."""
    files = module_files(src, package)
    names = set(files)
    return {name: {target for target in imported_names(name, path, names) if target in names}
            for name, path in files.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(start: str) -> None:
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph[node]:
                    cycles.append(sorted(group))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    return cycles


def terminal_imports(src: Path, package: str = PACKAGE) -> list[str]:
    """``module -> import`` for each core module that imports the CLI, typer, rich or click."""
    files = module_files(src, package)
    cli = f"{package}.cli"
    forbidden = tuple(t.replace(f"{PACKAGE}.", f"{package}.", 1) for t in TERMINAL)
    found = []
    for name, path in files.items():
        if name == cli or name.startswith(cli + ".") or name in ENTRY_POINTS:
            continue
        for target in sorted(imported_names(name, path, set(files))):
            if any(target == f or target.startswith(f + ".") for f in forbidden):
                found.append(f"{name} -> {target}")
    return found


def line_counts(src: Path, package: str = PACKAGE) -> dict[str, int]:
    """Lines of each module."""
    return {name: len(path.read_text("utf-8").splitlines())
            for name, path in module_files(src, package).items()}


def oversize(counts: dict[str, int], allowed: dict[str, int]) -> list[str]:
    """Modules over their bound: ``MAX_LINES``, or their own entry in ``allowed``."""
    return [f"{name}: {lines} lines (at most {allowed.get(name, MAX_LINES)})"
            for name, lines in sorted(counts.items())
            if lines > allowed.get(name, MAX_LINES)]


# --- the package as it is ----------------------------------------------------------------


def test_no_import_cycles_between_modules() -> None:
    """No two pathway_cli modules import each other, directly or round a loop (imports inside
    functions count), except the one cycle of the lazy command group, which is named."""
    graph = import_graph(SRC)
    assert len(graph) > 50  # the walk found the package
    assert import_cycles(graph) == ALLOWED_CYCLES


def test_core_modules_never_import_the_cli_typer_or_rich() -> None:
    """Only cli/ (and ``python -m pathway_cli``) imports pathway_cli.cli, typer, rich or click."""
    assert terminal_imports(SRC) == []


def test_no_module_exceeds_the_line_bound() -> None:
    """Every module has at most 700 lines; the few older, longer ones may not grow past
    their allowance."""
    assert oversize(line_counts(SRC), OVERSIZE_ALLOWED) == []


def test_the_allowance_names_only_modules_still_too_long() -> None:
    """A module split below 700 lines (or gone) leaves the allowance, so it cannot regrow."""
    counts = line_counts(SRC)
    stale = [name for name in OVERSIZE_ALLOWED if counts.get(name, 0) <= MAX_LINES]
    assert stale == []


# --- the checks themselves, on a small package made for them ------------------------------


def _package(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / "pkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def test_cycle_check_finds_a_loop_through_three_modules(tmp_path: Path) -> None:
    """a -> b -> c.d -> a is reported as one cycle, whatever the import style."""
    src = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from pkg.b import thing\n",
        "b.py": "def f():\n    from pkg.c import d\n    return d\nthing = 1\n",
        "c/__init__.py": "",
        "c/d.py": "from .. import a\n",
        "e.py": "import pkg.a\n",
    })
    assert import_cycles(import_graph(src, "pkg")) == [["pkg.a", "pkg.b", "pkg.c.d"]]


def test_cycle_check_ignores_type_checking_imports(tmp_path: Path) -> None:
    """An import only type checkers read never runs, so it makes no cycle."""
    src = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from pkg.b import thing\n",
        "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n"
                "thing = 1\n",
    })
    graph = import_graph(src, "pkg")
    assert graph["pkg.a"] == {"pkg.b"}
    assert import_cycles(graph) == []


def test_terminal_check_finds_typer_rich_and_the_cli_in_core_modules(tmp_path: Path) -> None:
    """A core module importing typer, rich or the CLI is named; cli/ itself may."""
    src = _package(tmp_path, {
        "__init__.py": "",
        "core.py": "import typer\n",
        "report.py": "def show():\n    from rich.console import Console\n    return Console\n",
        "query.py": "from pkg.cli.app import app\n",
        "cli/__init__.py": "import typer\nfrom rich import print\n",
        "cli/app.py": "import typer\napp = typer.Typer()\n",
    })
    assert terminal_imports(src, "pkg") == [
        "pkg.core -> typer", "pkg.query -> pkg.cli.app", "pkg.report -> rich.console",
    ]


@pytest.mark.parametrize(("lines", "allowed", "over"), [
    (700, {}, False),
    (701, {}, True),
    (950, {"pkg.big": 1_000}, False),
    (1_001, {"pkg.big": 1_000}, True),
])
def test_line_bound_counts_lines(lines: int, allowed: dict[str, int], over: bool) -> None:
    """A module over 700 lines, or over its own allowance, is named."""
    assert bool(oversize({"pkg.big": lines}, allowed)) is over

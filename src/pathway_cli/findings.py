"""Findings: what a check has to say about a record, as plain values.

A finding names the file and, where it can, the place inside it. Rules usually know
*which* value is wrong (a key path such as ``("goals", 2, "owner")``) but not its line:
lines are looked up lazily, only for files that have something to report, so that the
fast path (a clean caseload) never pays for node positions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Protocol

__all__ = ["Finding", "KeyPath", "LineSource", "Severity", "ValidationResult", "sort_findings"]

KeyPath = tuple[str | int, ...]


class Severity(StrEnum):
    """How serious a finding is: errors fail validation, warnings only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem in one file.

    ``key_path`` locates the value inside the YAML document; ``line`` and ``column``
    (1-based) are filled in from it when the finding is reported, or set directly by the
    loader, which knows positions already.
    """

    file: Path
    rule: str
    message: str
    severity: Severity = Severity.ERROR
    key_path: KeyPath | None = None
    line: int | None = None
    column: int | None = None
    # When the key itself (not its value) is what is wrong, e.g. an unknown field.
    on_key: bool = field(default=False, compare=False)

    def at(self, line: int, column: int) -> Finding:
        """Return a copy placed at ``line``:``column``."""
        return replace(self, line=line, column=column)

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings."""
        return self.severity is Severity.ERROR


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Order findings as a compiler would: by file, then line, then column."""
    return sorted(
        findings,
        key=lambda f: (str(f.file), f.line or 0, f.column or 0, f.rule, f.message),
    )


class LineSource(Protocol):
    """A file whose lines a report quotes under its findings (a loaded source, or the lines
    kept in the cache of checked cases)."""

    def line_text(self, line: int) -> str:
        """The source line ``line`` (1-based), without its line ending."""
        ...


@dataclass
class ValidationResult:
    """Every finding of one run, placed and sorted, with the files they refer to."""

    findings: list[Finding]
    files: int
    sources: Mapping[Path, LineSource]

    @property
    def errors(self) -> int:
        """Number of errors."""
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return sum(1 for f in self.findings if not f.is_error)

    def failed(self, strict: bool = False) -> bool:
        """True when the run should exit 1."""
        return self.errors > 0 or (strict and self.warnings > 0)

"""What an update is made of: planned ``Change``s (bytes read, bytes to write), the
``Update`` of one case with its message, what ``apply_changes`` did (``Applied``), the
refusals, and the ``file:line:col: rule`` lines a refusal lists.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from pathway_cli.errors import UserError
from pathway_cli.findings import Finding

__all__ = [
    "Applied",
    "Change",
    "ChangedOnDisk",
    "EditorUnavailable",
    "Update",
    "UpdateRefused",
]


@dataclass(frozen=True)
class Change:
    """One file to write: the bytes read (None for a new file) and the bytes to write."""

    path: Path
    old: bytes | None
    new: bytes

    @property
    def is_new(self) -> bool:
        """True when the change makes a new file."""
        return self.old is None

    def diff(self, label: str) -> str:
        """Unified diff of the change, with ``a/label`` and ``b/label`` headers as git has."""
        old = _lines(self.old) if self.old is not None else []
        new = _lines(self.new)
        before = "/dev/null" if self.old is None else f"a/{label}"
        out = []
        for line in difflib.unified_diff(old, new, before, f"b/{label}"):
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
        return "".join(out)


def _lines(raw: bytes) -> list[str]:
    text = raw.decode("utf-8-sig", errors="replace")
    # CR of CRLF files would show as noise in a terminal; the diff is for reading
    return [line.replace("\r\n", "\n") for line in text.splitlines(keepends=True)]


@dataclass(frozen=True)
class Update:
    """A planned update of one case: its changes and a line saying what changed."""

    case_id: str
    changes: tuple[Change, ...]
    message: str

    @property
    def empty(self) -> bool:
        """True when nothing would change."""
        return all(c.old == c.new for c in self.changes)


@dataclass
class Applied:
    """What ``apply_changes`` did (or, in a dry run, would do)."""

    changes: list[Change]
    diff: str
    dry_run: bool
    written: list[Path] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    commit: str | None = None


class UpdateRefused(UserError):
    """The change would leave errors in the case; nothing was written."""

    def __init__(self, message: str, findings: list[Finding], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.findings = findings


class ChangedOnDisk(UserError):
    """The file changed on disk since it was read; it was not overwritten."""


class EditorUnavailable(UserError):
    """The editor could not be started at all (none set, not found, an unreadable setting)."""


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _finding_line(finding: Finding) -> str:
    where = f"{_shown(finding.file)}:{finding.line or 1}:{finding.column or 1}"
    return f"{where}: {finding.rule}: {finding.message}"


def _refusal_text(headline: str, findings: list[Finding], detail: str = "") -> str:
    body = "\n".join("  " + _finding_line(f) for f in findings)
    return f"{headline}{': ' + detail if detail else ''}\n{body}" if body else headline

"""What every rule is given and the helpers they share.

``Context`` (settings, mentor pool, today), ``_f`` (a finding at a key path), and the
raw-data helpers that let the cross-file rules read a record file as plain data even when
its shape has errors (``_raw``, ``_items``), so one run reports a wrong reference and a
shape error in the same file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pathway_cli.caseload import Loaded
from pathway_cli.findings import Finding, KeyPath, Severity
from pathway_cli.models import Assessment, Contract, Learner, MentorPool, Plan, Review, Settings

__all__ = [
    "WARNING",
    "Context",
]


WARNING = Severity.WARNING


@dataclass(frozen=True)
class Context:
    """What rules need besides the case: settings, the mentor pool and today's date."""

    settings: Settings
    mentors: MentorPool | None
    today: date


def _f(path: Path, rule: str, message: str, key_path: KeyPath = (),
       severity: Severity = Severity.ERROR) -> Finding:
    return Finding(path, rule, message, severity, key_path=key_path)


# The fields the cross-file rules read (dumping only these keeps a cached caseload fast).
_READ_BY_RULES: dict[type[Any], set[str]] = {
    Learner: {"key_worker", "team", "opened", "closed", "programme"},
    Assessment: {"assessor", "support_needs"},
    Plan: {"agreed", "revised", "goals", "wellbeing"},
    Contract: {"start", "end"},
    Review: {"date", "with_", "goals", "actions"},
}


def _raw(loaded: Loaded[Any] | None) -> dict[str, Any] | None:
    """A record file as plain data, even when its shape has errors (None: unreadable).

    A well-formed file gives its model's values under the keys it was written with (the
    cache of loaded cases keeps models, not parsed text); a file whose shape has errors
    gives what it parsed to, so that its references and dates are still checked.
    """
    if loaded is None:
        return None
    if loaded.model is not None:
        plain = loaded.__dict__.get("_plain")
        if plain is None:
            plain = loaded.model.model_dump(by_alias=True, exclude_unset=True,
                                            include=_READ_BY_RULES.get(type(loaded.model)))
            loaded.__dict__["_plain"] = plain
        return plain  # type: ignore[no-any-return]
    data = loaded.source.data
    if data is None:
        data = loaded.source.recovered  # indented with tabs, but otherwise readable
    return data if isinstance(data, dict) else None


def _items(data: dict[str, Any] | None, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of a list field, with their positions, skipping anything malformed."""
    value = data.get(key) if data else None
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def _unchecked(unreadable: str, what: str,
               places: Iterable[tuple[Path, KeyPath]]) -> list[Finding]:
    """Say where a cross-file rule could not look, because the file it needs is unreadable.

    One warning a file, at its first reference.
    """
    first: dict[Path, KeyPath] = {}
    for path, key_path in places:
        first.setdefault(path, key_path)
    return [_f(path, "reference-unchecked",
               f"{what} could not be checked, because {unreadable} could not be read (fix its "
               "errors first)", key_path, WARNING)
            for path, key_path in first.items()]


def _duplicates(values: Iterable[str]) -> Iterator[tuple[int, str]]:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield index, value
        seen.add(value)

"""What a batch of reports came to: one outcome a case, and the name of each report file.

Kept apart from the renderer (``batch``) and light to import (no models, no Jinja), so that
a batch whose reports are all up to date (``uptodate``) is answered without either.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pathway_cli.errors import UserError
from pathway_cli.terms import OutputFormat

__all__ = [
    "BatchResult",
    "Kind",
    "Outcome",
    "nothing_to_render",
    "report_file_name",
    "status_wanted",
]


Kind = Literal["written", "invalid", "consent", "audience", "template", "unavailable"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one case in a batch.

    ``current``: the report was up to date and not made again this run (its outcome, a
    written file or a skip, is the one recorded when it was last made). ``removed``: a
    skipped case's report file from an earlier batch, deleted so that the folder holds no
    report that is no longer true or no longer allowed.
    """

    case_id: str
    name: str
    status: str
    kind: Kind
    path: Path | None = None
    reason: str | None = None
    current: bool = False
    removed: Path | None = None

    @property
    def written(self) -> bool:
        """True when the case has its report in the folder (made now or up to date)."""
        return self.kind == "written"


@dataclass
class BatchResult:
    """Every case of a batch, in id order, and the index file."""

    outcomes: list[Outcome] = field(default_factory=list)
    index: Path | None = None
    # the bytes written to the index file (kept with the batch's entries in the cache)
    index_data: bytes | None = field(default=None, repr=False)

    @property
    def written(self) -> list[Outcome]:
        """Cases whose report is in the folder: made this run or up to date."""
        return [o for o in self.outcomes if o.written]

    @property
    def made(self) -> list[Outcome]:
        """Cases whose report was made and written this run."""
        return [o for o in self.outcomes if o.written and not o.current]

    @property
    def up_to_date(self) -> list[Outcome]:
        """Cases whose report was up to date: not loaded, not made again."""
        return [o for o in self.outcomes if o.written and o.current]

    @property
    def skipped(self) -> list[Outcome]:
        """Cases skipped: invalid records, no consent, nothing to report."""
        return [o for o in self.outcomes if not o.written]


def status_wanted(status: str, statuses: Collection[str]) -> bool:
    """True for a learner status among ``statuses`` ("all": any); an unknown status ("": the
    learner.yaml could not be read) is kept, so that the batch reports the case."""
    return "all" in statuses or not status or status in statuses


def nothing_to_render(statuses: Collection[str]) -> UserError:
    """The error of a batch in which no case has one of ``statuses``."""
    return UserError(f"no case with status {' or '.join(dict.fromkeys(statuses))} to render",
                     hint="--status all renders every case")


def report_file_name(case_id: str | None, template: str, audience: str,
                     fmt: OutputFormat) -> str:
    """``<id>-<template>-<audience>.<ext>`` (``<template>-<audience>.<ext>`` for a caseload)."""
    stem = f"{template}-{audience}" if case_id is None else f"{case_id}-{template}-{audience}"
    return f"{stem}.{fmt.value}"

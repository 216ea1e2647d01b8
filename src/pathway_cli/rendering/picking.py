"""Which cases a batch renders: the folders' cases of the statuses asked for, loaded.

A batch of the active cases of a caseload loads only those: a folder whose cached facts
(``facts.py``, kept by ``alerts`` and ``summarise``) name a learner status that was not
asked for is passed over without its case being read from the cache. The facts are of the
folder's exact state (the same key as the loaded case), so a case whose status changed is
known by its changed fingerprint and loaded; a folder without facts, or with a
learner.yaml that could not be read, is loaded and decided on its case as before.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from pathway_cli.cache import case_key, folder_fingerprint, open_cache
from pathway_cli.caseload import Case, _bulk_allocation, load_case_cached, load_cases
from pathway_cli.facts import FACTS_KIND, CaseFacts
from pathway_cli.rendering.outcomes import Outcome, status_wanted

__all__ = [
    "case_wanted",
    "load_wanted",
    "unselected",
    "unselected_case",
]


def unselected(case_id: str, name: str, status: str) -> Outcome:
    """A case looked at whose status was not asked for: no report, but its status is
    remembered (``uptodate``) so that the next batch picks without loading it."""
    return Outcome(case_id, name, status, "unavailable", reason="status not asked for")


def unselected_case(case: Case) -> Outcome:
    """``unselected`` for a loaded case."""
    learner = case.learner
    return unselected(case.id, learner.name if learner else "",
                      learner.status if learner else "")


def case_wanted(case: Case, statuses: Collection[str]) -> bool:
    """``status_wanted`` for a loaded case (one whose learner.yaml could not be read is
    kept, so that the batch reports it)."""
    return status_wanted(case.learner.status if case.learner else "", statuses)


def load_wanted(root: Path | None, folders: Sequence[Path], statuses: Collection[str],
                limit: int) -> tuple[list[Case], list[Outcome]]:
    """The cases of ``folders`` (in order) whose status is in ``statuses`` ("all": any),
    each loaded as ``caseload.load_cases`` does, and the outcomes of the others
    (``unselected``); those whose cached facts name another status are left unread."""
    store = open_cache(root)
    cases: list[Case] = []
    others: list[Outcome] = []

    def take(case: Case) -> None:
        if case_wanted(case, statuses):
            cases.append(case)
        else:
            others.append(unselected_case(case))

    if store is None or "all" in statuses:
        for case in load_cases(root, folders, limit):
            take(case)
        return cases, others
    with _bulk_allocation():
        for folder in folders:
            found = folder_fingerprint(folder)
            if found is not None:
                facts = store.get_value(folder, case_key(found, limit), FACTS_KIND)
                if (isinstance(facts, CaseFacts) and facts.learner is not None
                        and not status_wanted(facts.learner.status, statuses)):
                    others.append(unselected(folder.name, facts.learner.name,
                                             facts.learner.status))
                    continue
            take(load_case_cached(folder, store, limit, found))
    return cases, others

"""Rules on what a case holds and what it refers to: the case folder's files, the
learner's id, team ids, goal ids and support-need ids, and the word for who does an action.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from pathway_cli.caseload import CASE_FILES, Case
from pathway_cli.findings import Finding, KeyPath
from pathway_cli.validation.context import (
    WARNING,
    Context,
    _duplicates,
    _f,
    _items,
    _raw,
    _unchecked,
)

__all__ = [
    "check_goal_references",
    "check_learner_id",
    "check_learner_present",
    "check_need_references",
    "check_owner_word",
    "check_stray_files",
    "check_team_references",
    "check_unique_ids",
    "team_hint",
]


def check_learner_present(case: Case, ctx: Context) -> list[Finding]:
    """Every case folder needs learner.yaml."""
    if case.learner_file is None:
        return [Finding(case.folder / "learner.yaml", "case-no-learner",
                        f"the case folder '{case.id}' has no learner.yaml; every case needs one "
                        "(run 'pathway new' to make it)", line=1, column=1)]
    return []


def check_stray_files(case: Case, ctx: Context) -> list[Finding]:
    """Files pathway does not know are probably misnamed records."""
    known = [*CASE_FILES, "reviews"]
    found = []
    for path in case.stray_files:
        if path.parent.name == "reviews":
            if path.suffix in (".yaml", ".yml"):
                continue  # reported by check_review_names
            message = (f"'{path.name}' in reviews/ is not a review file; reviews are named "
                       "YYYY-MM-DD.yaml")
        else:
            close = difflib.get_close_matches(path.name, known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            message = f"'{path.name}' is not a record file pathway reads, so it is ignored{hint}"
        found.append(Finding(path, "file-unknown", message, WARNING, line=1, column=1))
    return found


def check_learner_id(case: Case, ctx: Context) -> list[Finding]:
    """learner.id equals the folder name."""
    learner = case.learner
    if learner is not None:
        written: object = learner.id
    else:  # a learner.yaml with other mistakes: its id is still checked (one round)
        data = case.learner_file.source.data if case.learner_file is not None else None
        written = data.get("id") if isinstance(data, dict) else None
        if not isinstance(written, str):
            return []  # missing or not text: the shape check says so
    if written == case.id or case.learner_file is None:
        return []
    return [_f(case.learner_file.path, "id-mismatch",
               f"the id '{written}' differs from the folder name '{case.id}'; they must be "
               "the same (rename one of them)", ("id",))]


def _owners(item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Who does an action: under 'owner', 'by' or both (once when both name one person,
    as a model read from 'by:' has it)."""
    words = [word for word in ("owner", "by") if isinstance(item.get(word), str)]
    if len(words) == 2 and item["owner"] == item["by"]:
        words = ["by"]
    for word in words:
        yield word, item[word]


def _team_refs(case: Case) -> Iterator[tuple[Path, KeyPath, str, str]]:
    """Every team id referenced in the case: (file, key path, id, what refers to it).

    Read from each file's parsed data rather than its model, so that a shape error
    elsewhere in a file (an impossible date, a misspelt status) does not hide a wrong
    reference in it: one run reports both.
    """
    learner = _raw(case.learner_file)
    if learner and case.learner_file and isinstance(learner.get("key_worker"), str):
        yield case.learner_file.path, ("key_worker",), learner["key_worker"], "key worker"
    assessment = _raw(case.assessment_file)
    if assessment and case.assessment_file and isinstance(assessment.get("assessor"), str):
        yield case.assessment_file.path, ("assessor",), assessment["assessor"], "assessor"
    plan = _raw(case.plan_file)
    if plan and case.plan_file:
        path = case.plan_file.path
        for gi, goal in _items(plan, "goals"):
            owner = goal.get("owner")
            if isinstance(owner, str) and owner != "learner":
                yield path, ("goals", gi, "owner"), owner, f"owner of goal {goal.get('id', gi + 1)}"
            for si, action in _items(goal, "support"):
                for word, who in _owners(action):
                    yield path, ("goals", gi, "support", si, word), who, "support action"
        wellbeing = plan.get("wellbeing")
        for ai, action in _items(wellbeing if isinstance(wellbeing, dict) else None, "actions"):
            for word, who in _owners(action):
                yield path, ("wellbeing", "actions", ai, word), who, "well-being action"
    for loaded in case.review_files:
        review = _raw(loaded)
        if review is None:
            continue
        members = review.get("with")
        for wi, member in enumerate(members if isinstance(members, list) else []):
            if isinstance(member, str):
                yield loaded.path, ("with", wi), member, "review participant"
        for ai, action in _items(review, "actions"):
            for word, who in _owners(action):
                if who != "learner":
                    yield loaded.path, ("actions", ai, word), who, "action owner"


def _team(case: Case) -> list[tuple[str, str]] | None:
    """(id, name) of the learner's team, from the model or, failing that, the parsed data."""
    if case.learner is not None:
        return [(m.id, m.name) for m in case.learner.team]
    return [(str(m["id"]), str(m.get("name", ""))) for _, m in _items(_raw(case.learner_file),
                                                                     "team") if "id" in m]


def team_hint(word: str, team: list[tuple[str, str]]) -> str:
    """' (did you mean ...?)' for a team id that matches nothing: by id, or by a person's name."""
    ids = [member_id for member_id, _ in team]
    close = difflib.get_close_matches(word, ids, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    lowered = word.casefold()
    for member_id, name in team:
        parts = [p.casefold() for p in name.split()]
        if lowered == name.casefold() or lowered in parts or difflib.get_close_matches(
            lowered, [name.casefold(), *parts], n=1, cutoff=0.8
        ):
            return f" (did you mean '{member_id}' ({name})?)"
    return ""


def check_team_references(case: Case, ctx: Context) -> list[Finding]:
    """Every team id referenced anywhere exists in the learner's team."""
    team = _team(case)
    if team is None or not case.learner_file:
        return []
    if _raw(case.learner_file) is None:
        return _unchecked("learner.yaml", "the team ids named here",
                          ((path, key_path) for path, key_path, _, _ in _team_refs(case)))
    ids = [member_id for member_id, _ in team]
    found = []
    for path, key_path, member, what in _team_refs(case):
        if member not in ids:
            known = ", ".join(ids) if ids else "nobody yet"
            found.append(_f(path, "team-unknown",
                            f"'{member}' ({what}) is not in the learner's team in "
                            f"learner.yaml{team_hint(member, team)}; the team has: {known}",
                            key_path))
    return found


def _action_owner_words(case: Case) -> Iterator[tuple[Path, KeyPath]]:
    """Where an action says who does it with 'by:' (plan support, well-being, reviews)."""
    plan = _raw(case.plan_file)
    if plan and case.plan_file:
        for gi, goal in _items(plan, "goals"):
            for si, action in _items(goal, "support"):
                if "by" in action:
                    yield case.plan_file.path, ("goals", gi, "support", si, "by")
        wellbeing = plan.get("wellbeing")
        for ai, action in _items(wellbeing if isinstance(wellbeing, dict) else None, "actions"):
            if "by" in action:
                yield case.plan_file.path, ("wellbeing", "actions", ai, "by")
    for loaded in case.review_files:
        for ai, action in _items(_raw(loaded), "actions"):
            if "by" in action:
                yield loaded.path, ("actions", ai, "by")


def check_owner_word(case: Case, ctx: Context) -> list[Finding]:
    """Warn on 'by:' for who does an action: 'owner:' is the one word for goals and actions."""
    return [
        replace(_f(path, "owner-word",
                   "write 'owner:' here, the word goals and review actions use for who does "
                   "it ('by:' is the older word and still read)", key_path, WARNING),
                on_key=True)
        for path, key_path in _action_owner_words(case)
    ]


def check_unique_ids(case: Case, ctx: Context) -> list[Finding]:
    """Team ids, goal ids and support-need ids are unique in the case."""
    found = []
    if case.learner and case.learner_file:
        for index, value in _duplicates(m.id for m in case.learner.team):
            found.append(_f(case.learner_file.path, "team-duplicate",
                            f"the team id '{value}' is used twice; give each person their own id",
                            ("team", index, "id")))
    if case.plan and case.plan_file:
        for index, value in _duplicates(g.id for g in case.plan.goals):
            found.append(_f(case.plan_file.path, "goal-duplicate",
                            f"the goal id '{value}' is used twice; each goal needs its own id",
                            ("goals", index, "id")))
    if case.assessment and case.assessment_file:
        for index, value in _duplicates(n.id for n in case.assessment.support_needs):
            found.append(_f(case.assessment_file.path, "need-duplicate",
                            f"the support-need id '{value}' is used twice",
                            ("support_needs", index, "id")))
    return found


def check_goal_references(case: Case, ctx: Context) -> list[Finding]:
    """Every goal id in a review exists in the plan."""
    if not case.review_files:
        return []
    plan = case.plan
    goal_ids: list[str] | None = []
    if plan is not None:
        goal_ids = [g.id for g in plan.goals]
    elif case.plan_file is not None:
        goal_ids = _raw_goal_ids(_raw(case.plan_file))
    reviews = [(loaded, data) for loaded in case.review_files
               if isinstance(data := _raw(loaded), dict) and isinstance(data.get("goals"), dict)]
    if goal_ids is None:
        return _unchecked("plan.yaml", "the goals named here",
                          [(loaded.path, ("goals",)) for loaded, _ in reviews])
    found = []
    for loaded, data in reviews:
        for goal_id in data["goals"]:
            if str(goal_id) not in goal_ids:
                close = difflib.get_close_matches(str(goal_id), goal_ids, n=1, cutoff=0.5)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                where = "plan.yaml" if case.plan_file else "a plan (there is no plan.yaml yet)"
                found.append(Finding(loaded.path, "goal-unknown",
                                     f"the goal '{goal_id}' is not in {where}{hint}",
                                     key_path=("goals", str(goal_id)), on_key=True))
    return found


def _raw_goal_ids(data: object) -> list[str] | None:
    """Goal ids of a plan whose shape is wrong elsewhere, so references can still be checked."""
    if not isinstance(data, dict) or not isinstance(data.get("goals"), list):
        return None
    return [str(g["id"]) for g in data["goals"] if isinstance(g, dict) and "id" in g]


def check_need_references(case: Case, ctx: Context) -> list[Finding]:
    """Every ``needs:`` id in the plan exists among the assessment's support needs."""
    plan = _raw(case.plan_file)
    if plan is None or case.plan_file is None:
        return []
    path = case.plan_file.path
    refs: list[tuple[KeyPath, str]] = []
    for gi, goal in _items(plan, "goals"):
        for si, action in _items(goal, "support"):
            refs.extend((("goals", gi, "support", si, "needs", ni), str(n))
                        for ni, n in enumerate(_list(action.get("needs"))))
    wellbeing = plan.get("wellbeing")
    for ai, action in _items(wellbeing if isinstance(wellbeing, dict) else None, "actions"):
        refs.extend((("wellbeing", "actions", ai, "needs", ni), str(n))
                    for ni, n in enumerate(_list(action.get("needs"))))
    if not refs:
        return []
    if case.assessment is not None:
        need_ids = [n.id for n in case.assessment.support_needs]
    elif case.assessment_file is None:
        need_ids = []
    else:
        raw_needs = _items(_raw(case.assessment_file), "support_needs")
        if _raw(case.assessment_file) is None:
            return _unchecked("assessment.yaml", "the support needs named here",
                              [(path, key_path) for key_path, _ in refs])
        need_ids = [str(n["id"]) for _, n in raw_needs if "id" in n]
    found = []
    for key_path, need in refs:
        if need not in need_ids:
            known = ", ".join(need_ids) or "none"
            found.append(_f(path, "need-unknown",
                            f"the support need '{need}' is not in assessment.yaml "
                            f"(its support needs: {known})", key_path))
    return found


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []

"""Mentor matching: who needs a mentor, who can mentor, and the best assignment.

The seeds ask for matching "beyond simple availability": sector, languages, interests,
availability, the mentor's independence and the kind of mentor against the learner's
needs. Each factor adds points (weights in ``pathway.yaml`` under ``matching:``, see
``MatchWeights``); a pair's score is its points over the most points any pair can earn.

Rules the assignment never breaks (hard constraints):

- only active learners whose team has no current ``mentor`` or ``peer-mentor`` are
  matched; a mentor whose ``until`` date has passed has left, so a learner whose mentor
  left is proposed a new one (the pair says whom they follow);
- only mentors trained on or before today are proposed;
- a mentor gets at most ``capacity`` learners, counting every *open* case (referred,
  active or paused) whose team names them as a current mentor or peer-mentor: a paused
  learner keeps their mentor and comes back to them, so the place stays taken; completed
  and left cases free it;
- mentor and learner share a language when both list their languages;
- a mentor already in the learner's team (in any role) is not proposed again;
- a pair scoring 0 or below ``min_score`` is never proposed: a learner is better left
  unmatched, with the reason, than forced onto a poor fit.

Under those rules the proposal maximises the total score (an optimal assignment, solved
by ``scipy.optimize.linear_sum_assignment`` on a matrix where each mentor becomes one
column per free place). Scores count in hundredths of a point, so the solver works on
exact integers; a tie-break term far smaller than a hundredth makes the choice among
equally good assignments deterministic: learners whose case opened earlier, then mentors
with more free places, then ids, weigh slightly more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pathway_cli.caseload import Caseload, load_caseload
from pathway_cli.errors import UserError
from pathway_cli.models import (
    MENTOR_ROLES,
    Assessment,
    Learner,
    MatchWeights,
    Mentor,
    MentorPool,
    Settings,
)
from pathway_cli.updates import Change, append_team_member

__all__ = [
    "Candidate",
    "Fit",
    "MatchResult",
    "MentorStatus",
    "Pair",
    "Skipped",
    "Unmatched",
    "fit",
    "match_mentors",
    "max_points",
    "mentor_entry",
    "mentor_left",
    "mentor_role",
    "needs_mentor",
    "plan_assignments",
    "propose_matches",
    "taken_places",
]

OPEN_STATUSES = ("referred", "active", "paused")
# Groups whose needs the seeds call "social or motivational": peer mentors suit them.
SOCIAL_GROUPS = ("at-risk", "early-leaver", "re-entry", "transition")
WORK_BASED_MODES = ("dual", "work-based")
EXPERIENCED_KINDS = ("professional", "retired-professional")
LOW_MOTIVATION = 2
# Hundredths of a point: the unit the solver counts in.
QUANTUM = 100
# Float64 adds integers exactly below 2**53; keep every sum of the solver under that.
_EXACT = 2**52
_WORD = re.compile(r"[^\W\d_]+")
_STOP = frozenset({
    "with", "from", "their", "them", "they", "this", "that", "into", "over", "about", "also",
    "like", "some", "more", "most", "very", "friends", "family", "other", "others", "things",
})


@dataclass(frozen=True)
class Candidate:
    """A learner to match, with the assessment that tells about social and motivational needs."""

    learner: Learner
    assessment: Assessment | None = None
    # Set when the learner's mentor left: "follows Ana Morales, who left on 2026-11-06".
    follows: str | None = None


@dataclass(frozen=True)
class Fit:
    """How well one mentor fits one learner: points with their reasons, or why never."""

    points: float
    reasons: tuple[str, ...] = ()
    refused: str | None = None


@dataclass(frozen=True)
class Pair:
    """A proposed learner-mentor pair."""

    learner: str
    learner_name: str
    mentor: str
    mentor_name: str
    role: Literal["mentor", "peer-mentor"]
    points: float
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Unmatched:
    """A learner who needs a mentor and gets none in this proposal, and why."""

    learner: str
    learner_name: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A case that could not be considered at all (its learner.yaml does not load)."""

    learner: str
    reason: str


@dataclass(frozen=True)
class MentorStatus:
    """A mentor of the pool: places taken, free, proposed, and why not proposed at all."""

    id: str
    name: str
    kind: str
    capacity: int
    taken: int
    free: int
    proposed: int
    note: str | None


@dataclass
class MatchResult:
    """The proposal: pairs with reasons, unmatched learners with reasons, the pool's state."""

    as_of: date
    pairs: list[Pair]
    unmatched: list[Unmatched]
    mentors: list[MentorStatus]
    max_points: float
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def total_points(self) -> float:
        """Sum of the proposed pairs' points: what the assignment maximises."""
        return round(sum(p.points for p in self.pairs), 2)


# --- who needs, who can ------------------------------------------------------------------


def needs_mentor(learner: Learner, today: date) -> bool:
    """An active learner whose team has no current mentor or peer-mentor."""
    return learner.status == "active" and not any(
        m.role in MENTOR_ROLES and m.current(today) for m in learner.team
    )


def mentor_left(learner: Learner, today: date) -> str | None:
    """Who the learner's last mentor was and when they left, if a mentor left."""
    ended = [m for m in learner.team
             if m.role in MENTOR_ROLES and m.until is not None and not m.current(today)]
    if not ended:
        return None
    last = max(ended, key=lambda m: (m.until or today, m.id))
    return f"follows {last.name}, who left on {last.until}"


def mentor_role(mentor: Mentor) -> Literal["mentor", "peer-mentor"]:
    """The team role a mentor of this kind takes: peers are peer-mentors."""
    return "peer-mentor" if mentor.kind == "peer" else "mentor"


def taken_places(learners: Iterable[Learner], today: date) -> dict[str, list[str]]:
    """Per team id, the open cases whose team names them as a current mentor or peer-mentor."""
    taken: dict[str, list[str]] = {}
    for learner in learners:
        if learner.status not in OPEN_STATUSES:
            continue
        for member in {m.id for m in learner.team
                       if m.role in MENTOR_ROLES and m.current(today)}:
            taken.setdefault(member, []).append(learner.id)
    return taken


def _is_trained(mentor: Mentor, today: date) -> bool:
    return mentor.trained is not None and mentor.trained <= today


def _untrained_note(mentor: Mentor, today: date) -> str | None:
    if mentor.trained is None:
        return "not trained yet"
    if mentor.trained > today:
        return f"training on {mentor.trained.isoformat()}, not yet done"
    return None


# --- scoring -----------------------------------------------------------------------------


def max_points(weights: MatchWeights) -> float:
    """The most points any pair can earn with these weights: the score's denominator."""
    return (
        weights.sector
        + weights.language
        + max(weights.home_language, weights.migrant_language)
        + weights.interest * weights.max_interests
        + weights.availability * weights.max_days
        + weights.independent
        + max(weights.peer_social, weights.experienced_work_based)
    )


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if len(w) >= 4 and w not in _STOP}


def _social_needs(candidate: Candidate) -> list[str]:
    """Why a learner has social or motivational needs, in words (health needs never named)."""
    why: list[str] = [g for g in candidate.learner.groups if g in SOCIAL_GROUPS]
    assessment = candidate.assessment
    if assessment is not None:
        if any(n.category == "social" for n in assessment.support_needs):
            why.append("a social support need")
        if assessment.motivation is not None and assessment.motivation <= LOW_MOTIVATION:
            why.append(f"motivation {assessment.motivation}/5")
    return why


def _lower(values: Iterable[str]) -> list[str]:
    return [v.strip().casefold() for v in values]


@dataclass(frozen=True)
class _LearnerSide:
    """What scoring needs of a learner, worked out once per learner rather than per pair."""

    team: frozenset[str]
    languages: tuple[str, ...]
    sector: str | None
    sector_key: str | None
    migrant: bool
    interests: tuple[tuple[str, frozenset[str]], ...]
    social: tuple[str, ...]
    work_based: bool

    @classmethod
    def of(cls, candidate: Candidate) -> _LearnerSide:
        learner = candidate.learner
        programme = learner.programme
        sector = programme.sector if programme else None
        mode = programme.mode if programme else None
        return cls(
            team=frozenset(m.id for m in learner.team),
            languages=tuple(dict.fromkeys(_lower(learner.languages))),
            sector=sector,
            sector_key=sector.strip().casefold() if sector else None,
            migrant="migrant" in learner.groups,
            interests=tuple((i, frozenset(_words(i))) for i in learner.interests),
            social=tuple(_social_needs(candidate)),
            work_based=mode in WORK_BASED_MODES or "vet-work-based" in learner.groups,
        )


@dataclass(frozen=True)
class _MentorSide:
    """What scoring needs of a mentor, worked out once per mentor."""

    mentor: Mentor
    languages: frozenset[str]
    sectors: frozenset[str]
    interests: tuple[tuple[str, frozenset[str]], ...]

    @classmethod
    def of(cls, mentor: Mentor) -> _MentorSide:
        return cls(
            mentor=mentor,
            languages=frozenset(_lower(mentor.languages)),
            sectors=frozenset(_lower(mentor.sectors)),
            interests=tuple((i, frozenset(_words(i))) for i in mentor.interests),
        )


def _shared(learner: Sequence[tuple[str, frozenset[str]]],
            mentor: Sequence[tuple[str, frozenset[str]]]) -> list[str]:
    shared = []
    for phrase, words in learner:
        for other, other_words in mentor:
            if words & other_words:
                shorter = (len(other), other) < (len(phrase), phrase)
                shared.append(other if shorter else phrase)
                break
    return shared


def shared_interests(learner: Sequence[str], mentor: Sequence[str]) -> list[str]:
    """The learner's interests that share a word with one of the mentor's, shortest wording."""
    return _shared([(i, frozenset(_words(i))) for i in learner],
                   [(i, frozenset(_words(i))) for i in mentor])


def fit(candidate: Candidate, mentor: Mentor, weights: MatchWeights,
        instruction_language: str | None = None) -> Fit:
    """Score one learner-mentor pair by the named factors, or refuse it by a hard rule."""
    return _fit(_LearnerSide.of(candidate), _MentorSide.of(mentor), weights,
                instruction_language)


def _fit(side: _LearnerSide, other: _MentorSide, weights: MatchWeights,
         instruction_language: str | None, explain: bool = True) -> Fit:
    """Points and refusals of a pair; the reasons in words only when ``explain``.

    Every pair is scored, but only the proposed ones are explained, so the words are
    built for those alone.
    """
    mentor = other.mentor
    if mentor.id in side.team:
        return Fit(0.0, refused="already in the learner's team")
    shared_langs = [lang for lang in side.languages if lang in other.languages]
    if side.languages and other.languages and not shared_langs:
        return Fit(0.0, refused="shares no language with the learner")

    points = 0.0
    reasons: list[str] = []
    if side.sector_key and side.sector_key in other.sectors and weights.sector:
        points += weights.sector
        if explain:
            reasons.append(f"shares sector {side.sector}")
    instruction = instruction_language.strip().casefold() if instruction_language else None
    beyond = [lang for lang in shared_langs if instruction and lang != instruction]
    weight = weights.migrant_language if side.migrant else weights.home_language
    if beyond and weight:
        points += weight + weights.language
        if explain:
            who = "a migrant learner" if side.migrant else "the learner"
            reasons.append(f"speaks {', '.join(beyond)} with {who}, not only {instruction}")
    elif shared_langs and weights.language:
        points += weights.language
        if explain:
            reasons.append(f"speaks {', '.join(shared_langs)}")
    if weights.interest and weights.max_interests and side.interests and other.interests:
        interests = _shared(side.interests, other.interests)[: weights.max_interests]
        points += weights.interest * len(interests)
        if explain and interests:
            reasons.append(f"shares interests: {', '.join(interests)}")
    days = len(mentor.available[: weights.max_days])
    if days and weights.availability:
        points += weights.availability * days
        if explain:
            reasons.append(f"can meet {', '.join(mentor.available)}")
    if mentor.independent and weights.independent:
        points += weights.independent
        if explain:
            reasons.append("independent of provider and employer")
    if mentor.kind == "peer":
        if side.social and weights.peer_social:
            points += weights.peer_social
            if explain:
                reasons.append("peer mentor for social and motivational support "
                               f"({', '.join(side.social)})")
    elif mentor.kind in EXPERIENCED_KINDS and side.work_based and weights.experienced_work_based:
        points += weights.experienced_work_based
        if explain:
            reasons.append(f"{mentor.kind.replace('-', ' ')} for a work-based learner")
    return Fit(round(points, 6), tuple(reasons))


# --- assignment --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    mentor: Mentor
    free: int


def _solve(values: list[list[int | None]], slots: Sequence[int],
           learner_rank: Sequence[int], mentor_rank: Sequence[int]) -> list[int | None]:
    """Rows are learners, columns mentors with ``slots[j]`` free places; None = never.

    Returns, per row, the mentor column it gets or None. Each mentor expands into one
    column per free place; one "no mentor" column per learner, worth 0, means nobody is
    forced onto a pair: a forbidden pair is worth -1 and always loses to staying unmatched.
    """
    # Imported here: scipy takes most of a second to import, and only matching needs it.
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    n, m = len(values), len(slots)
    if n == 0 or m == 0:
        return [None] * n
    allowed = np.array([[v is not None for v in row] for row in values], dtype=bool)
    points = np.array([[v or 0 for v in row] for row in values], dtype=np.float64)
    top = float(points.max()) if points.size else 0.0
    # Tie-break term: below ``spread`` per row, below ``scale`` in total, so it never
    # outweighs a hundredth of a point; dropped when the sums would lose exactness.
    spread = n * m + m + 1
    scale = n * spread + 1
    if n * (top * scale + spread) >= _EXACT:
        scale, spread = 1, 0
    value = points * scale
    if spread:
        value += np.add.outer(np.asarray(learner_rank, dtype=np.float64) * m,
                              np.asarray(mentor_rank, dtype=np.float64))
    value[~allowed] = -1.0
    # A mentor never takes more learners than can have them: a place beyond that, or a
    # mentor nobody may have, would only add columns for the solver to rule out.
    usable = np.minimum(np.asarray(slots, dtype=np.int64), allowed.sum(axis=0))
    columns = np.repeat(np.arange(m), usable)
    matrix = np.hstack([value[:, columns], np.zeros((n, n))])
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    chosen: list[int | None] = [None] * n
    for i, c in zip(rows.tolist(), cols.tolist(), strict=True):
        if c < len(columns) and allowed[i, columns[c]]:
            chosen[i] = int(columns[c])
    return chosen


def match_mentors(candidates: Sequence[Candidate], pool: Sequence[Mentor],
                  taken: Mapping[str, Sequence[str]], settings: Settings,
                  today: date) -> MatchResult:
    """Propose the assignment of maximal total score under every hard constraint.

    ``candidates`` are the learners who need a mentor; ``taken`` maps a mentor id to the
    open cases already naming them (see ``taken_places``).
    """
    weights = settings.matching
    most = max_points(weights)
    if most <= 0:
        raise UserError(
            "every mentor-matching weight is 0, so no pair can score",
            hint="set some weights under 'matching:' in pathway.yaml, or remove the block",
        )
    seen: set[str] = set()
    for mentor in pool:
        if mentor.id in seen:
            raise UserError(f"mentors.yaml lists the mentor id '{mentor.id}' twice",
                            hint="run 'pathway validate' and give each mentor its own id")
        seen.add(mentor.id)

    mentors = sorted(pool, key=lambda m: m.id)
    available = [
        _Slot(m, max(m.capacity - len(taken.get(m.id, ())), 0))
        for m in mentors if _is_trained(m, today)
    ]
    available = [s for s in available if s.free > 0]
    learners = sorted(candidates, key=lambda c: (c.learner.opened, c.learner.id))
    mentor_sides = [_MentorSide.of(s.mentor) for s in available]
    learner_sides = [_LearnerSide.of(c) for c in learners]
    instruction = settings.instruction_language
    fits = [
        [_fit(side, other, weights, instruction, explain=False) for other in mentor_sides]
        for side in learner_sides
    ]
    values: list[list[int | None]] = [
        [_value(f, most, weights.min_score) for f in row] for row in fits
    ]
    by_preference = sorted(range(len(available)),
                           key=lambda j: (-available[j].free, available[j].mentor.id))
    mentor_rank = [0] * len(available)
    for rank, j in enumerate(by_preference):
        mentor_rank[j] = len(available) - 1 - rank
    learner_rank = [len(learners) - 1 - i for i in range(len(learners))]
    chosen = _solve(values, [s.free for s in available], learner_rank, mentor_rank)

    pairs: list[Pair] = []
    unmatched: list[Unmatched] = []
    proposed: dict[str, int] = {}
    for i, candidate in enumerate(learners):
        learner = candidate.learner
        column = chosen[i]
        if column is None:
            reason = _unmatched_reason(fits[i], values[i], available, most, weights)
            unmatched.append(Unmatched(learner.id, learner.display_name, reason))
            continue
        mentor = available[column].mentor
        pair_fit = _fit(learner_sides[i], mentor_sides[column], weights, instruction)
        proposed[mentor.id] = proposed.get(mentor.id, 0) + 1
        pairs.append(Pair(
            learner=learner.id, learner_name=learner.display_name, mentor=mentor.id,
            mentor_name=mentor.name, role=mentor_role(mentor), points=pair_fit.points,
            score=round(pair_fit.points / most, 2),
            reasons=((candidate.follows,) if candidate.follows else ()) + pair_fit.reasons,
        ))
    pairs.sort(key=lambda p: p.learner)
    unmatched.sort(key=lambda u: u.learner)
    statuses = [_status(m, taken, proposed, today) for m in mentors]
    return MatchResult(today, pairs, unmatched, statuses, most)


def _value(pair_fit: Fit, most: float, min_score: float) -> int | None:
    if pair_fit.refused is not None or pair_fit.points <= 0:
        return None
    if pair_fit.points / most + 1e-9 < min_score:
        return None
    return round(pair_fit.points * QUANTUM)


def _unmatched_reason(row: Sequence[Fit], values: Sequence[int | None],
                      available: Sequence[_Slot], most: float, weights: MatchWeights) -> str:
    if not available:
        return "no trained mentor with free capacity"
    fitting = [available[j].mentor.id for j, v in enumerate(values) if v is not None]
    if fitting:
        return (f"every mentor who fits ({', '.join(fitting)}) is proposed for other "
                "learners, which gives the best total")
    refusals = sorted({f.refused for f in row if f.refused})
    scored = sorted((-f.points, available[j].mentor.id) for j, f in enumerate(row)
                    if not f.refused)
    if not scored:
        if refusals == ["shares no language with the learner"]:
            return "no trained mentor with free capacity shares a language with the learner"
        return f"no trained mentor with free capacity can be proposed ({'; '.join(refusals)})"
    best_points, best_id = -scored[0][0], scored[0][1]
    return (f"no trained mentor with free capacity fits well enough: the best, {best_id}, "
            f"scores {best_points / most:.2f}, below the minimum {weights.min_score:.2f}")


def _status(mentor: Mentor, taken: Mapping[str, Sequence[str]], proposed: Mapping[str, int],
            today: date) -> MentorStatus:
    count = len(taken.get(mentor.id, ()))
    free = max(mentor.capacity - count, 0)
    note = _untrained_note(mentor, today)
    if note is None and free == 0:
        note = "at capacity"
    return MentorStatus(mentor.id, mentor.name, mentor.kind, mentor.capacity, count, free,
                        proposed.get(mentor.id, 0), note)


# --- the caseload ------------------------------------------------------------------------


def _mentor_pool(caseload: Caseload) -> MentorPool:
    if caseload.mentors_file is None:
        where = caseload.root if caseload.root is not None else "the caseload"
        raise UserError(f"no mentors.yaml in {where}; matching needs the pool of mentors",
                        hint="add mentors.yaml at the caseload root (see the README)")
    pool = caseload.mentors
    if pool is None or any(f.is_error for f in caseload.mentors_file.source.findings):
        raise UserError(f"{caseload.mentors_file.path} has errors, so no mentor can be proposed",
                        hint="run 'pathway validate' and fix them first")
    return pool


def _covers_root(caseload: Caseload) -> bool:
    """True when every case folder of the caseload root was loaded."""
    assert caseload.root is not None  # noqa: S101 - callers check
    cases_dir = caseload.root / "cases"
    try:
        folders = {p.resolve() for p in cases_dir.iterdir()
                   if p.is_dir() and not p.name.startswith(".")}
    except OSError:
        return True
    return folders <= {c.folder.resolve() for c in caseload.cases}


def propose_matches(caseload: Caseload, today: date) -> MatchResult:
    """Match the learners of ``caseload`` who need a mentor against its mentor pool.

    Places already taken are counted over the whole caseload, even when only some cases
    were asked for, so capacity holds whatever was named on the command line.
    """
    pool = _mentor_pool(caseload)
    everyone = caseload
    if caseload.root is not None and not _covers_root(caseload):
        everyone = load_caseload([caseload.root])
    taken = taken_places((c.learner for c in everyone.cases if c.learner is not None), today)
    candidates: list[Candidate] = []
    skipped: list[Skipped] = []
    for case in caseload.cases:
        learner = case.learner
        if learner is None:
            skipped.append(Skipped(case.id, "learner.yaml is missing or has errors; run "
                                   "'pathway validate'"))
            continue
        if needs_mentor(learner, today):
            candidates.append(Candidate(learner, case.assessment, mentor_left(learner, today)))
    result = match_mentors(candidates, pool.mentors, taken, caseload.settings, today)
    result.skipped = skipped
    return result


# --- applying a proposal -----------------------------------------------------------------


def mentor_entry(mentor: Mentor) -> dict[str, Any]:
    """The team entry a proposed mentor gets in learner.yaml (contact details stay in the pool)."""
    return {
        "id": mentor.id,
        "name": mentor.name,
        "role": mentor_role(mentor),
        "organisation": mentor.organisation,
        "independent": mentor.independent,
        "trained": mentor.trained,
    }


def plan_assignments(result: MatchResult, caseload: Caseload) -> list[Change]:
    """One change per proposed pair: the mentor appended to the learner's ``team``.

    Nothing is written here: ``updates.apply_changes`` validates every touched case and
    writes all the files, or none.
    """
    pool = {m.id: m for m in _mentor_pool(caseload).mentors}
    changes = []
    for pair in result.pairs:
        case = caseload.case(pair.learner)
        if case is None:
            raise UserError(f"no case '{pair.learner}' in this caseload")
        # The relationship starts on the day it is agreed: ``since`` dates it.
        entry = {**mentor_entry(pool[pair.mentor]), "since": result.as_of}
        changes.append(append_team_member(case, entry))
    return changes

"""Properties of the mentor assignment over random pools and learners (Hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pathway_cli.matching import Candidate, MatchResult, fit, match_mentors, max_points
from pathway_cli.models import Learner, Mentor, Settings

TODAY = date(2026, 11, 23)
LANGS = ["de", "en", "tr", "ar"]
SECTORS = ["retail", "it", "logistics"]
INTERESTS = ["football", "chess", "cooking", "music"]
GROUPS = ["migrant", "at-risk", "transition", "vet-work-based"]
# Strategies built once: building them per draw costs more than the matching itself.
LANG_LISTS = st.lists(st.sampled_from(LANGS), max_size=2, unique=True)
GROUP_LISTS = st.lists(st.sampled_from(GROUPS), max_size=2, unique=True)
SECTOR = st.sampled_from(SECTORS)
SECTOR_LISTS = st.lists(SECTOR, max_size=2, unique=True)
INTEREST_LISTS = st.lists(st.sampled_from(INTERESTS), max_size=2, unique=True)
MODE = st.sampled_from(["dual", "school-based"])
KIND = st.sampled_from(["professional", "volunteer", "peer", "retired-professional"])
TRAINED = st.sampled_from([None, TODAY - timedelta(days=30), TODAY, TODAY + timedelta(days=1)])
DAYS = st.lists(st.sampled_from(["mon", "wed", "sat"]), unique=True)


@st.composite
def learners(draw: st.DrawFn, index: int) -> Learner:
    return Learner.model_validate({
        "id": f"L-{index}",
        "name": f"Learner {index}",
        "status": "active",
        "opened": (TODAY - timedelta(days=draw(st.integers(0, 3)))).isoformat(),
        "languages": draw(LANG_LISTS),
        "groups": draw(GROUP_LISTS),
        "programme": {"title": "T", "sector": draw(SECTOR), "mode": draw(MODE)},
        "interests": draw(INTEREST_LISTS),
    })


@st.composite
def mentors(draw: st.DrawFn, index: int) -> Mentor:
    trained = draw(TRAINED)
    return Mentor.model_validate({
        "id": f"m{index}",
        "name": f"Mentor {index}",
        "kind": draw(KIND),
        "sectors": draw(SECTOR_LISTS),
        "languages": draw(LANG_LISTS),
        "interests": draw(INTEREST_LISTS),
        "capacity": draw(st.integers(0, 2)),
        "trained": trained.isoformat() if trained else None,
        "independent": draw(st.booleans()),
        "available": draw(DAYS),
    })


@st.composite
def problems(draw: st.DrawFn, max_learners: int = 5, max_mentors: int = 3) -> dict[str, Any]:
    n = draw(st.integers(0, max_learners))
    m = draw(st.integers(0, max_mentors))
    pool = [draw(mentors(j)) for j in range(m)]
    taken = {mentor.id: [f"X-{k}" for k in range(draw(st.integers(0, 2)))] for mentor in pool}
    min_score = draw(st.sampled_from([0.0, 0.1, 0.2, 0.4]))
    return {
        "candidates": [Candidate(draw(learners(i))) for i in range(n)],
        "pool": pool,
        "taken": taken,
        "settings": Settings.model_validate({"instruction_language": "de",
                                             "matching": {"min_score": min_score}}),
    }


def solve(problem: dict[str, Any]) -> MatchResult:
    return match_mentors(problem["candidates"], problem["pool"], problem["taken"],
                         problem["settings"], TODAY)


def acceptable_points(problem: dict[str, Any], candidate: Candidate, mentor: Mentor) -> int | None:
    """Hundredths of a point of an allowed pair, None when a hard rule forbids it."""
    weights = problem["settings"].matching
    if mentor.trained is None or mentor.trained > TODAY:
        return None
    pair = fit(candidate, mentor, weights, "de")
    if pair.refused or pair.points <= 0:
        return None
    if pair.points / max_points(weights) + 1e-9 < weights.min_score:
        return None
    return round(pair.points * 100)


def brute_force_best(problem: dict[str, Any]) -> int:
    """The best total over every assignment that respects capacities (exhaustive)."""
    pool = problem["pool"]
    free = [max(m.capacity - len(problem["taken"][m.id]), 0) for m in pool]
    table = [[acceptable_points(problem, c, m) for m in pool] for c in problem["candidates"]]

    def best(i: int) -> int:
        if i == len(table):
            return 0
        result = best(i + 1)  # this learner stays unmatched
        for j, value in enumerate(table[i]):
            if value is not None and free[j] > 0:
                free[j] -= 1
                result = max(result, value + best(i + 1))
                free[j] += 1
        return result

    return best(0)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_hard_constraints_always_hold(problem: dict[str, Any]) -> None:
    """No untrained mentor, no mentor over capacity, no learner twice, no forbidden pair."""
    result = solve(problem)
    by_id = {m.id: m for m in problem["pool"]}
    learners_seen = [p.learner for p in result.pairs]
    assert len(learners_seen) == len(set(learners_seen))
    counts: dict[str, int] = {}
    for pair in result.pairs:
        mentor = by_id[pair.mentor]
        assert mentor.trained is not None and mentor.trained <= TODAY
        counts[mentor.id] = counts.get(mentor.id, 0) + 1
        candidate = next(c for c in problem["candidates"] if c.learner.id == pair.learner)
        assert acceptable_points(problem, candidate, mentor) is not None
        assert pair.score + 0.005 >= problem["settings"].matching.min_score
        assert pair.reasons
    for mentor_id, count in counts.items():
        assert count <= by_id[mentor_id].capacity - len(problem["taken"][mentor_id])
    matched = set(learners_seen)
    unmatched = {u.learner for u in result.unmatched}
    assert matched | unmatched == {c.learner.id for c in problem["candidates"]}
    assert not matched & unmatched
    assert all(u.reason for u in result.unmatched)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_assignment_is_optimal(problem: dict[str, Any]) -> None:
    """The proposal's total equals the best total found by trying every assignment."""
    result = solve(problem)
    total = sum(round(p.points * 100) for p in result.pairs)
    assert total == brute_force_best(problem)


@settings(max_examples=150, deadline=None)
@given(problems(max_learners=6, max_mentors=4), st.randoms(use_true_random=False))
def test_input_order_does_not_change_the_proposal(problem: dict[str, Any],
                                                  rnd: Any) -> None:
    """Shuffled learners and mentors give the same pairs: the data breaks ties, not the order."""
    first = solve(problem)
    shuffled = dict(problem)
    shuffled["candidates"] = list(problem["candidates"])
    shuffled["pool"] = list(problem["pool"])
    rnd.shuffle(shuffled["candidates"])
    rnd.shuffle(shuffled["pool"])
    second = solve(shuffled)
    assert [(p.learner, p.mentor) for p in first.pairs] == \
        [(p.learner, p.mentor) for p in second.pairs]
    assert first.unmatched == second.unmatched

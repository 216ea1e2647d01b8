"""Benchmark: mentor matching on generated caseloads, and what the optimal assignment gains.

    python benchmarks/bench_match.py [--learners 200 1000 2000] [--repeats 3]

For each caseload size, from one run: the median time to load the caseload, the median time
of the whole proposal (scoring every learner-mentor pair and solving the assignment), and
of the solver alone; the size of the problem; and the total score of the optimal assignment
against first-come greedy (learners in id order each take their best free mentor).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_caseload
from pathway_cli.caseload import load_caseload
from pathway_cli.matching import (
    Candidate,
    fit,
    match_mentors,
    max_points,
    needs_mentor,
    taken_places,
)
from pathway_cli.models import Learner, Mentor, Settings

TODAY = date(2026, 11, 23)
SECTORS = ["construction", "hospitality", "manufacturing", "health", "retail", "logistics", "it"]
LANGS = ["de", "en", "ar", "uk", "tr", "pl", "es", "pt"]
INTERESTS = ["football", "cooking", "chess", "music", "cycling", "gaming", "photography",
             "hiking", "basketball", "drawing"]
KINDS = ["professional", "volunteer", "peer", "retired-professional"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat"]


def write_pool(root: Path, size: int, seed: int) -> None:
    """A mentor pool of ``size`` mentors; about one in eight is not trained yet."""
    rng = random.Random(seed)
    mentors = []
    for index in range(size):
        mentor = {
            "id": f"m{index:04d}",
            "name": f"Mentor {index}",
            "kind": rng.choice(KINDS),
            "sectors": rng.sample(SECTORS, rng.randint(1, 2)),
            "languages": ["de", *rng.sample(LANGS[1:], rng.randint(0, 2))],
            "interests": rng.sample(INTERESTS, rng.randint(1, 3)),
            "capacity": rng.randint(1, 3),
            "independent": rng.random() < 0.6,
            "available": sorted(rng.sample(DAYS, rng.randint(1, 3)), key=DAYS.index),
        }
        if rng.random() > 0.125:
            mentor["trained"] = date(2026, rng.randint(1, 10), rng.randint(1, 28))
        mentors.append(mentor)
    (root / "mentors.yaml").write_text(
        yaml.safe_dump({"mentors": mentors}, sort_keys=False, allow_unicode=True),
        encoding="utf-8")
    with (root / "pathway.yaml").open("a", encoding="utf-8") as handle:
        handle.write("instruction_language: de\n")


def greedy_total(candidates: list[Candidate], pool: list[Mentor],
                 taken: dict[str, list[str]], settings: Settings) -> float:
    """First come, first served: learners in id order take their best free mentor."""
    weights = settings.matching
    most = max_points(weights)
    free = {m.id: m.capacity - len(taken.get(m.id, ())) for m in pool
            if m.trained is not None and m.trained <= TODAY}
    total = 0.0
    for candidate in sorted(candidates, key=lambda c: c.learner.id):
        best: tuple[float, str] | None = None
        for mentor in pool:
            if free.get(mentor.id, 0) <= 0:
                continue
            pair = fit(candidate, mentor, weights, settings.instruction_language)
            if pair.refused or pair.points <= 0 or pair.points / most < weights.min_score:
                continue
            if best is None or pair.points > best[0]:
                best = (pair.points, mentor.id)
        if best is not None:
            free[best[1]] -= 1
            total += best[0]
    return total


def median_time(func: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(learners: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_caseload(Path(tmp) / "caseload", learners, seed=7)
        write_pool(root, max(learners // 10, 5), seed=7)
        caseload = load_caseload([root])
        load_s = median_time(lambda: load_caseload([root]), repeats)
    assert caseload.mentors is not None
    pool = list(caseload.mentors.mentors)
    people: list[Learner] = [c.learner for c in caseload.cases if c.learner is not None]
    taken = taken_places(people, TODAY)
    candidates = [Candidate(c.learner, c.assessment) for c in caseload.cases
                  if c.learner is not None and needs_mentor(c.learner, TODAY)]
    settings = caseload.settings
    result = match_mentors(candidates, pool, taken, settings, TODAY)
    match_s = median_time(lambda: match_mentors(candidates, pool, taken, settings, TODAY),
                          repeats)
    greedy = greedy_total(candidates, pool, taken, settings)
    slots = sum(m.free for m in result.mentors if m.note is None or m.note == "at capacity")
    print(f"learners {learners:>5}: {len(candidates):>4} need a mentor, {len(pool)} mentors, "
          f"{slots} free places with trained mentors")
    print(f"  load caseload       {load_s * 1000:8.1f} ms (median of {repeats})")
    print(f"  match (score+solve) {match_s * 1000:8.1f} ms   "
          f"= {match_s / load_s:.2f} x loading")
    print(f"  matched {len(result.pairs)}, unmatched {len(result.unmatched)}; total score "
          f"optimal {result.total_points:.2f} vs greedy {greedy:.2f} "
          f"(optimal/greedy = {result.total_points / greedy if greedy else float('nan'):.4f})")


def main() -> None:
    """Command line: sizes and repeats."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[200, 1000, 2000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for size in args.learners:
        run(size, args.repeats)


if __name__ == "__main__":
    main()

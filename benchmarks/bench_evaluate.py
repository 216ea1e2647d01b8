"""Benchmark: evaluate against summarise on a generated caseload (the bar: at most 1.2x).

    python benchmarks/bench_evaluate.py [--learners 2000] [--repeats 5]

Each measurement is what the command does without process start-up: open the caseload,
then run the core function, which reads the cases on every core (through the cache of
loaded cases) and sends back summary rows (`summarise`) or each case's facts and summary
row (`evaluate`, which then computes every figure for the whole period and the workload).
Runs are interleaved so that noise from a shared machine hits both alike; prints the
medians and their ratio. `benchmarks/run.py` measures both as whole processes too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_caseload
from pathway_cli.caseload import open_caseload
from pathway_cli.evaluation import evaluate_caseload
from pathway_cli.summary import summarise_folders

TODAY = date(2026, 11, 23)
LIMIT = 1.2


def summarise(root: Path) -> int:
    """What `pathway summarise` does."""
    return len(summarise_folders(open_caseload([root]), TODAY))


def evaluate(root: Path) -> int:
    """What `pathway evaluate` does."""
    return len(evaluate_caseload(open_caseload([root]), TODAY).figures)


def evaluate_by_cohort(root: Path) -> int:
    """What `pathway evaluate --by cohort` does."""
    return len(evaluate_caseload(open_caseload([root]), TODAY, by="cohort").figures)


TASKS: dict[str, Callable[[Path], int]] = {
    "summarise": summarise,
    "evaluate": evaluate,
    "evaluate --by cohort": evaluate_by_cohort,
}


def main() -> None:
    """Generate, time interleaved runs, print medians and ratios to summarise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_caseload(Path(tmp) / "caseload", args.learners)
        print(f"caseload: {args.learners} learners")
        for task in TASKS.values():  # warm the file cache and the imports
            task(root)
        times: dict[str, list[float]] = {name: [] for name in TASKS}
        for _ in range(args.repeats):
            for name, task in TASKS.items():
                start = time.perf_counter()
                task(root)
                times[name].append(time.perf_counter() - start)
        base = statistics.median(times["summarise"])
        for name, samples in times.items():
            median = statistics.median(samples)
            print(f"{name:<20}: median {median:.3f} s  ratio to summarise {median / base:.2f}")
        ratio = statistics.median(times["evaluate"]) / base
        verdict = "within" if ratio <= LIMIT else "OVER"
        print(f"evaluate / summarise = {ratio:.2f} ({verdict} the limit of {LIMIT})")


if __name__ == "__main__":
    main()

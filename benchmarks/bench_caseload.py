"""Benchmark: summarise, alerts and export on a generated caseload, against validate.

    python benchmarks/bench_caseload.py [--learners 2000] [--repeats 5]

Each measurement is what the command does without process start-up: load the caseload,
then run the core function (alerts with line numbers, as the command prints them).
Prints, from one run, the median of each and its ratio to validate on the same caseload.
Runs are interleaved so that noise from a shared machine hits all alike.
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
from pathway_cli.alerts import find_alerts
from pathway_cli.caseload import load_caseload
from pathway_cli.export import export_caseload, to_csv
from pathway_cli.summary import summarise_caseload
from pathway_cli.validation import validate_caseload

TODAY = date(2026, 11, 23)


def validate(root: Path) -> int:
    """What `pathway validate` does."""
    return validate_caseload(load_caseload([root]), TODAY).errors


def alerts(root: Path) -> int:
    """What `pathway alerts` does: every alert, placed at its line."""
    return len(find_alerts(load_caseload([root]), TODAY))


def summarise(root: Path) -> int:
    """What `pathway summarise` does."""
    return len(summarise_caseload(load_caseload([root]), TODAY))


def export(root: Path) -> int:
    """What `pathway export --format csv` does (one row a learner)."""
    return len(to_csv(export_caseload(load_caseload([root]), TODAY)))


def load(root: Path) -> int:
    """Loading alone: reading and shape-checking every file."""
    return len(load_caseload([root]).cases)


TASKS: dict[str, Callable[[Path], int]] = {
    "load only": load,
    "validate": validate,
    "alerts": alerts,
    "summarise": summarise,
    "export": export,
}


def main() -> None:
    """Generate, time interleaved runs, print medians and ratios to validate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_caseload(Path(tmp) / "caseload", args.learners)
        files = sorted(root.rglob("*.yaml"))
        print(f"caseload: {args.learners} learners, {len(files)} files")
        errors = validate(root)  # warms the file cache and imports
        if errors:
            raise SystemExit(f"generated caseload has {errors} errors; fix generate.py")
        caseload = load_caseload([root])
        found = find_alerts(caseload, TODAY)
        rows = summarise_caseload(caseload, TODAY)
        red = sum(1 for a in found if a.is_red)
        risky = sum(1 for r in rows if r.risk != "green")
        print(f"alerts: {len(found)} ({red} red) for {risky} learners at risk")
        times: dict[str, list[float]] = {name: [] for name in TASKS}
        for _ in range(args.repeats):
            for name, task in TASKS.items():
                start = time.perf_counter()
                task(root)
                times[name].append(time.perf_counter() - start)
        base = statistics.median(times["validate"])
        for name, samples in times.items():
            median = statistics.median(samples)
            print(f"{name:<10}: median {median:.3f} s  "
                  f"({median / args.learners * 1000:.2f} ms a learner)  "
                  f"ratio to validate {median / base:.2f}")


if __name__ == "__main__":
    main()

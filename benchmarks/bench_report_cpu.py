"""Benchmark: CPU time a report of a Markdown batch, in one process, without loading.

    python benchmarks/bench_report_cpu.py [--learners 3000] [--keep DIR] [--cases 600]
                                          [--template plan] [--rounds 5]

Loads a generated caseload (``generate.py --years 1``; ``--keep`` reuses or keeps it), takes
the first ``--cases`` active cases and renders them to Markdown with ``render_batch`` in this
process, ``--rounds`` times; prints the first, the fastest and the median round as CPU
milliseconds a report (``time.process_time``: checks, redaction, template, writing). What a batch on
workers pays a report besides loading the case. CPU time, so that other work on a shared
machine moves it less than wall time; figures, not a pass/fail.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_caseload
from pathway_cli.caseload import load_caseload
from pathway_cli.rendering.batch import render_batch, select_cases
from pathway_cli.rendering.options import OutputFormat, RenderOptions

TODAY = date(2026, 11, 23)


def main() -> None:
    """Generate or reuse, render the rounds, print CPU milliseconds a report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=3000)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--template", default="plan")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pathway-report-cpu-"))
    try:
        root = args.keep or work / "caseload"
        if not (root / "pathway.yaml").is_file():
            generate_caseload(root, args.learners, years=1)
        caseload = load_caseload([root])
        cases = select_cases(caseload, ["active"])[: args.cases]
        options = RenderOptions(args.template, "team", OutputFormat.md, TODAY)
        rounds: list[float] = []
        written = 0
        for _ in range(args.rounds):
            out = work / "out"
            shutil.rmtree(out, ignore_errors=True)
            start = time.process_time()
            written = len(render_batch(caseload, cases, options, out, jobs=1).written)
            rounds.append((time.process_time() - start) / max(written, 1) * 1000)
        # The first round is what a batch pays (each case is rendered once); later rounds
        # find what the first one left in memory (lookups the rules and filters keep).
        print(f"{args.template}, {written} reports of {len(cases)} active cases: "
              f"first round {rounds[0]:.3f} ms CPU a report, fastest {min(rounds):.3f}, "
              f"median {statistics.median(rounds):.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

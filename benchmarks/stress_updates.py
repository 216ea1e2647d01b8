"""Stress: many `pathway set` processes at once on one case; every reported write must land.

    python benchmarks/stress_updates.py [--processes 40] [--rounds 3]

Copies sample_cases to a temporary folder, then for each round starts ``--processes``
processes of ``pathway set L-2026-008 learner extra.rRkN=v`` at the same moment and waits
for them. Prints per round: how many exited 0 ("wrote"), how many were refused (exit 1
with a message), how many of the round's keys reached learner.yaml, the internal errors,
and the wall time. Lost writes (reported but not in the file) are the defect the case lock
prevents; a figure, not a verdict (tests/test_concurrency.py is the test).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
CASE = "L-2026-008"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "caseload"
        shutil.copytree(REPO / "sample_cases", root)
        learner = root / "cases" / CASE / "learner.yaml"
        lost_total = 0
        for round_ in range(1, args.rounds + 1):
            keys = [f"r{round_}k{n}" for n in range(args.processes)]
            started = time.perf_counter()
            processes = [
                subprocess.Popen(
                    [sys.executable, "-m", "pathway_cli", "set", CASE, "learner",
                     f"extra.{key}=v", "--caseload", str(root), "--today", "2026-11-23"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                for key in keys
            ]
            wrote, refused, internal = set(), 0, 0
            for key, process in zip(keys, processes, strict=True):
                out, err = process.communicate()
                internal += "internal error" in out + err
                if process.returncode == 0:
                    wrote.add(key)
                else:
                    refused += 1
            seconds = time.perf_counter() - started
            data = yaml.safe_load(learner.read_text(encoding="utf-8")) or {}
            landed = {k for k in (data.get("extra") or {}) if k in keys}
            lost = len(wrote - landed)
            lost_total += lost
            print(f"round {round_}: {args.processes} processes, wrote {len(wrote)}, refused "
                  f"{refused}, keys in the file {len(landed)}, lost {lost}, internal errors "
                  f"{internal}, {seconds:.1f} s")
        print(f"lost writes in {args.rounds} rounds: {lost_total}")


if __name__ == "__main__":
    main()

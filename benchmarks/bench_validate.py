"""Benchmark: validate a generated caseload, against loading the same files with CSafeLoader.

    python benchmarks/bench_validate.py [--learners 2000] [--repeats 5]

Prints, from one run, the median time of each and their ratio (target: at most 1.3 on
one core). Runs are interleaved so that noise from a shared machine hits both alike.
"""

from __future__ import annotations

import argparse
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
from pathway_cli.loader import parse_text
from pathway_cli.validation import validate_caseload

TODAY = date(2026, 11, 23)
BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{c}: &{c} [{', '.join(['*' + p] * 9)}]"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def load_only(files: list[Path]) -> int:
    """The baseline: read every file and parse it with PyYAML's C safe loader."""
    count = 0
    for path in files:
        data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
        count += data is not None
    return count


def validate(root: Path) -> int:
    """What `pathway validate` does, without process start-up."""
    result = validate_caseload(load_caseload([root]), TODAY)
    return result.errors


def main() -> None:
    """Generate, time interleaved runs, print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_caseload(Path(tmp) / "caseload", args.learners)
        files = sorted(root.rglob("*.yaml"))
        size = sum(p.stat().st_size for p in files)
        print(f"caseload: {args.learners} learners, {len(files)} files, "
              f"{size / 1024 / 1024:.1f} MiB ({size / len(files) / 1024:.1f} KiB a file)")
        errors = validate(root)  # warm the file cache and imports
        if errors:
            raise SystemExit(f"generated caseload has {errors} errors; fix generate.py")
        load_times, validate_times = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            load_only(files)
            load_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            validate(root)
            validate_times.append(time.perf_counter() - start)
        load_med = statistics.median(load_times)
        val_med = statistics.median(validate_times)
        print(f"CSafeLoader alone : median {load_med:.3f} s "
              f"({load_med / len(files) * 1000:.3f} ms a file)")
        print(f"pathway validate  : median {val_med:.3f} s "
              f"({val_med / len(files) * 1000:.3f} ms a file)")
        print(f"ratio validate / load: {val_med / load_med:.2f} (target <= 1.30)")
    start = time.perf_counter()
    _, problems = parse_text(BOMB)
    bomb = time.perf_counter() - start
    print(f"billion-laughs file ({len(BOMB)} bytes): refused in {bomb * 1000:.1f} ms "
          f"({problems[0].rule if problems else 'NOT REFUSED'})")


if __name__ == "__main__":
    main()

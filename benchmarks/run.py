"""One benchmark runner: every command on one generated caseload, against the parser's floor.

    python benchmarks/run.py --learners 3000 [--years 2] [--repeats 5] [--keep DIR]

Generates a caseload with history (``generate.py --years``: cases up to that many years old,
reviews accumulating) and a 10-learner one, then runs each command as a user does, as a whole
process (``python -m pathway_cli ...``, output to a file, not a terminal), and prints for each:

- the median wall time of ``--repeats`` runs, cold (pathway's cache set aside before each run,
  where the version has one: moved away, and deleted after the last run, see ``Trash``) and
  warm (the cache left from the run before);
- the ratio of each median to the floor: one process that reads every record file and parses it
  with PyYAML's ``CSafeLoader``, measured in the same run, interleaved with the commands so that
  noise on a shared machine hits both alike;
- the peak memory (maximum resident set size) of the command's process.

Start-up (``--help``, ``--version``, ``CMD --help``) is compared with ``python -c "import typer"``
instead, an update at N learners with the same update at 10 learners, and batch ``render --to md``
with ``summarise`` (warm): into an empty folder (the reports of the run before set aside), again
with nothing changed (every report up to date), and after one active case's plan was edited.
Batch PDF is given as CPU milliseconds a report (parent and workers, from ``getrusage``), over
``--pdf-reports`` reports. The last column is the CPU seconds (user + system) of a run, the
process and its workers (median). Never part of the test suite's pass/fail: figures, not
verdicts.

    python benchmarks/run.py --memory --learners 10000 --years 1

measures only the peak memory of ``validate``, cold and warm, of the parent process and of the
largest worker separately.

Commands run with byte code cached as an installed pathway has it (``PYTHONDONTWRITEBYTECODE``
is dropped for them): otherwise every run would compile pathway's modules afresh.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_caseload

TODAY = "2026-11-23"
PATHWAY = [sys.executable, "-m", "pathway_cli"]
# Runs pathway as ``python -m pathway_cli`` does and writes the peak memory of this process and
# of its largest worker (MiB) to the file named by PATHWAY_BENCH_PEAKS.
PEAKS_SCRIPT = """
import json, os, resource, runpy, sys
sys.argv = ["pathway", *sys.argv[1:]]
try:
    runpy.run_module("pathway_cli", run_name="__main__", alter_sys=True)
finally:
    peaks = {"parent": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
             "worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
    with open(os.environ["PATHWAY_BENCH_PEAKS"], "w") as out:
        json.dump(peaks, out)
"""
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
FLOOR_SCRIPT = """
import sys, yaml
from pathlib import Path
n = 0
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    n += yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader) is not None
"""


@dataclass
class Timing:
    """Wall times (s) and peak memory (MiB) of one measured command."""

    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system, the process and its workers
    peak_mib: float = 0.0
    codes: set[int] = field(default_factory=set)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(argv: Sequence[str], cwd: Path | None = None, cpu: list[float] | None = None,
             env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Run ``argv`` to completion; return wall seconds, peak RSS in MiB and the exit code.

    The peak is that of the process or of its largest worker, whichever is larger (what
    ``wait4`` reports). With ``cpu``, the CPU seconds of the process and of all its
    children (``RUSAGE_CHILDREN`` before and after) are appended to it.
    """
    with tempfile.TemporaryFile() as sink:
        before = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=sink, stderr=sink, stdin=subprocess.DEVNULL,
                                cwd=cwd, env={**ENV, "NO_COLOR": "1", **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        if cpu is not None:
            cpu.append(_children_cpu() - before)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1, 2):
            sink.seek(0)
            tail = sink.read()[-2000:].decode("utf-8", "replace")
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{tail}")
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


class Trash:
    """Folders set aside before a run and deleted after the whole measurement.

    Deleting thousands of files just before a timed run (the cache before a cold run, the
    reports of the batch before) leaves the file system busy with their freeing (on ext4
    with ``discard``, for about a second), and the run then paid for the harness's clean-up:
    cold validate measured 5.1-5.4 s right after the cache was deleted and 4.0-4.2 s after
    it was moved away. A folder is moved into the trash (one rename) instead, and the trash
    is emptied when every run is done.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def set_aside(self, path: Path) -> None:
        """Move ``path`` out of the way (deleted at once where it cannot be moved)."""
        if not path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        try:
            path.rename(self.folder / str(self.count))
        except OSError:  # another file system: deleted here, as before
            shutil.rmtree(path, ignore_errors=True)

    def empty(self) -> None:
        """Delete what was set aside."""
        shutil.rmtree(self.folder, ignore_errors=True)


def clear_cache(root: Path, trash: Trash) -> None:
    """Set pathway's cache aside (a cold run); a no-op where there is none."""
    trash.set_aside(root / ".pathway" / "cache")


@dataclass
class Bench:
    """A named measurement: how to run it, and what to do before each run."""

    name: str
    argv: list[str] | Callable[[], list[str]]
    before: Callable[[], None] = lambda: None
    reference: str = "floor"
    timing: Timing = field(default_factory=Timing)
    reports: int = 0  # a batch: figures in CPU milliseconds a report instead of a ratio


# The row each reference of a ratio is measured by (kept when --only leaves it out).
REFERENCE_ROWS = {"typer": "import typer", "update10": "update at 10 learners",
                  "summarise": "summarise, warm"}


def argv_of(bench: Bench) -> list[str]:
    """The command line of one run (an update changes a value that differs every run)."""
    return bench.argv() if callable(bench.argv) else bench.argv


def update(caseload: Path, case: str) -> Callable[[], list[str]]:
    """An update of one goal's progress in ``case``, a different value each run."""
    counter = iter(range(10**9))
    return lambda: [*PATHWAY, "goal", case, "G1", "--progress", str(next(counter) % 90 + 5),
                    "--caseload", str(caseload), "--today", TODAY]


def measure(benches: list[Bench], repeats: int) -> None:
    """Run every bench ``repeats`` times, interleaved (one of each per round)."""
    for bench in benches:  # one untimed run each: imports and the file cache warmed alike
        bench.before()
        run_once(argv_of(bench))
    for round_no in range(repeats):
        for bench in benches:
            bench.before()
            seconds, peak, code = run_once(argv_of(bench), cpu=bench.timing.cpu)
            bench.timing.seconds.append(seconds)
            bench.timing.peak_mib = max(bench.timing.peak_mib, peak)
            bench.timing.codes.add(code)
        print(f"  round {round_no + 1}/{repeats} done", file=sys.stderr)


def touch_one(path: Path) -> Callable[[], None]:
    """Before each run, change one record file (a comment line at its end) as an edit would."""
    original = path.read_bytes()
    counter = iter(range(10**9))

    def change() -> None:
        path.write_bytes(original + f"# edit {next(counter)}\n".encode())

    return change


def main() -> None:
    """Generate, measure every command, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=3000)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    parser.add_argument("--skip-render", action="store_true", help="leave out batch render")
    parser.add_argument("--pdf-reports", type=int, default=200,
                        help="cases in the batch PDF render (0: leave it out)")
    parser.add_argument("--memory", action="store_true",
                        help="only the peak memory of validate (parent and largest worker)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="measure only the rows whose name starts with one of these "
                        "(e.g. --only validate); the floor is always measured")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pathway-bench-"))
    root = args.keep or work / "big"
    # beside the caseload (one file system: setting aside is a rename), emptied at the end
    trash = Trash(root.parent / f".{root.name}-trash")
    try:
        if not (root / "pathway.yaml").is_file():
            print(f"generating {args.learners} learners ...", file=sys.stderr)
            generate_caseload(root, args.learners, years=args.years)
        small = generate_caseload(work / "small", 10, years=args.years)
        files = sorted(root.rglob("*.yaml"))
        files = [p for p in files if ".pathway" not in p.parts]
        size = sum(p.stat().st_size for p in files)
        print(f"caseload: {args.learners} learners, {len(files):,} files, "
              f"{size / 2**20:.1f} MiB ({size / len(files) / 1024:.1f} KiB a file); "
              f"{os.cpu_count()} cores; {args.repeats} runs each, interleaved")

        if args.memory:
            measure_memory(root, args.repeats, trash)
            return
        case_dirs = sorted(p for p in (root / "cases").iterdir() if (p / "plan.yaml").is_file())
        first = case_dirs[0]
        first_small = sorted(p for p in (small / "cases").iterdir()
                             if (p / "plan.yaml").is_file())[0]
        cold = lambda: clear_cache(root, trash)  # noqa: E731
        out = work / "out"
        sel = [str(root), "--today", TODAY]
        benches = [
            Bench("floor: CSafeLoader, one process", [sys.executable, "-c", FLOOR_SCRIPT,
                                                       str(root)]),
            Bench("validate, cold", [*PATHWAY, "validate", *sel], cold),
            Bench("validate, warm", [*PATHWAY, "validate", *sel]),
            Bench("validate, one file changed", [*PATHWAY, "validate", *sel],
                  touch_one(first / "plan.yaml")),
            Bench("alerts, cold", [*PATHWAY, "alerts", *sel], cold),
            Bench("alerts, warm", [*PATHWAY, "alerts", *sel]),
            Bench("summarise, cold", [*PATHWAY, "summarise", *sel], cold),
            Bench("summarise, warm", [*PATHWAY, "summarise", *sel]),
            Bench("evaluate, warm", [*PATHWAY, "evaluate", *sel], reference="summarise"),
            Bench("export csv, warm", [*PATHWAY, "export", *sel, "-o",
                                       str(work / "export.csv")]),
            Bench("import typer", [sys.executable, "-c", "import typer"], reference="typer"),
            Bench("pathway --help", [*PATHWAY, "--help"], reference="typer"),
            Bench("pathway --version", [*PATHWAY, "--version"], reference="typer"),
            *(Bench(f"pathway {' '.join(words)} --help", [*PATHWAY, *words, "--help"],
                    reference="typer")
              for words in (["validate"], ["goal"], ["review", "new"], ["render"])),
            Bench("update at 10 learners", update(small, first_small.name),
                  reference="update10"),
            Bench(f"update at {args.learners} learners", update(root, first.name),
                  reference="update10"),
        ]
        if not args.skip_render:
            batch = [*PATHWAY, "render", *sel, "--template", "plan", "--to", "md", "-o",
                     str(out)]
            active = next(p for p in case_dirs
                          if "status: active" in (p / "learner.yaml").read_text("utf-8"))
            # One folder, in this order each round: every report made afresh, then one made
            # again, then none (the output folder is part of what a report is made for, so
            # a batch into another folder would make every report again).
            benches += [
                Bench("render --to md, into an empty folder", batch,
                      lambda: trash.set_aside(out), reference="summarise"),
                Bench("render --to md, one case changed", batch,
                      touch_one(active / "plan.yaml"), reference="summarise"),
                # an untimed summarise first, so that the next round's warm summarise finds
                # the changed case's facts cached, as it does after the cold rows of a full run
                Bench("render --to md again, nothing changed", batch,
                      lambda: run_once([*PATHWAY, "summarise", *sel]), reference="summarise"),
            ]
        if args.pdf_reports:
            # Active cases of the generated caseload, a report each (those refused are few).
            chosen = [str(p) for p in case_dirs[: args.pdf_reports]]
            pdf_out = work / "pdf"
            count = len(chosen)
            benches.append(Bench(f"render --to pdf, {count} cases",
                                 [*PATHWAY, "render", *chosen, "--today", TODAY, "--template",
                                  "plan", "--status", "all", "--to", "pdf", "-o", str(pdf_out)],
                                 lambda: trash.set_aside(pdf_out),
                                 reference="cpu", reports=count))
        if args.only:  # with the rows the chosen ones are compared with
            chosen_rows = [b for b in benches[1:] if b.name.startswith(tuple(args.only))]
            needed = {REFERENCE_ROWS.get(b.reference, "") for b in chosen_rows} - {""}
            benches = [b for b in benches if b is benches[0] or b in chosen_rows
                       or b.name in needed]
        measure(benches, args.repeats)
        for bench in benches:  # name the reports the batches actually wrote
            if bench.reports:
                bench.reports = len(list(Path(argv_of(bench)[-1]).glob("*.pdf")))
            elif bench.name.startswith("render --to md, into"):
                written = [p for p in out.glob("*.md") if not p.name.startswith("index-")]
                print(f"batch render --to md: {len(written):,} reports", file=sys.stderr)

        def median_of(prefix: str) -> float:
            found = [b for b in benches if b.name.startswith(prefix)]
            return found[0].timing.median if found else float("nan")

        refs = {
            "floor": benches[0].timing.median,
            "typer": median_of("import typer"),
            "update10": median_of("update at 10"),
            "summarise": median_of("summarise, warm"),
            "cpu": float("nan"),
        }
        names = {"floor": "floor", "typer": "import typer", "update10": "update at 10",
                 "summarise": "summarise, warm", "cpu": "ms CPU/report"}
        print(f"\n{'command':<38} {'median':>9} {'ratio':>7}  {'to':<16} {'peak MiB':>8} "
              f"{'CPU s':>6}")
        for bench in benches:
            median = bench.timing.median
            ratio = median / refs[bench.reference]
            if bench.reports:  # CPU of parent and workers a report, in milliseconds
                ratio = statistics.median(bench.timing.cpu) / bench.reports * 1000
            odd = sorted(bench.timing.codes - {0, 1})
            note = f"  (exit {', '.join(map(str, odd))}: not measured)" if odd else ""
            unit = " " if bench.reports else "x"
            cpu = statistics.median(bench.timing.cpu) if bench.timing.cpu else float("nan")
            shown = f"{ratio:>6.3f}" if unit == "x" and ratio < 0.2 else f"{ratio:>6.2f}"
            print(f"{bench.name:<38} {median:>8.3f}s {shown}{unit}  "
                  f"{names[bench.reference]:<16} {bench.timing.peak_mib:>8.0f} {cpu:>6.2f}"
                  f"{note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        trash.empty()


def measure_memory(root: Path, repeats: int, trash: Trash) -> None:
    """Peak memory of ``validate`` on ``root``, cold and warm: parent and largest worker."""
    peaks_file = root.parent / f".{root.name}-peaks.json"
    rows: dict[str, list[dict[str, float]]] = {"validate, cold": [], "validate, warm": []}
    argv = [sys.executable, "-c", PEAKS_SCRIPT, "validate", str(root), "--today", TODAY]
    env = {"PATHWAY_BENCH_PEAKS": str(peaks_file)}
    clear_cache(root, trash)
    run_once(argv, env=env)  # untimed: imports and the file cache warmed
    for _ in range(repeats):
        for name, rows_of in rows.items():
            if name.endswith("cold"):
                clear_cache(root, trash)
            seconds, _, _ = run_once(argv, env=env)
            peaks = json.loads(peaks_file.read_text())
            rows_of.append({"seconds": seconds, **peaks})
    print(f"\n{'command':<20} {'median':>9} {'parent MiB':>11} {'largest worker MiB':>19}")
    for name, found in rows.items():
        print(f"{name:<20} {statistics.median(r['seconds'] for r in found):>8.3f}s "
              f"{max(r['parent'] for r in found):>11.0f} {max(r['worker'] for r in found):>19.0f}")
    peaks_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

"""Benchmark: render every case of a generated caseload to Markdown and to PDF.

    python benchmarks/bench_render.py [--learners 1000] [--repeats 3] [--pdf-repeats 3]
                                      [--languages-only]

Prints, from one run, medians over repeats: the time to load the caseload (what every
command pays), the time to render every case's report (template ``case``, audience
``team``, every status) to Markdown and to PDF, reports per second, and each render's
ratio to the load time. PDF is timed with one worker process and with one per core.
Times are the batch as ``pathway render`` runs it (validation, redaction, templates,
typesetting and atomic writes), without the program's start-up.

Then the cost of a report language: the ``progress`` report of every case in each
language pathway has (Markdown, and PDF for English, German and Arabic), as a ratio to
English; the target is at most 1.10.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_caseload
from pathway_cli.caseload import Caseload, load_caseload
from pathway_cli.i18n import available_languages, language
from pathway_cli.rendering.batch import render_batch, select_cases
from pathway_cli.rendering.options import OutputFormat, RenderOptions

TODAY = date(2026, 11, 23)


def load(root: Path) -> Caseload:
    """What every command does first."""
    return load_caseload([root])


def render(caseload: Caseload, fmt: OutputFormat, out: Path, jobs: int) -> int:
    """Render the case summary of every case; return how many were written."""
    cases = select_cases(caseload, ["all"])
    options = RenderOptions("case", "team", fmt, TODAY)
    result = render_batch(caseload, cases, options, out, jobs=jobs)
    return len(result.written)


def render_in(caseload: Caseload, fmt: OutputFormat, out: Path, lang: str) -> int:
    """Render every case's progress report in ``lang``; return how many were written."""
    cases = select_cases(caseload, ["all"])
    options = RenderOptions("progress", "team", fmt, TODAY, lang=lang)
    result = render_batch(caseload, cases, options, out, jobs=1)
    return len(result.written)


def languages(caseload: Caseload, out: Path, repeats: int, pdf_repeats: int) -> None:
    """Each language's render time as a ratio to English.

    The languages take turns within each round, each round starting with another one, so
    that a slower moment of a shared machine does not fall on one language only.
    """
    codes = [c for c in available_languages() if language(c).covers("progress")]
    for fmt, wanted, runs in ((OutputFormat.md, codes, repeats),
                              (OutputFormat.pdf, ["en", "de", "ar"], pdf_repeats)):
        order = [c for c in wanted if c in codes]
        times: dict[str, list[float]] = {code: [] for code in order}
        written = 0
        for code in order:
            render_in(caseload, fmt, out, code)  # load the catalogue and the fonts
        for round_ in range(runs):
            # Each round starts with another language: no language always comes first.
            shift = round_ % len(order)
            for code in order[shift:] + order[:shift]:
                start = time.perf_counter()
                written = render_in(caseload, fmt, out, code)
                times[code].append(time.perf_counter() - start)
        # The fastest round is the one least disturbed by other work on a shared machine.
        base, best = statistics.median(times["en"]), min(times["en"])
        for code in order:
            seconds, fastest = statistics.median(times[code]), min(times[code])
            print(f"progress {fmt.value:<4} {code:<3}: median {seconds:.3f} s for {written} "
                  f"reports ({seconds / base:.3f}x English), fastest {fastest:.3f} s "
                  f"({fastest / best:.3f}x English)")


def median_time(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Median wall time of ``repeats`` runs, and the last run's result."""
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    """Generate, time, print medians, rates and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pdf-repeats", type=int, default=3)
    parser.add_argument("--languages-only", action="store_true",
                        help="time only the report languages")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        root = generate_caseload(Path(tmp) / "caseload", args.learners)
        out = Path(tmp) / "out"
        caseload = load(root)  # warm the file cache and the imports
        render(caseload, OutputFormat.md, out, 1)
        load_s, _ = median_time(lambda: load(root), args.repeats)
        print(f"caseload: {args.learners} learners, {len(caseload.cases)} cases; {cores} cores")
        print(f"load caseload      : median {load_s:.3f} s")
        if args.languages_only:
            languages(caseload, out, args.repeats, args.pdf_repeats)
            return
        rows = [
            ("markdown", OutputFormat.md, 1, args.repeats),
            ("html", OutputFormat.html, 1, args.repeats),
            ("pdf, 1 process", OutputFormat.pdf, 1, args.pdf_repeats),
            (f"pdf, {cores} processes", OutputFormat.pdf, cores, args.pdf_repeats),
        ]
        pdf_one = 0.0
        for label, fmt, jobs, repeats in rows:
            seconds, written = median_time(lambda f=fmt, j=jobs: render(caseload, f, out, j),
                                           repeats)
            assert isinstance(written, int)
            if fmt is OutputFormat.pdf and jobs == 1:
                pdf_one = seconds
            extra = ""
            if fmt is OutputFormat.pdf and jobs > 1 and pdf_one:
                extra = f", {pdf_one / seconds:.2f}x the single process"
            print(f"render {label:<18}: median {seconds:.2f} s for {written} reports, "
                  f"{written / seconds:.0f} reports/s, {seconds / written * 1000:.1f} ms a "
                  f"report, {seconds / load_s:.1f}x the load time{extra}")
        languages(caseload, out, args.repeats, args.pdf_repeats)


if __name__ == "__main__":
    main()

"""Benchmark: where the extra time of an Arabic PDF goes.

    python benchmarks/bench_arabic_pdf.py [--learners 60] [--rounds 8]

Makes the Typst source of every case's ``progress`` report in English and in Arabic once,
then compiles variants of the Arabic sources in interleaved rounds and prints, per variant,
the CPU time a report (fastest and median round) and the ratio to English:

- ``ar``: as pathway makes it (Amiri after Libertinus Serif, names in Unicode isolates);
- ``ar, no isolates``: the FSI/PDI around inserted values removed;
- ``ar, Hebrew letters``: every Arabic letter replaced by a Hebrew one (right to left,
  without Arabic shaping: what the direction itself costs);
- ``ar, Latin letters``: every Arabic letter replaced by ``a`` (the same document in Latin);
- ``ar, Noto Naskh Arabic``: another OFL Naskh font with lighter tables, when Debian's
  fonts-noto-core is installed (not shipped: its marks extract as stray letters).

Only the Typst compile is timed (CPU time of this process), not the templates.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_caseload
from pathway_cli.caseload import load_caseload
from pathway_cli.errors import UserError
from pathway_cli.rendering.batch import select_cases
from pathway_cli.rendering.finishing import assets_for
from pathway_cli.rendering.options import OutputFormat, RenderOptions
from pathway_cli.rendering.preparing import prepare_case
from pathway_cli.typesetting import typst_document

TODAY = date(2026, 11, 23)
NOTO = Path("/usr/share/fonts/truetype/noto")
ARABIC = re.compile("[\u0600-\u06ff]")
ISOLATES = re.compile("[\u2066-\u2069]")


def sources(learners: int) -> tuple[dict[str, list[str]], Path, tuple[Path, ...]]:
    """The Typst source of each case's progress report in English and Arabic."""
    with tempfile.TemporaryDirectory() as tmp:
        caseload = load_caseload([generate_caseload(Path(tmp) / "caseload", learners)])
        assets = assets_for(caseload)
        found: dict[str, list[str]] = {"en": [], "ar": []}
        for case in select_cases(caseload, ["all"]):
            for lang, docs in found.items():
                options = RenderOptions("progress", "team", OutputFormat.pdf, TODAY, lang=lang)
                try:
                    prepared = prepare_case(caseload, case, options)
                except UserError:  # a case without a plan, say: no progress report
                    continue
                docs.append(typst_document(prepared.meta, assets.typst, prepared.body))
    return found, assets.typst_root, assets.font_dirs


def main() -> None:
    """Build the variants, time them in interleaved rounds, print times and ratios."""
    import typst

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    docs, root, fonts = sources(args.learners)
    arabic = docs["ar"]
    variants: dict[str, tuple[list[str], tuple[Path, ...]]] = {
        "en": (docs["en"], fonts),
        "ar": (arabic, fonts),
        "ar, no isolates": ([ISOLATES.sub("", s) for s in arabic], fonts),
        "ar, Hebrew letters": ([ARABIC.sub("\u05d0", s) for s in arabic], fonts),
        "ar, Latin letters": ([ARABIC.sub("a", s) for s in arabic], fonts),
    }
    if (NOTO / "NotoNaskhArabic-Regular.ttf").is_file():
        variants["ar, Noto Naskh Arabic"] = (
            [s.replace('"Amiri"', '"Noto Naskh Arabic"') for s in arabic], (NOTO,))
    stamp = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    compilers = {paths: typst.Compiler(root=str(root), font_paths=[str(p) for p in paths],
                                       ignore_system_fonts=True)
                 for paths in {paths for _, paths in variants.values()}}
    encoded = {name: [s.encode("utf-8") for s in texts]
               for name, (texts, _) in variants.items()}

    def compile_all(name: str) -> float:
        compiler = compilers[variants[name][1]]
        start = time.process_time()
        for source in encoded[name]:
            compiler.compile(source, format="pdf", timestamp=stamp)
        return (time.process_time() - start) / len(encoded[name]) * 1000

    for name in variants:  # load the fonts, fill Typst's caches
        compile_all(name)
    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_ in range(args.rounds):
        shift = round_ % len(names)  # no variant always comes first
        for name in names[shift:] + names[:shift]:
            times[name].append(compile_all(name))
    print(f"{len(arabic)} progress reports a variant, {args.rounds} rounds; CPU ms a report")
    best, middle = min(times["en"]), statistics.median(times["en"])
    for name in names:
        fastest, median = min(times[name]), statistics.median(times[name])
        print(f"{name:<22}: fastest {fastest:6.2f} ms ({fastest / best:.2f}x English), "
              f"median {median:6.2f} ms ({median / middle:.2f}x English)")


if __name__ == "__main__":
    main()

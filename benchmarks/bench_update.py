"""Benchmark: text-preserving updates, against ruamel.yaml round trips and PyYAML dumps.

    python benchmarks/bench_update.py [--repeats 21]

Prints, from one run, medians over repeats of:

- per-edit time of the splice engine (``editing.YamlText``) and of ruamel.yaml's
  round-trip mode (tuned to keep these files), on the sample files and on a 10 KiB plan;
- how many diff lines each approach changes for the same edit, and what PyYAML
  load-and-dump does to the 10 KiB plan (lines changed, comments and quotes lost);
- how many sample files survive a no-op round trip byte for byte (splice engine,
  ruamel.yaml default and tuned);
- a whole update as the commands do it (open the case, plan the change, validate the
  case with it; no process start-up), in the sample caseload and in a generated one of
  500 learners (an update costs the same whatever the size of the caseload).
"""

from __future__ import annotations

import argparse
import difflib
import io
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate_caseload
from pathway_cli.editing import YamlText
from pathway_cli.updates import apply_update, open_case, update_goal

TODAY = date(2026, 11, 23)
SAMPLE = Path(__file__).resolve().parents[1] / "sample_cases"


def median_ms(func: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``func`` in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def big_plan() -> str:
    """A hand-style plan of about 10 KiB: the sample plan's goals repeated, with comments."""
    text = (SAMPLE / "cases/L-2026-002/plan.yaml").read_text(encoding="utf-8")
    head, rest = text.split("goals:\n", 1)
    goals, tail = rest.split("career:", 1)
    blocks: list[str] = []
    while len(head) + sum(map(len, blocks)) + len(tail) < 10_000:
        shift = 3 * len(blocks)
        renamed = re.sub(r"id: G(\d)", lambda m, s=shift: f"id: G{int(m.group(1)) + s}", goals)
        blocks.append(f"  # --- goals, part {len(blocks) + 1} ---\n" + renamed.rstrip("\n")
                      + "\n\n")
    return head + "goals:\n" + "".join(blocks) + "career:" + tail


def ruamel(tuned: bool) -> YAML:
    """ruamel.yaml round-trip mode; tuned = the settings that keep the sample files."""
    handler = YAML()
    if tuned:
        handler.preserve_quotes = True
        handler.indent(mapping=2, sequence=4, offset=2)
        handler.width = 4096
    return handler


def ruamel_edit(text: str, edit: Callable[[Any], None], tuned: bool = True) -> str:
    """Load with ruamel.yaml, apply ``edit`` to the data, dump again."""
    handler = ruamel(tuned)
    data = handler.load(text)
    edit(data)
    out = io.StringIO()
    handler.dump(data, out)
    return out.getvalue()


def changed(old: str, new: str) -> int:
    """Number of '-' and '+' lines in a unified diff."""
    return sum(
        1 for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def goal_edit_splice(text: str, index: int) -> str:
    """Set progress and status of goal ``index`` with the splice engine."""
    doc = YamlText(text.encode("utf-8"))
    doc.set(("goals", index, "status"), "in-progress")
    doc.set(("goals", index, "progress"), 55)
    return doc.encode().decode("utf-8")


def goal_edit_unchecked(text: str, index: int) -> str:
    """The splice alone, without the engine's re-parse that proves nothing else changed."""
    original = YamlText._check
    YamlText._check = lambda self, expected, path: None  # type: ignore[method-assign]
    try:
        return goal_edit_splice(text, index)
    finally:
        YamlText._check = original  # type: ignore[method-assign]


def goal_edit_ruamel(text: str, index: int) -> str:
    """The same edit with ruamel.yaml."""
    def edit(data: Any) -> None:
        data["goals"][index]["status"] = "in-progress"
        data["goals"][index]["progress"] = 55
    return ruamel_edit(text, edit)


def round_trips() -> tuple[int, int, int, int]:
    """Sample files that a no-op round trip leaves byte-identical: splice, ruamel x2."""
    files = sorted(SAMPLE.rglob("*.yaml"))
    splice = sum(YamlText(p.read_bytes()).encode() == p.read_bytes() for p in files)
    counts = []
    for tuned in (False, True):
        same = 0
        for path in files:
            text = path.read_text(encoding="utf-8")
            same += ruamel_edit(text, lambda data: None, tuned) == text
        counts.append(same)
    return len(files), splice, counts[0], counts[1]


def whole_update(root: Path, case_id: str, goal_id: str) -> None:
    """What `pathway goal ... --dry-run` does after start-up: load, plan, validate, diff."""
    caseload, case = open_case(root, case_id)
    update = update_goal(case, goal_id, status="in-progress", progress=55, today=TODAY)
    apply_update(update, caseload, TODAY, dry_run=True)


def main() -> None:
    """Measure and print medians and ratios, all from this one run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    repeats = args.repeats

    sample_plan = (SAMPLE / "cases/L-2026-002/plan.yaml").read_text(encoding="utf-8")
    plan = big_plan()
    print(f"10 KiB plan: {len(plan.encode()):,} bytes, {plan.count(chr(10))} lines, "
          f"{plan.count('#')} comments")

    print("\none update (status + progress of one goal: two edits), median of", repeats,
          "\n(unchecked: the splice without the re-parse that proves nothing else changed)")
    print(f"{'file':<28}{'splice ms':>10}{'unchecked':>10}{'ruamel ms':>11}{'ratio':>8}"
          f"{'lines splice':>14}{'lines ruamel':>14}")
    # an at-risk goal: both edits change a line (the last block's first goal, near the end)
    for name, text, index in (("sample plan (1.6 KiB)", sample_plan, 0),
                              ("10 KiB plan, goal near end", plan, -3)):
        last = index if index >= 0 else len(yaml.safe_load(text)["goals"]) + index
        splice_ms = median_ms(lambda t=text, i=last: goal_edit_splice(t, i), repeats)
        bare_ms = median_ms(lambda t=text, i=last: goal_edit_unchecked(t, i), repeats)
        ruamel_ms = median_ms(lambda t=text, i=last: goal_edit_ruamel(t, i), repeats)
        print(f"{name:<28}{splice_ms:>10.2f}{bare_ms:>10.2f}{ruamel_ms:>11.2f}"
              f"{ruamel_ms / splice_ms:>7.1f}x"
              f"{changed(text, goal_edit_splice(text, last)):>14}"
              f"{changed(text, goal_edit_ruamel(text, last)):>14}")

    dumped = yaml.safe_dump(yaml.safe_load(plan), allow_unicode=True, sort_keys=False)
    print(f"\nPyYAML load+dump of the 10 KiB plan: {changed(plan, dumped)} diff lines, "
          f"comments {plan.count('#')} -> {dumped.count('#')}, "
          f"quotes {plan.count(chr(34))} -> {dumped.count(chr(34))}")

    total, splice, plain, tuned = round_trips()
    print(f"no-op round trip byte-identical on {total} sample files: splice {splice}/{total}, "
          f"ruamel default {plain}/{total}, ruamel tuned {tuned}/{total}")

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "sample"
        shutil.copytree(SAMPLE, small)
        bigcase = Path(tmp) / "bigplan"
        shutil.copytree(SAMPLE, bigcase)
        (bigcase / "cases/L-2026-002/plan.yaml").write_text(plan, encoding="utf-8")
        generated = generate_caseload(Path(tmp) / "generated", 500)
        some_case = sorted((generated / "cases").iterdir())[0].name
        goal_id = yaml.safe_load(
            (generated / "cases" / some_case / "plan.yaml").read_text(encoding="utf-8")
        )["goals"][0]["id"]
        print("\nwhole update (open case, plan, validate case, diff), median of", repeats)
        rows = (("sample caseload, L-2026-002", small, "L-2026-002", "G1"),
                ("sample, 10 KiB plan", bigcase, "L-2026-002", "G1"),
                ("generated, 500 learners", generated, some_case, goal_id))
        for name, root, case_id, gid in rows:
            ms = median_ms(lambda r=root, c=case_id, g=gid: whole_update(r, c, g), repeats)
            print(f"  {name:<30}{ms:>8.2f} ms")


if __name__ == "__main__":
    main()

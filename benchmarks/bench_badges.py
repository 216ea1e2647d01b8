"""Benchmark: signing, baking and verifying Open Badges 3.0 credentials.

    python benchmarks/bench_badges.py [--repeats 20]

On a copy of the sample caseload with a fresh issuer key, from one run, the median per
credential of: canonicalizing it (RDFC-1.0 with pyld, the bulk of a Data Integrity proof),
signing it with eddsa-rdfc-2022, signing it as a VC-JWT, drawing and baking its PNG and SVG,
and verifying each form; and the ratio of a Data Integrity proof to a JWT.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pathway_cli.badges.baking import badge_images, bake_png, bake_svg
from pathway_cli.badges.credential import build_badges
from pathway_cli.badges.jsonld import canonicalize
from pathway_cli.badges.keys import generate_key, load_issuer_key
from pathway_cli.badges.proof import sign_data_integrity, sign_jwt
from pathway_cli.badges.verify import VerifyOptions, verify_bytes
from pathway_cli.caseload import load_caseload

SAMPLE = Path(__file__).resolve().parents[1] / "sample_cases"
TODAY = date(2026, 11, 23)


def median_ms(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def draw_and_bake(name: str, text: str) -> tuple[bytes, bytes]:
    picture = badge_images("Berufskolleg Rheinstadt", name, "Badge", "Awarded 2026-04-17", None)
    return bake_png(picture.png, text), bake_svg(picture.svg, text, jwt=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "caseload"
        shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".pathway"))
        generate_key(root)
        caseload = load_caseload([root])
        key = load_issuer_key(root, caseload.settings)
        credentials = []
        for case in caseload.cases:
            result = build_badges(case, caseload.settings, TODAY)
            for badge in result.badges:
                unsigned = dict(badge.credential)
                unsigned["issuer"] = dict(unsigned["issuer"], id=key.did)
                credentials.append(unsigned)
        rows: dict[str, list[float]] = {k: [] for k in (
            "canonicalize", "sign eddsa-rdfc-2022", "sign VC-JWT", "draw + bake PNG and SVG",
            "verify JSON", "verify JWT", "verify baked PNG")}
        options = VerifyOptions(TODAY)
        canonicalize(credentials[0])  # warm the context cache, as a running program has it
        for credential in credentials:
            signed = sign_data_integrity(credential, key, TODAY)
            text = json.dumps(signed, indent=2)
            token = sign_jwt(credential, key)
            png = draw_and_bake(credential["name"], text)[0]
            rows["canonicalize"].append(median_ms(lambda c=credential: canonicalize(c),
                                                  args.repeats))
            rows["sign eddsa-rdfc-2022"].append(median_ms(
                lambda c=credential: sign_data_integrity(c, key, TODAY), args.repeats))
            rows["sign VC-JWT"].append(median_ms(lambda c=credential: sign_jwt(c, key),
                                                 args.repeats))
            rows["draw + bake PNG and SVG"].append(median_ms(
                lambda c=credential, t=text: draw_and_bake(c["name"], t), args.repeats))
            rows["verify JSON"].append(median_ms(
                lambda t=text: verify_bytes(t.encode(), options, Path("x.json")), args.repeats))
            rows["verify JWT"].append(median_ms(
                lambda t=token: verify_bytes(t.encode(), options, Path("x.jwt")), args.repeats))
            rows["verify baked PNG"].append(median_ms(
                lambda p=png: verify_bytes(p, options, Path("x.png")), args.repeats))
    print(f"{len(credentials)} credentials of the sample caseload, median of {args.repeats} "
          "runs each, then the median over credentials (ms):")
    figures = {name: statistics.median(values) for name, values in rows.items()}
    for name, value in figures.items():
        print(f"  {name:<26} {value:8.2f}")
    print(f"Data Integrity proof / VC-JWT signing: "
          f"{figures['sign eddsa-rdfc-2022'] / figures['sign VC-JWT']:.0f}x")
    print(f"canonicalizing the credential: "
          f"{figures['canonicalize'] / figures['sign eddsa-rdfc-2022']:.0%} of a Data "
          "Integrity signature (the rest is mostly the proof options' canonicalization)")


if __name__ == "__main__":
    main()

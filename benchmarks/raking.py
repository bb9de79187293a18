"""Speed of weighting one questionnaire's respondents: raking to age, sex and household vs age post-stratification.

    .venv/bin/python benchmarks/raking.py [--respondents 10000 100000 1000000] [--seed 1]

Generates adult respondents of the demo municipality Leefdam (demo.synthetic.generate_frame, with its response bias
in sex and living alone) and weights them once with analysis.weighting.poststratification_weights (age band only)
and once with raked_weights (sex, living alone, age band; trimmed at 5 times the mean). Prints the seconds of each,
the number of buurten raked, how many weights trimming capped, the largest remaining share difference, and the
median and largest design effect over the buurten. Run it on an otherwise quiet machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.weighting import poststratification_weights, raked_weights  # noqa: E402
from benchmarks.analysis import demo_buurten  # noqa: E402
from demo.synthetic import generate_frame  # noqa: E402
from surveys.instruments import load_instruments  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/raking.py", description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    instruments = load_instruments()
    adult = {"adult": instruments["adult"]}
    _areas, population, buurten = demo_buurten()
    print(
        f"{'respondents':>12} {'post-strat s':>13} {'raking s':>9} {'buurten':>8} {'trimmed':>8} {'max dev':>8}"
        f" {'deff med':>9} {'deff max':>9}"
    )
    for count in args.respondents:
        frame = generate_frame(adult, buurten, count, seed=args.seed)
        started = time.perf_counter()
        poststratification_weights(frame, adult["adult"], population)
        post = time.perf_counter() - started
        started = time.perf_counter()
        result = raked_weights(frame, adult["adult"], population)
        raking = time.perf_counter() - started
        summaries = list(result.areas.values())
        effects = np.array([summary.design_effect for summary in summaries])
        print(
            f"{count:>12,} {post:>13.3f} {raking:>9.3f} {len(summaries):>8} {sum(s.trimmed for s in summaries):>8}"
            f" {max(s.deviation for s in summaries):>8.1e} {np.median(effects):>9.2f} {effects.max():>9.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

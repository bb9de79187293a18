"""Information loss of disclosure control (analysis.disclosure.apply_disclosure) on synthetic waves, and its time.

    .venv/bin/python benchmarks/disclosure.py [--respondents 2000 --respondents 1000000] [--seed 26] [--clients 160]
                                              [--themes]

    make bench-disclosure   # the demo-sized wave (2,000 respondents) and a 1,000,000-respondent wave

For each `--respondents` count, generates a synthetic wave of the demo municipality Leefdam in memory
(demo.synthetic.generate_frame, as benchmarks/analysis.py does) plus `--clients` wijkteam clients with an intake
and a follow-up in random buurten, analyses it with analysis.run.run_analysis (default RunParams; themes only with
`--themes`, which takes minutes at 1,000,000), takes the records as they reach disclosure control and applies it
once more under a timer. Prints per instrument and in total the cells (one measure of one instrument in one area)
and how many of them are hidden by primary suppression alone ("suppressed_small": too few respondents or people in
a band) and in total (plus "suppressed_complementary": hidden so that a small group cannot be worked out), the
hidden share of the rows, the wijken with 100 or more respondents to a questionnaire that lose a scale mean, and
the seconds disclosure control takes. The aim: complementary suppression hides no more cells than primary
suppression, and no such wijk loses a scale mean.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import run as run_module  # noqa: E402
from analysis.disclosure import apply_disclosure  # noqa: E402
from analysis.records import SUPPRESSED, SUPPRESSED_COMPLEMENTARY, SUPPRESSED_SMALL  # noqa: E402
from benchmarks.analysis import demo_buurten  # noqa: E402
from demo.synthetic import generate_frame  # noqa: E402
from surveys.instruments import load_instruments  # noqa: E402


def synthetic_clients(buurten, count: int, seed: int) -> list[dict]:
    """`count` wijkteam clients in random buurten, rated on two 1..5 domains at intake and once later."""
    rng = np.random.default_rng(seed)
    records = []
    for number in range(count):
        buurt = buurten[int(rng.integers(len(buurten)))][0]
        intake = {domain: int(rng.integers(1, 5)) for domain in ("wonen", "gezondheid")}
        follow_up = {domain: int(np.clip(value + rng.integers(-1, 3), 1, 5)) for domain, value in intake.items()}
        for taken_at, ratings in (("2026-01-10", intake), ("2026-06-10", follow_up)):
            records.append(
                {
                    "client_key": f"c{number}",
                    "buurt_code": buurt,
                    "wijk_code": "WK" + buurt[2:8],
                    "taken_at": taken_at,
                    "ratings": ratings,
                }
            )
    return records


def measure(respondents: int, seed: int, clients: int, themes: bool) -> None:
    instruments = load_instruments()
    areas, population, buurten = demo_buurten()
    started = time.perf_counter()
    frame = generate_frame(instruments, buurten, respondents, seed)
    client_records = synthetic_clients(buurten, clients, seed) if clients else None
    generated = time.perf_counter() - started
    captured: dict[str, Any] = {}
    original = run_module.apply_disclosure

    def capture(records, areas, **options):
        captured["records"], captured["options"] = list(records), options
        return original(records, areas, **options)

    run_module.apply_disclosure = capture
    try:
        result = run_module.run_analysis(
            frame,
            instruments,
            population,
            areas,
            clients=client_records,
            seed=seed,
            params=run_module.RunParams(themes=themes),
        )
    finally:
        run_module.apply_disclosure = original
    del frame
    started = time.perf_counter()
    published = apply_disclosure(captured["records"], areas, **captured["options"])
    seconds = time.perf_counter() - started

    cells: dict[str, set] = defaultdict(set)
    small: dict[str, set] = defaultdict(set)
    complementary: dict[str, set] = defaultdict(set)
    for record in published:
        cell = (record.instrument, record.measure, record.area_code)
        for group in (record.instrument, "all"):
            cells[group].add(cell)
            if SUPPRESSED_SMALL in record.flags:
                small[group].add(cell)
            elif SUPPRESSED_COMPLEMENTARY in record.flags:
                complementary[group].add(cell)
    hidden_rows = sum(SUPPRESSED in record.flags for record in published)
    large = {
        (r.instrument, r.area_code)
        for r in captured["records"]
        if r.measure == "respondents" and r.statistic == "n" and r.area_level == "wijk" and (r.n or 0) >= 100
    }
    lost = sorted(
        {
            (r.instrument, r.measure, r.area_code)
            for r in published
            if (r.instrument, r.area_code) in large and r.statistic == "mean" and SUPPRESSED in r.flags
        }
    )

    print(
        f"disclosure benchmark: {respondents:,} respondents, {clients:,} wijkteam clients, seed {seed}, "
        f"themes {'on' if themes else 'off'}, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print(
        f"  generate {generated:.1f} s, analysis run {result.timings['total']:.1f} s "
        f"(of which disclosure {result.timings['disclosure']:.2f} s)"
    )
    print(
        f"  {'table':<16}{'cells':>8}{'primary':>10}{'share':>8}{'secondary':>11}{'share':>8}{'total':>8}{'share':>8}"
    )
    print(f"  {'-' * 76}")
    for group in sorted(cells, key=lambda name: (name == "all", name)):
        n, p, s = len(cells[group]), len(small[group]), len(complementary[group])
        print(f"  {group:<16}{n:>8,}{p:>10,}{p / n:>8.1%}{s:>11,}{s / n:>8.1%}{p + s:>8,}{(p + s) / n:>8.1%}")
    print(f"  rows: {len(published):,}, hidden {hidden_rows:,} ({hidden_rows / len(published):.1%})")
    print(
        f"  wijken with >= 100 respondents to a questionnaire: {len(large)}; scale means they lose: {len(lost)}"
        + (f" {lost[:5]}" if lost else "")
    )
    print(f"  apply_disclosure: {seconds:.2f} s")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/disclosure.py", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--respondents",
        type=int,
        action="append",
        help="respondents in a wave; repeat for several waves (default: 2000)",
    )
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--clients", type=int, default=160, help="wijkteam clients with a follow-up (default 160)")
    parser.add_argument("--themes", action="store_true", help="also the open-answer themes (slow at 1,000,000)")
    args = parser.parse_args(argv)
    for respondents in args.respondents or [2000]:
        measure(respondents, args.seed, args.clients, args.themes)
    return 0


if __name__ == "__main__":
    sys.exit(main())

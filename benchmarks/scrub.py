"""Recall and precision of the quote scrubber (analysis.scrub) on the PII battery, per language.

    .venv/bin/python benchmarks/scrub.py [--no-deduce] [--missed]

The battery (tests/analysis/pii_battery.py) holds residents' answers in nl, en, tr, ar, pl and uk with their personal
data marked, plus clean answers that must come through unchanged. Recall: the share of marked spans of which every
letter and digit was removed; precision: the share of removed letters and digits that were marked. `--missed` lists
the spans that survived and the clean answers that were changed. Also prints the scrubbing time per sentence, once
everything is loaded (deduce before the clock starts; the lexicons in a first pass, whose time is printed too).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.scrub import deduce_available, find_personal_data  # noqa: E402
from tests.analysis.pii_battery import AREAS, battery, clean, measure  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-deduce", action="store_true", help="heuristics only, also for Dutch")
    parser.add_argument("--missed", action="store_true", help="list the missed spans and changed clean answers")
    args = parser.parse_args(argv)
    use_deduce = not args.no_deduce
    if use_deduce:
        deduce_available()  # its tables load once; not part of the timing

    def find(text: str, language: str) -> list[tuple[int, int]]:
        return [
            (span.start, span.end) for span in find_personal_data(text, language, use_deduce=use_deduce, keep=AREAS)
        ]

    sentences = battery() + clean()
    started = time.perf_counter()
    scores = measure(find, sentences)  # the first pass also loads simplemma's lexicons and Babel's month names
    warm_up = time.perf_counter() - started
    started = time.perf_counter()
    measure(find, sentences)
    elapsed = time.perf_counter() - started
    print(f"{'language':<9}{'spans':>6}{'recall':>9}{'precision':>11}{'clean kept':>12}")
    for language, score in sorted(scores.items(), key=lambda item: (item[0] == "all", item[0])):
        print(
            f"{language:<9}{score.spans:>6}{score.recall:>9.1%}{score.precision:>11.1%}"
            f"{f'{score.clean_unchanged}/{score.clean}':>12}"
        )
    print(
        f"{len(sentences)} sentences, {1000 * elapsed / len(sentences):.2f} ms each"
        f" ({'with' if use_deduce else 'without'} deduce; first pass with loading {warm_up:.1f} s)"
    )
    if args.missed:
        for line in scores["all"].missed:
            print("missed", line)
        for sentence in clean():
            spans = find(sentence.text, sentence.language)
            if spans:
                print("changed", sentence.language, [sentence.text[start:end] for start, end in spans])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed and peak memory of one analysis run (analysis.run.run_analysis) on a synthetic wave, per stage.

    .venv/bin/python benchmarks/analysis.py --respondents 100000 [--seed 1] [--open-rate 1.0] [--no-themes]
                                            [--no-types] [--no-deduce] [--no-floor] [--detail]

Generates `--respondents` synthetic respondents of the demo municipality Leefdam in memory with
demo.synthetic.generate_frame (instrument mix adult/parent/youth 75/15/10, 3% item missingness, the planted
differences, varied open answers: adults answer two open questions, parents and youth one, mostly Dutch, the rest in
English, Turkish, Arabic, Polish and Ukrainian), then analyses the wave once with the default RunParams and prints
the run's own timings per stage (load, score, profiles, types, themes, disclosure, quotes), a reference pass over
the open answers (lower-case and split every answer: what any reading of the answers costs at least), and peak
memory: the resident set's high-water mark (getrusage ru_maxrss), reset after generating so that the run's peak is
its own. `--detail` also times the functions inside the stages (inclusive, with call counts; nested ones overlap).

Beside the run, in the same process and on the same inputs, it times two plain floors (issue 13: themes within 3x of
theirs) and prints the ratio:
- themes: for each open question and each language the run modelled, scikit-learn's TfidfVectorizer and NMF with
  their defaults at the number of themes the run chose for that language, fitted on the same answers (every answer
  of that language, as given), each answer assigned its largest topic; against the run's theme discovery of the
  question's answers (analysis.themes.discover_themes, language detection included);
- profiles: the mean of every score column and the count of every band per buurt, per wijk and for the municipality
  (pandas groupby) on the same scores; against the run's profiles (analysis.profiles.scale_profiles, with the
  weighting, intervals and tests it adds) and against the whole profiles stage (with raking and reliability).
Both floors run on one thread of the numeric libraries, as the run does (analysis.run: one thread gives the same
figures on any machine and is faster on shared cores); with BLAS's own threads the floor's time swung widely with
the machine's other work.
Run one benchmark at a time: the figures are only meaningful on an otherwise quiet machine.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import os
import resource
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import run as run_module  # noqa: E402
from analysis import themes as themes_module  # noqa: E402
from analysis.frames import CBS_AGE_BANDS, read_kwb  # noqa: E402
from analysis.run import RunParams, run_analysis  # noqa: E402
from demo.synthetic import generate_frame  # noqa: E402
from surveys.instruments import load_instruments  # noqa: E402

STAGES = ("load", "score", "profiles", "types", "themes", "disclosure", "quotes")
# Functions timed with --detail: (module, attribute) as the run looks them up.
DETAIL = [
    (run_module, "score_frame"),
    (run_module, "raked_weights"),
    (run_module, "item_value_frame"),
    (run_module, "scale_profiles"),
    (run_module, "fit_types"),
    (run_module, "type_shares"),
    (run_module, "discover_themes"),
    (themes_module, "detect_languages"),
    (themes_module, "_model_language"),
    (themes_module, "fit_transform"),
    (themes_module, "_neighbour_graph"),
    (themes_module, "_eigengap"),
    (themes_module, "_spectral_labels"),
    (themes_module, "_assign"),
    (run_module, "theme_prevalence"),
    (run_module, "apply_disclosure"),
    (run_module, "representative_quotes"),
    (run_module, "scrub"),
]


def peak_mb() -> float:
    """The process's resident high-water mark in MB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Reset the high-water mark to the current resident set (Linux 4.0+), so a later peak_mb() is that phase's."""
    try:
        with open(f"/proc/{os.getpid()}/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def release_free_memory() -> None:
    """Hand memory freed by generation back to the system (glibc keeps it otherwise), so the run starts clean."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def instrument_detail() -> dict[str, list[float]]:
    """Wrap the DETAIL functions with timers; returns name -> [seconds, calls]."""
    spent: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])

    def timed(name, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name][0] += time.perf_counter() - started
                spent[name][1] += 1

        return wrapper

    for module, attribute in DETAIL:
        name = f"{module.__name__.rsplit('.', 1)[-1]}.{attribute}"
        setattr(module, attribute, timed(name, getattr(module, attribute)))
    return spent


def demo_buurten():
    areas, population = read_kwb(ROOT / "demo" / "leefdam_kwb.csv", margins=True)  # age, sex, households
    wijken = sorted(areas.index[areas["level"] == "wijk"])
    buurten = [
        (code, wijken.index(areas.loc[code, "parent"]), int(population.loc[code, list(CBS_AGE_BANDS)].sum()))
        for code in areas.index[areas["level"] == "buurt"]
    ]
    return areas, population, buurten


class Captured:
    """The inputs and times of the run's theme discovery and profile calls, for the floors beside them."""

    def __init__(self) -> None:
        # per question: (answers per modelled language with the k chosen for it, seconds of discover_themes)
        self.themes: list[tuple[list[tuple[list, int]], float]] = []
        self.profiles: list[tuple[pd.DataFrame, pd.DataFrame, float]] = []  # (respondents, scores, seconds)

    def install(self) -> None:
        discover, profiles = run_module.discover_themes, run_module.scale_profiles

        @functools.wraps(discover)
        def discover_and_keep(texts, *args, **kwargs):
            started = time.perf_counter()
            result = discover(texts, *args, **kwargs)
            seconds = time.perf_counter() - started
            texts, model_of = list(texts), result.answers["model"]
            self.themes.append(
                (
                    [
                        (
                            [texts[row] for row in np.flatnonzero(model_of.eq(language).fillna(False).to_numpy(bool))],
                            model.k,
                        )
                        for language, model in result.models.items()
                    ],
                    seconds,
                )
            )
            return result

        @functools.wraps(profiles)
        def profiles_and_keep(respondents, scores, *args, **kwargs):
            started = time.perf_counter()
            result = profiles(respondents, scores, *args, **kwargs)
            self.profiles.append((respondents, scores, time.perf_counter() - started))
            return result

        run_module.discover_themes, run_module.scale_profiles = discover_and_keep, profiles_and_keep


@threadpool_limits.wrap(limits=1)  # the run's own limit (analysis.run): the ratio compares work, not threads
def theme_floor(languages: list[tuple[list, int]], seed: int) -> float:
    """Seconds for TF-IDF + NMF (scikit-learn defaults) at each language's k on its answers, each answer given its
    largest topic, on one thread as the run."""
    started = time.perf_counter()
    for answers, k in languages:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            matrix = TfidfVectorizer().fit_transform(answers)
            NMF(n_components=max(k, 1), random_state=seed).fit_transform(matrix).argmax(axis=1)
    return time.perf_counter() - started


@threadpool_limits.wrap(limits=1)
def profile_floor(respondents: pd.DataFrame, scores: pd.DataFrame) -> float:
    """Seconds for the mean of every score and the count of every band per buurt, per wijk and overall."""
    started = time.perf_counter()
    means = scores.select_dtypes("number")
    bands = [column for column in scores.columns if isinstance(scores[column].dtype, pd.CategoricalDtype)]
    for level in ("buurt_code", "wijk_code"):
        keys = respondents[level].to_numpy()
        means.groupby(keys).mean()
        for band in bands:
            scores[band].groupby(keys, observed=False).value_counts()
    means.mean()
    for band in bands:
        scores[band].value_counts()
    return time.perf_counter() - started


def reference_pass(frame, questions: list[str]) -> tuple[float, int]:
    """Seconds to lower-case and split every open answer once, and the number of answers."""
    started = time.perf_counter()
    answers = 0
    for question in questions:
        for text in frame[question].dropna().tolist():
            text.lower().split()
            answers += 1
    return time.perf_counter() - started, answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/analysis.py", description=__doc__.split("\n")[0])
    parser.add_argument("--respondents", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--open-rate",
        type=float,
        default=1.0,
        help="share of respondents who answer an open question (default 1.0: every one)",
    )
    parser.add_argument("--no-themes", action="store_true", help="skip themes and quotes")
    parser.add_argument("--no-types", action="store_true", help="skip resident types")
    parser.add_argument("--no-deduce", action="store_true", help="scrub quotes with the regex heuristics only")
    parser.add_argument("--no-floor", action="store_true", help="skip the floors (at 1M their NMF fits take minutes)")
    parser.add_argument("--detail", action="store_true", help="also time the functions inside the stages")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    instruments = load_instruments()
    areas, population, buurten = demo_buurten()
    setup = time.perf_counter() - started
    baseline = peak_mb()

    resettable = reset_peak()
    started = time.perf_counter()
    frame = generate_frame(
        instruments, buurten, args.respondents, args.seed, open_rate=args.open_rate, varied_text=True
    )
    generated = time.perf_counter() - started
    generate_peak = peak_mb()
    frame_mb = frame.memory_usage(deep=True).sum() / 2**20
    questions = [column for column in ("open_good", "open_better") if column in frame.columns]
    answers = {question: frame[question].dropna() for question in questions}
    counts = {question: (len(values), values.nunique()) for question, values in answers.items()}
    del answers

    params = RunParams(themes=not args.no_themes, types=not args.no_types, scrub_with_deduce=not args.no_deduce)
    deduce_load = None
    if params.themes and params.scrub_with_deduce:
        from analysis.scrub import deduce_available  # builds deduce's lookup tables once per process

        started = time.perf_counter()
        deduce_available()
        deduce_load = time.perf_counter() - started
    language_load = None
    if params.themes:
        started = time.perf_counter()
        themes_module.load_language_resources()  # as `flask worker` does when it starts
        language_load = time.perf_counter() - started
    reference, answer_total = reference_pass(frame, questions)
    spent = instrument_detail() if args.detail else {}
    captured = Captured()
    if not args.no_floor:
        captured.install()

    release_free_memory()
    reset_peak()
    before_run = peak_mb()
    result = run_analysis(frame, instruments, population, areas, seed=args.seed, params=params)
    run_peak = peak_mb()
    theme_floors = [theme_floor(languages, args.seed) for languages, _ in captured.themes]
    profile_floors = [profile_floor(respondents, scores) for respondents, scores, _ in captured.profiles]

    total = result.timings["total"]
    print(
        f"analysis benchmark: {args.respondents:,} respondents, seed {args.seed}, "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print("  respondents per instrument: " + ", ".join(f"{slug} {n:,}" for slug, n in result.counts.items()))
    for question, (n, distinct) in counts.items():
        print(f"  {question}: {n:,} answers, {distinct:,} distinct")
    print(
        f"  records: {len(result.records):,}; themes: "
        + ", ".join(
            f"{question} {sum(model.k for model in found.models.values())} in {len(found.models)} "
            f"language(s), {len(found.quotes)} quotes"
            for question, found in result.themes.items()
        )
    )
    print()
    print(f"  {'stage':<44}{'seconds':>10}{'share':>8}")
    print(f"  {'-' * 62}")
    print(f"  {'setup (instruments, areas; not timed below)':<44}{setup:>10.2f}")
    print(f"  {'generate (synthetic wave, in memory)':<44}{generated:>10.2f}")
    if deduce_load is not None:
        print(f"  {'deduce load (once per process, before run)':<44}{deduce_load:>10.2f}")
    if language_load is not None:
        print(f"  {'language resources (once per process, before)':<44}{language_load:>10.2f}")
    for stage in STAGES:
        seconds = result.timings.get(stage, 0.0)
        print(f"  {'run: ' + stage:<44}{seconds:>10.2f}{seconds / total:>8.0%}")
    print(f"  {'run: total':<44}{total:>10.2f}{1:>8.0%}")
    print(f"  {f'reference: lower+split {answer_total:,} answers':<44}{reference:>10.2f}")
    if captured.themes or captured.profiles:
        print()
        print(f"  {'against a plain floor (same inputs, same run)':<44}{'run s':>10}{'floor s':>9}{'ratio':>7}")
        print(f"  {'-' * 70}")
    rows = [
        (
            f"themes: {sum(len(answers) for answers, _ in languages):,} answers, k "
            + "+".join(str(k) for _, k in languages),
            seconds,
            floor,
        )
        for (languages, seconds), floor in zip(captured.themes, theme_floors, strict=True)
    ]
    if captured.themes:
        floor = sum(theme_floors)
        rows.append(("themes: all questions", sum(seconds for *_, seconds in captured.themes), floor))
        rows.append(("themes: whole stage (with prevalence)", result.timings.get("themes", 0.0), floor))
    if captured.profiles:
        floor = sum(profile_floors)
        rows.append(("profiles: scale_profiles (grouped mean)", sum(s for *_, s in captured.profiles), floor))
        rows.append(("profiles: whole stage (raking, reliability)", result.timings.get("profiles", 0.0), floor))
    for label, seconds, floor in rows:
        print(f"  {label:<44}{seconds:>10.2f}{floor:>9.2f}{seconds / floor:>6.1f}x")
    if spent:
        print()
        print(f"  {'function (inclusive; nested ones overlap)':<44}{'seconds':>10}{'calls':>8}")
        print(f"  {'-' * 62}")
        for name, (seconds, calls) in spent.items():
            print(f"  {name:<44}{seconds:>10.2f}{calls:>8}")
    print()
    print(f"  {'memory (resident set)':<44}{'MB':>10}")
    print(f"  {'-' * 62}")
    print(f"  {'after setup':<44}{baseline:>10.0f}")
    print(f"  {'synthetic frame (deep size)':<44}{frame_mb:>10.0f}")
    print(f"  {'peak while generating':<44}{generate_peak:>10.0f}")
    print(f"  {'at start of run':<44}{before_run:>10.0f}")
    print(f"  {'peak during run' + ('' if resettable else ' (whole process: no reset)'):<44}{run_peak:>10.0f}")
    print(f"  {'peak during run above its start':<44}{run_peak - before_run:>10.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

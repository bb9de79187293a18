"""Where a theme of an open question is mentioned clearly more or less than in the rest of the municipality, per wijk.

One open question at a time. Every answer counts once, with its main theme or none; the share of a theme in an area is
its answers with that main theme over ALL the area's answers to the question, so answers without a theme weigh in
the denominator (a theme of few, long answers is not inflated by the answers that said nothing themable).

The statistical choices, in one place:

- Each (theme, wijk) pair compares the wijk's share with the share among the answers of all other wijken; answers
  without a wijk code take no part, because they might come from the very wijk they would be compared with.
- A pair is tested when both the wijk and the rest have at least `min_n` answers; others are reported without a
  verdict. Pairs of a theme that nobody (or everybody) in the compared answers mentions are reported with p = 1 but
  left out of the multiple-testing count: given the margins their test is certain not to reject, so counting them
  would only cost the other pairs power.
- The interval of a difference is Newcombe's hybrid score interval built from continuity-corrected Wilson intervals
  (his method 11), and the p-value is that interval inverted (analysis.inference.newcombe_test): the difference is
  significant at level a exactly when its 1 - a interval excludes 0. Test and interval are therefore one object, not
  a chi-square p beside an interval that can disagree with it at the margin. The correction matters at the small
  levels a multiple-testing adjustment works at: on simulated waves without any difference (five wijken of 80-600
  answers, six themes of 3-22%) the uncorrected version declared a difference in 5.8% of waves, mostly rare themes
  in the small wijk, the corrected one in 4.3% (a chi-square p with Fisher's test for small counts: 5.4%).
- Benjamini-Hochberg at `fdr` over all tested pairs of the question (all themes, all wijken) gives the verdicts: R of
  the m tested pairs are "higher" or "lower".
- Every difference interval is reported at one level, 1 - max(R, 1) * fdr / m: the false-coverage-rate adjusted level
  of Benjamini and Yekutieli (2005), which keeps the expected share of selected differences whose interval misses the
  true difference at `fdr`. At that level (because p and interval are one inversion, and Benjamini-Hochberg rejects
  exactly the pairs with p <= R * fdr / m) the interval excludes 0 for every pair with a verdict and contains 0 for
  every other pair, so the page can never show a verdict beside an interval through 0 or the other way round. As a
  guard against rounding exactly at that boundary a verdict also requires the interval to exclude 0.
- The share in the wijk has its own Wilson interval at `confidence`, as every share in the profiles has.

"The rest of the municipality" includes the other wijken: where one large wijk differs, the others can truly differ
from their rest in the other direction, and are declared so (tests/analysis/test_theme_contrast.py measures it).
Tests of one theme across wijken are dependent (each wijk is part of the others' rest) and so are themes within a
wijk (they share a denominator); Benjamini-Hochberg is not proven for every such dependence, so
tests/analysis/test_theme_contrast.py measures the false-positive rate on simulated waves without any difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.inference import benjamini_hochberg, newcombe_interval, newcombe_test, wilson_interval
from analysis.records import clean

HIGHER = "higher"
LOWER = "lower"


@dataclass(frozen=True)
class ThemeContrast:
    """One theme in one wijk against the rest of the municipality. Counts are answers to the question; `mentions`
    those with this main theme. Without a test (too few answers) p_value, q_value, lower, upper,
    difference_confidence and direction are None."""

    theme: str
    wijk_code: str
    answers: int
    mentions: int
    share: float
    share_lower: float | None  # Wilson interval of `share` at the `confidence` asked for
    share_upper: float | None
    rest_answers: int
    rest_mentions: int
    rest_share: float | None  # None when no other wijk has answers
    difference: float | None  # share - rest_share
    lower: float | None  # interval of the difference at difference_confidence
    upper: float | None
    difference_confidence: float | None  # 1 - max(R, 1) * fdr / m, the same for every tested pair of the question
    p_value: float | None
    q_value: float | None  # Benjamini-Hochberg adjusted over all tested pairs of the question
    direction: str | None  # HIGHER, LOWER or None: the verdict after Benjamini-Hochberg at `fdr`

    @property
    def tested(self) -> bool:
        return self.p_value is not None


def _normalised(values: Sequence[str | None]) -> np.ndarray:
    """Codes as an object array with None for missing (None, NaN, pandas NA or an empty string)."""
    codes = np.empty(len(values), dtype=object)
    codes[:] = list(values)
    missing = pd.isna(codes)
    missing[~missing] = codes[~missing] == ""
    codes[missing] = None
    return codes


def theme_contrasts(
    wijk_codes: Sequence[str | None],
    themes: Sequence[str | None],
    *,
    theme_ids: Sequence[str] | None = None,
    min_n: int = 10,
    confidence: float = 0.95,
    fdr: float = 0.05,
) -> list[ThemeContrast]:
    """Per (theme, wijk): the share of the question's answers with that main theme in the wijk and in the rest of
    the municipality, their difference with an interval, and a verdict (see the module docstring).

    `wijk_codes` and `themes` hold one entry per answer to one open question: the respondent's wijk code (None when
    unknown) and the id of the answer's main theme (None for no theme). `theme_ids` lists the themes to report (the
    named ones; also those nobody mentions); by default every theme that occurs. Answers with a theme outside
    `theme_ids` still count as answers. Results are ordered by theme (as in `theme_ids`, else sorted), then wijk.
    """
    if len(wijk_codes) != len(themes):
        raise ValueError(f"{len(wijk_codes)} wijk codes for {len(themes)} themes: one of each per answer")
    wijk = _normalised(wijk_codes)
    theme = _normalised(themes)
    known = np.array([code is not None for code in wijk], dtype=bool)
    wijk, theme = wijk[known], theme[known]
    wijken = sorted(set(wijk))
    reported = (
        [value for value in dict.fromkeys(theme_ids) if value is not None]
        if theme_ids is not None
        else sorted({value for value in theme if value is not None})
    )
    if not wijken or not reported:
        return []

    # counts[t, w]: answers in wijk w with main theme t; answers with no or an unreported theme only count in n
    wijk_index = pd.Index(wijken).get_indexer(wijk).astype(np.int64)
    theme_index = pd.Index(reported).get_indexer(theme).astype(np.int64)
    answers = np.bincount(wijk_index, minlength=len(wijken))
    themed = theme_index >= 0
    counts = np.bincount(
        theme_index[themed] * len(wijken) + wijk_index[themed], minlength=len(reported) * len(wijken)
    ).reshape(len(reported), len(wijken))
    return contrasts_from_counts(counts, answers, reported, wijken, min_n=min_n, confidence=confidence, fdr=fdr)


def contrasts_from_counts(
    counts: np.ndarray,
    answers: np.ndarray,
    theme_ids: Sequence[str],
    wijk_codes: Sequence[str],
    *,
    min_n: int = 10,
    confidence: float = 0.95,
    fdr: float = 0.05,
) -> list[ThemeContrast]:
    """theme_contrasts from counts: `counts[t, w]` answers in wijk `wijk_codes[w]` with main theme `theme_ids[t]`,
    `answers[w]` answers to the question in that wijk (themes not reported and no theme included)."""
    reported, wijken = list(theme_ids), list(wijk_codes)
    counts = np.asarray(counts, dtype=float).reshape(len(reported), len(wijken))
    n = np.broadcast_to(np.asarray(answers, dtype=float), counts.shape)
    if np.any(counts.sum(axis=0) > n[0]):
        raise ValueError("a wijk has more answers with a theme than answers: each answer has one main theme")
    rest_n = n.sum(axis=1, keepdims=True) - n
    rest_k = counts.sum(axis=1, keepdims=True) - counts
    with np.errstate(invalid="ignore", divide="ignore"):
        share = counts / n
        rest_share = np.where(rest_n > 0, rest_k / rest_n, np.nan)
    share_lower, share_upper = wilson_interval(counts, n, confidence)

    tested = (n >= min_n) & (rest_n >= min_n)
    p = np.where(tested, newcombe_test(counts, n, rest_k, rest_n, continuity=True), np.nan)
    mentioned = counts + rest_k
    # given the margins a theme nobody (or everybody) mentions cannot differ: p = 1 for certain, outside the count
    degenerate = tested & ((mentioned == 0) | (mentioned == n + rest_n))
    counted = tested & ~degenerate
    q = np.full(counts.shape, np.nan)
    q[counted] = benjamini_hochberg(p[counted])
    q[degenerate] = 1.0
    m = int(counted.sum())
    rejected = counted & (q <= fdr)
    # one level for all pairs; with nothing to count (m = 0) simply 1 - fdr, as nothing can be declared anyway
    level = 1 - max(int(rejected.sum()), 1) * fdr / max(m, 1)
    lower, upper = newcombe_interval(counts, n, rest_k, rest_n, level, continuity=True)
    higher = rejected & (lower > 0)
    lower_verdict = rejected & (upper < 0)

    results = []
    for t, theme_id in enumerate(reported):
        for w, code in enumerate(wijken):
            test = bool(tested[t, w])
            direction = HIGHER if higher[t, w] else LOWER if lower_verdict[t, w] else None
            results.append(
                ThemeContrast(
                    theme=theme_id,
                    wijk_code=code,
                    answers=int(n[t, w]),
                    mentions=int(counts[t, w]),
                    share=float(share[t, w]),
                    share_lower=clean(share_lower[t, w]),
                    share_upper=clean(share_upper[t, w]),
                    rest_answers=int(rest_n[t, w]),
                    rest_mentions=int(rest_k[t, w]),
                    rest_share=clean(rest_share[t, w]),
                    difference=clean(share[t, w] - rest_share[t, w]),
                    lower=clean(lower[t, w]) if test else None,
                    upper=clean(upper[t, w]) if test else None,
                    difference_confidence=level if test else None,
                    p_value=clean(p[t, w]),
                    q_value=clean(q[t, w]),
                    direction=direction,
                )
            )
    return results

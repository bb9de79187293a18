"""What an analyst needs to name themes and keep the names over a rerun: per-area counts, a readable suggested name,
and a fingerprint of each theme's answers to recognise it in the next run.

Pure functions over a theme result (analysis.themes.ThemeResult): no Flask, no database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from analysis.profiles import area_groups

SIGNATURE_SIZE = 64  # min-hashes per theme: Jaccard estimated to within about +-0.06
SUGGESTION_WORDS = 8  # a suggested name is a short answer: at most this many words
MATCH_THRESHOLD = 0.5  # least similarity for a new theme to take over a previous theme's name
_MASK = (1 << 53) - 1  # signatures are stored as JSON numbers: exact in any reader below 2**53
_MULTIPLIERS = np.random.default_rng(20261202).integers(1, 2**63 - 1, size=(2, SIGNATURE_SIZE), dtype=np.int64)


def area_answer_counts(
    main_themes: Sequence | pd.Series, located: pd.DataFrame, areas: pd.DataFrame
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Per area code, the number of answers to the question (every language, with or without a theme), and per
    theme id and area, the answers with that theme as their main theme. One main theme per answer, so the counts of
    themes merged into one named theme add up without counting an answer twice. Areas without answers are left out.
    """
    themes = pd.Series(list(main_themes), dtype=object)
    codes, names = pd.factorize(themes, use_na_sentinel=True)
    totals: dict[str, int] = {}
    counts: dict[str, dict[str, int]] = {str(name): {} for name in names}
    for groups in area_groups(located, areas):
        present = groups.index >= 0
        size = len(groups.codes)
        per_area = np.bincount(groups.index[present], minlength=size)
        for area in np.flatnonzero(per_area):
            totals[groups.codes[area]] = int(per_area[area])
        themed = present & (codes >= 0)
        table = np.zeros((len(names), size), dtype=np.int64)
        np.add.at(table, (codes[themed], groups.index[themed]), 1)
        for theme, area in zip(*np.nonzero(table), strict=True):
            counts[str(names[theme])][groups.codes[area]] = int(table[theme, area])
    return totals, counts


def _as_integers(ids: Sequence) -> np.ndarray:
    values = pd.Series(list(ids), dtype=object)
    if len(values) and all(isinstance(value, int | np.integer) for value in values):
        return values.to_numpy(dtype=np.int64)
    return np.array(
        [
            int.from_bytes(hashlib.blake2b(str(value).encode(), digest_size=8).digest(), "little", signed=True)
            for value in values
        ],
        dtype=np.int64,
    )


def answer_signatures(main_themes: Sequence | pd.Series, ids: Sequence | pd.Series) -> dict[str, list[int]]:
    """Per theme id, a min-hash signature of the ids of the answers with it as their main theme.

    Two runs of one wave theme the same answers; the share of equal min-hashes of two themes estimates the Jaccard
    index of their answers (Broder 1997), which recognises a theme again whatever its words or its number. The
    signature holds hashes only: no response id can be read back from it.
    """
    themes = pd.Series(list(main_themes), dtype=object)
    codes, names = pd.factorize(themes, use_na_sentinel=True)
    keep = codes >= 0
    if not keep.any():
        return {}
    values = _as_integers([ident for ident, kept in zip(ids, keep, strict=True) if kept])
    codes = codes[keep]
    order = np.argsort(codes, kind="stable")
    codes, values = codes[order], values[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    signatures = np.empty((len(starts), SIGNATURE_SIZE), dtype=np.int64)
    with np.errstate(over="ignore"):
        for column in range(SIGNATURE_SIZE):
            mixed = values * _MULTIPLIERS[0, column]  # wraps modulo 2**64: a multiply-xorshift hash
            mixed ^= mixed >> 29
            mixed *= _MULTIPLIERS[1, column]
            mixed ^= mixed >> 32
            signatures[:, column] = np.minimum.reduceat(mixed & _MASK, starts)
    return {str(names[codes[start]]): signatures[row].tolist() for row, start in enumerate(starts)}


def suggested_names(
    result_answers: pd.DataFrame, texts: Sequence[str], scrubber: Callable[[str, str], str]
) -> dict[str, str]:
    """Per theme id, a readable suggested name: the theme's most typical short answer (highest centrality among its
    answers of at most SUGGESTION_WORDS words), scrubbed like a quote; failing a short one, the most typical answer's
    first words. Never a list of stems: an analyst reads it as a resident wrote it, and shortens it."""
    frame = pd.DataFrame(
        {
            "theme": result_answers["theme"].to_numpy(dtype=object),
            "centrality": result_answers["centrality"].to_numpy(dtype=float),
            "language": result_answers["language"].to_numpy(dtype=object),
            "text": [" ".join(str(text).split()) for text in texts],
        }
    )
    frame = frame[frame["theme"].notna() & (frame["text"] != "")]
    frame["words"] = frame["text"].str.count(" ") + 1
    frame = frame.sort_values(["theme", "centrality"], ascending=[True, False], kind="stable")
    names = {}
    for theme, answers in frame.groupby("theme", sort=True):
        short = answers[answers["words"] <= SUGGESTION_WORDS]
        best = (short if len(short) else answers).iloc[0]
        words = best["text"].split()
        text = " ".join(words[:SUGGESTION_WORDS]) + ("…" if len(words) > SUGGESTION_WORDS else "")
        names[str(theme)] = scrubber(text, str(best["language"]))[:200]
    return names


def similarity(
    first_signature: Sequence[int] | None,
    second_signature: Sequence[int] | None,
    first_terms: Sequence[str] = (),
    second_terms: Sequence[str] = (),
) -> float:
    """How alike two themes are: the estimated Jaccard index of their answers when both have a signature, else the
    Jaccard index of their top terms (themes of runs stored before signatures were)."""
    if first_signature and second_signature and len(first_signature) == len(second_signature):
        return float(np.mean(np.asarray(first_signature) == np.asarray(second_signature)))
    first, second = set(first_terms), set(second_terms)
    return len(first & second) / len(first | second) if first | second else 0.0


def match_themes(
    new: Sequence[tuple[Sequence[int] | None, Sequence[str]]],
    previous: Sequence[tuple[Sequence[int] | None, Sequence[str]]],
    threshold: float = MATCH_THRESHOLD,
) -> dict[int, int]:
    """One-to-one matching of new themes to previous ones (each given as (signature, top terms)): the assignment
    with the highest total similarity (Hungarian method), keeping pairs at or above `threshold`. Returns
    {position in new: position in previous}."""
    if not new or not previous:
        return {}
    scores = np.array([[similarity(one[0], other[0], one[1], other[1]) for other in previous] for one in new])
    rows, columns = linear_sum_assignment(-scores)
    return {
        int(row): int(column) for row, column in zip(rows, columns, strict=True) if scores[row, column] >= threshold
    }

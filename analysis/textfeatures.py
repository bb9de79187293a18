"""TF-IDF features of open answers: word stems and stem bigrams plus character n-grams, built without Python loops
over the (possibly millions of) answers."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np
import pandas as pd
from scipy import sparse

WORD_WEIGHT = 1.0
# Character n-grams (3..5 within words) catch spelling variants, inflections and compound parts the lemmas miss. Each
# block is unit length before weighting; theme names come from the word block alone. On the labelled development
# texts (benchmarks/theme_dev.py, SIB-200, NMI at the true k, mean over six languages of random halves, two splits)
# the character block weighted 0.6 gave 0.165, 1.0 0.179, 1.5 0.196, 2.0 0.199 and 3.0 0.189, Banking77 0.64 with
# 1.0 or 2.0; but from 1.5 on, off-topic answers that share only character n-grams with the themes get one (three
# of the ten in tests/analysis/test_themes.py at 1.5), so it stays at 1.0 with min_explained as it is.
CHAR_WEIGHT = 1.0


def _char_grams(token: str, sizes: tuple[int, int]) -> list[str]:
    padded = f" {token} "
    return [
        padded[start : start + size]
        for size in range(sizes[0], sizes[1] + 1)
        for start in range(len(padded) - size + 1)
    ]


def _flat(lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=object, count=int(lengths.sum()))
    return flat, np.repeat(np.arange(len(lists)), lengths)


def _counts(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=shape)
    matrix.sum_duplicates()
    return matrix


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear term frequency (1 + log tf) times idf, rows scaled to unit length."""
    matrix = counts.copy()
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    return _unit_rows(matrix)


def _unit_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    """The rows scaled to unit length, computed on the stored values: scaling by products with diagonal matrices
    cost a sparse product each (a third of the time of transforming a question's answers) and left every row's
    entries in reverse order."""
    squares = sparse.csr_matrix((matrix.data * matrix.data, matrix.indices, matrix.indptr), shape=matrix.shape)
    norms = np.sqrt(squares @ np.ones(matrix.shape[1]))
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(
        (matrix.data * np.repeat(1.0 / norms, np.diff(matrix.indptr)), matrix.indices, matrix.indptr),
        shape=matrix.shape,
    )


@dataclass
class FeatureSpace:
    """A fitted vocabulary with idf weights; transform() maps any answers of the same language into it."""

    stems: pd.Index
    bigrams: pd.Index  # int64 keys: first stem id * len(stems) + second stem id
    char_grams: pd.Index
    word_idf: np.ndarray
    char_idf: np.ndarray
    word_names: list[str]  # readable name per word feature (unigrams, then bigrams)
    char_sizes: tuple[int, int] = (3, 5)
    _grams_of: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def word_features(self) -> int:
        return len(self.stems) + len(self.bigrams)

    def _word_counts(self, stem_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        flat, docs = _flat(stem_lists)
        # pandas-stubs ask get_indexer for an Index; pandas takes the array as it is (no copy in this hot path)
        ids = self.stems.get_indexer(flat) if len(flat) else np.zeros(0, dtype=np.int64)  # type: ignore[arg-type]
        known = ids >= 0
        unigrams = _counts(docs[known], ids[known], (len(stem_lists), len(self.stems)))
        same_doc = (docs[1:] == docs[:-1]) & known[1:] & known[:-1]
        keys = ids[:-1][same_doc].astype(np.int64) * len(self.stems) + ids[1:][same_doc]
        pair_ids = self.bigrams.get_indexer(keys) if len(keys) else np.zeros(0, dtype=np.int64)
        pair_docs = docs[1:][same_doc]
        found = pair_ids >= 0
        pairs = _counts(pair_docs[found], pair_ids[found], (len(stem_lists), len(self.bigrams)))
        return sparse.hstack([unigrams, pairs], format="csr")

    def _char_counts(self, token_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        flat, docs = _flat(token_lists)
        codes, uniques = pd.factorize(flat) if len(flat) else (np.zeros(0, dtype=np.int64), pd.Index([], dtype=object))
        # the n-grams of the tokens not seen before are looked up in one call: one per token cost more than the lookup
        new = [token for token in uniques if token not in self._grams_of]
        if new:
            gram_lists = [_char_grams(token, self.char_sizes) for token in new]
            flat_grams, _ = _flat(gram_lists)
            found = self.char_grams.get_indexer(flat_grams) if len(flat_grams) else np.zeros(0, dtype=np.int64)  # type: ignore[arg-type]  # as above
            ends = np.cumsum([len(grams) for grams in gram_lists])
            for token, grams in zip(new, np.split(found, ends[:-1]), strict=True):
                self._grams_of[token] = grams[grams >= 0]
        rows, cols = [], []
        for position, token in enumerate(uniques):
            grams = self._grams_of[token]
            rows.append(np.full(len(grams), position))
            cols.append(grams)
        token_grams = _counts(
            np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
            np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64),
            (len(uniques), len(self.char_grams)),
        )
        doc_tokens = _counts(docs, codes, (len(token_lists), len(uniques)))
        return sparse.csr_matrix(doc_tokens @ token_grams)

    def transform(self, token_lists: Sequence[Sequence[str]], stem_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
        """Unit-length TF-IDF rows: the word block and the character block, each unit length, then weighted."""
        return self._weighted(self._word_counts(stem_lists), self._char_counts(token_lists))

    def _weighted(self, word_counts: sparse.csr_matrix, char_counts: sparse.csr_matrix) -> sparse.csr_matrix:
        words = _tfidf(word_counts, self.word_idf) * WORD_WEIGHT
        chars = _tfidf(char_counts, self.char_idf) * CHAR_WEIGHT
        return _unit_rows(sparse.hstack([words, chars], format="csr"))

    @overload
    def word_block(self, matrix: np.ndarray) -> np.ndarray: ...
    @overload
    def word_block(self, matrix: sparse.csr_matrix) -> sparse.csr_matrix: ...
    def word_block(self, matrix: sparse.csr_matrix | np.ndarray) -> sparse.csr_matrix | np.ndarray:
        return matrix[:, : self.word_features]


def _document_frequency(counts: sparse.csr_matrix, weights: np.ndarray) -> np.ndarray:
    present = counts.copy()
    present.data[:] = 1.0
    return np.asarray(present.T @ weights).ravel()


def _select(df: np.ndarray, total: float, min_df: float, max_df: float, limit: int | None) -> np.ndarray:
    keep = np.flatnonzero((df >= min_df) & (df <= max_df * total))
    if limit is not None and len(keep) > limit:
        keep = keep[np.argsort(-df[keep], kind="stable")[:limit]]
        keep.sort()
    return keep


def fit_transform(
    token_lists: Sequence[Sequence[str]],
    stem_lists: Sequence[Sequence[str]],
    weights: np.ndarray | None = None,
    *,
    min_df: float = 2,
    max_df: float = 0.5,
    max_char_features: int = 30_000,
    char_sizes: tuple[int, int] = (3, 5),
) -> tuple[FeatureSpace, sparse.csr_matrix]:
    """Vocabulary and idf from answers (each with a weight: how many answers it stands for), and the answers as the
    space transforms them (the same entries in the same order), from the counts the fit makes anyway rather than
    counting every word and n-gram again. Terms in fewer than `min_df` answers or more than `max_df` of them are
    dropped; characters n-grams are capped by frequency."""
    size = len(stem_lists)
    weights = np.ones(size) if weights is None else np.asarray(weights, dtype=float)
    total = float(weights.sum())
    flat_stems, _ = _flat(stem_lists)
    all_stems = pd.Index(pd.unique(flat_stems)) if len(flat_stems) else pd.Index([], dtype=object)
    provisional = FeatureSpace(
        all_stems, pd.Index([], dtype=np.int64), pd.Index([], dtype=object), np.zeros(0), np.zeros(0), [], char_sizes
    )
    unigram_counts = provisional._word_counts(stem_lists)[:, : len(all_stems)]
    unigram_df = _document_frequency(unigram_counts, weights)
    kept_stems = _select(unigram_df, total, min_df, max_df, None)
    stems = all_stems[kept_stems]
    # bigrams of kept stems only
    flat, docs = _flat(stem_lists)
    ids = stems.get_indexer(flat) if len(flat) else np.zeros(0, dtype=np.int64)  # type: ignore[arg-type]  # as above
    same_doc = (docs[1:] == docs[:-1]) & (ids[1:] >= 0) & (ids[:-1] >= 0)
    keys = ids[:-1][same_doc].astype(np.int64) * len(stems) + ids[1:][same_doc]
    all_pairs = pd.Index(pd.unique(keys), dtype=np.int64)
    pair_counts = _counts(docs[1:][same_doc], all_pairs.get_indexer(keys), (size, len(all_pairs)))
    pair_df = _document_frequency(pair_counts, weights)
    kept_pairs = _select(pair_df, total, min_df, max_df, None)
    bigrams = all_pairs[kept_pairs]
    flat_tokens, _ = _flat(token_lists)
    unique_tokens: np.ndarray | list[str] = pd.unique(flat_tokens) if len(flat_tokens) else []
    all_grams = pd.Index(
        pd.unique(
            np.fromiter((gram for token in unique_tokens for gram in _char_grams(token, char_sizes)), dtype=object)
        )
    )
    provisional = FeatureSpace(stems, bigrams, all_grams, np.zeros(0), np.zeros(0), [], char_sizes)
    char_counts = provisional._char_counts(token_lists)
    char_df = _document_frequency(char_counts, weights)
    kept_grams = _select(char_df, total, min_df, max_df, max_char_features)
    grams = all_grams[kept_grams]
    space = FeatureSpace(stems, bigrams, grams, np.zeros(0), np.zeros(0), [], char_sizes)
    # a term's document frequency does not depend on which other terms are kept: the counts above serve for idf
    word_df = np.concatenate([unigram_df[kept_stems], pair_df[kept_pairs]])
    space.word_idf = np.log((1 + total) / (1 + word_df)) + 1
    space.char_idf = np.log((1 + total) / (1 + char_df[kept_grams])) + 1
    space.word_names = _names(stems, bigrams, token_lists, stem_lists)
    word_counts = sparse.hstack([unigram_counts[:, kept_stems], pair_counts[:, kept_pairs]], format="csr")
    return space, space._weighted(word_counts, sparse.csr_matrix(char_counts[:, kept_grams]))


def _names(
    stems: pd.Index, bigrams: pd.Index, token_lists: Sequence[Sequence[str]], stem_lists: Sequence[Sequence[str]]
) -> list[str]:
    """Each stem shown as its most frequent word ("drempel" for stem "drempel", "gevaarlijk" for "gevaar"); of
    words as frequent, the one seen first."""
    # (stem, word) pairs counted in one pass, in the order first seen
    flat = zip(itertools.chain.from_iterable(stem_lists), itertools.chain.from_iterable(token_lists), strict=True)
    counted = Counter(flat)
    shown: dict[str, tuple[str, int]] = {}
    for (stem, word), count in counted.items():
        if count > shown.get(stem, ("", 0))[1]:
            shown[stem] = (word, count)
    words = [shown[stem][0] if stem in shown else stem for stem in stems]
    pairs = [f"{words[key // len(stems)]} {words[key % len(stems)]}" for key in bigrams]
    return words + pairs

"""Themes in open answers: per language, TF-IDF of lemmas and character n-grams, themes found by spectral clustering
of the answers' nearest-neighbour graph (the number of themes where its spectrum has its largest gap), every answer
then weighted against the themes by non-negative least squares.

Why a graph and not NMF alone: on the labelled development texts (benchmarks/theme_dev.py; real sentences in six
languages) NMF on the same features recovered the topics less well and less evenly across languages, and choosing k
by NMF's stability across seeds ranged from 3 to 8 for 7 topics and could not reach 77 intents at all.

Each language gets its own model (an analyst merges themes across languages when naming them). Pooling languages
into one model groups answers partly by language rather than by topic: on the planted wave of
tests/analysis/test_themes.py (four topics, in Dutch and in English) a pooled model with four themes reaches an
adjusted Rand index of 0.71 with the English topics, a model of English alone 1.0; that test asserts it on every run.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.linalg import qr, svd
from scipy.sparse.csgraph import laplacian
from scipy.sparse.linalg import eigsh
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD

from analysis.inference import wilson_interval
from analysis.language import UNDETERMINED, detect_languages, load_models
from analysis.profiles import area_groups
from analysis.records import ProfileRecord, clean
from analysis.textfeatures import FeatureSpace, fit_transform
from analysis.textnorm import LEMMATISED, analyse_each, stemmer, theme_stop_words
from exchange.csv_cells import csv_cell

POOLED = "pooled"
_BATCH = 50_000
_HALS_ITERATIONS = 60
_NEIGHBOURS = 15
_PROJECT_FROM = 2_000  # answers in a graph from which similarities are taken after a projection (_neighbour_graph)
_PROJECTION_DIMS = 320
_PROJECTION_ITERATIONS = 2  # power iterations of the randomised SVD (_neighbour_graph)
_GRAPH_BLOCK = 2_000  # rows of the similarity matrix held at once
_NEAREST_GROUP = 64  # columns whose maximum bounds the nearest neighbours' similarity from below (_nearest)
_GRAPH_PER_THEME = 500  # answers in the graph per theme wanted, when that is known (_graph_size)
_KMEANS_ITERATIONS = 100


@dataclass(frozen=True)
class Theme:
    id: str  # "<language>-<number>", numbered by size: "nl-1" is the largest Dutch theme
    language: str
    label: str  # the three top terms, for analysts; the views show top_terms translated as data
    top_terms: tuple[str, ...]
    answers: int  # answers with this as their main theme
    share: float  # of the language's answers that carry the theme at all


@dataclass(frozen=True)
class LanguageThemes:
    """The model of one language (or of all, when pooled)."""

    language: str
    k: int
    criterion: str  # "eigengap" (chosen) or "fixed" (asked for)
    criterion_values: dict[int, float]  # per k in the searched range, the gap after the k-th Laplacian eigenvalue
    answers: int
    distinct: int
    fitted_on: int  # answers in the seeded fitting sample
    themes: tuple[Theme, ...]


@dataclass
class ThemeResult:
    """Themes of one open question. `answers` has one row per input answer (same order): id, language, theme (main
    theme id or NA), weight (its share of the answer), themes (tuple of (id, share) at or above min_weight),
    centrality (cosine of the answer to its main theme's centre), model (the language model it was themed by).
    `unmodelled` holds answers in languages with too
    few answers to model (id, language, text), for analysts to read rather than forcing them into Dutch themes."""

    models: dict[str, LanguageThemes]
    answers: pd.DataFrame
    unmodelled: pd.DataFrame
    memberships: pd.DataFrame  # long form of answers["themes"]: row (position in answers), theme, share

    def theme(self, theme_id: str) -> Theme:
        return next(theme for model in self.models.values() for theme in model.themes if theme.id == theme_id)


def load_language_resources() -> None:
    """Read now what theme discovery reads of every language once per process: the language detector's models,
    simplemma's lexicons and the stop-word lists (about 5 s of CPU, Polish's lexicon the most). A worker does this
    when it starts (`flask worker`), so the first analysis it does need not; benchmarks/analysis.py does it before it
    times a run and prints it on a line of its own."""
    load_models()
    for language in LEMMATISED:
        stemmer(language)("a")
        theme_stop_words(language)


def _nnls_rows(cross: np.ndarray, gram: np.ndarray, iterations: int = _HALS_ITERATIONS) -> np.ndarray:
    """Non-negative least squares of every row against fixed themes (HALS on W with H fixed): X ~ W H.

    Needs only X H^T (`cross`, one sparse product) and H H^T (`gram`), so a million answers cost seconds.
    """
    k = gram.shape[0]
    w = np.maximum(np.linalg.lstsq(gram, cross.T, rcond=None)[0].T, 0.0)  # column-major: each w[:, j] contiguous
    diagonal = np.where(np.diag(gram) > 0, np.diag(gram), 1.0)
    columns = np.asfortranarray(cross)
    step = np.empty(len(w))
    for _ in range(iterations):
        for j in range(k):
            # w[:, j] = max(w[:, j] + (cross[:, j] - w @ gram[:, j]) / diagonal[j], 0), in place: the same values at
            # 0.6 of the time of reading cross's columns strided and allocating every intermediate
            np.matmul(w, gram[:, j], out=step)
            np.subtract(columns[:, j], step, out=step)
            step /= diagonal[j]
            step += w[:, j]
            np.maximum(step, 0.0, out=w[:, j])
    return w


def _neighbour_graph(matrix: sparse.csr_matrix, neighbours: int, seed: int) -> sparse.csr_matrix:
    """Symmetric graph linking each answer to its nearest answers by cosine similarity (rows are unit length).

    From _PROJECT_FROM answers on, similarities are taken in the space of the matrix's first _PROJECTION_DIMS
    singular vectors (latent semantic analysis) instead of over every word and character n-gram: the sparse product
    of ten thousand answers with each other is nearly dense and cost three seconds per graph, 72 s of the 200 s that
    themes took for 1.7 million answers. On Banking77 (10,003 questions) the projected graph gives NMI 0.637 at 77
    themes against 0.633 exactly (d = 192: 0.627; d = 128: 0.625); smaller sets keep the exact similarities.

    Two power iterations instead of four halve the SVD, which was four fifths of a 4,000-answer graph (about 0.9 of
    1.15 s; the Dutch graph of each question of benchmarks/analysis.py). The themes stay as they were, within what
    another SVD seed changes: Banking77 NMI at 77 themes 0.652 against 0.651 (automatic k 88 against 87); fortunes
    (benchmarks/theme_quality.py, English, 2,543 texts), mean of five SVD seeds, NMI 0.268 against 0.266 at the 10
    categories and 0.309 against 0.290 at the automatic k (ARI 0.19 against 0.23 and 0.29 against 0.25; one seed's ARI
    differs from another's by up to 0.1); on the four Dutch graphs of the 100,000-respondent benchmark the same k and
    ARI 0.96-1.0 with the themes of four iterations, except one graph that chose k 6 instead of 5, as four iterations
    with another seed did.

    Also measured and not kept (SIB-200, NMI at the true k, mean of six languages on all sentences / on random
    halves; at the time 0.224 / 0.179 with 15 neighbours): 10 neighbours 0.205 / 0.173, 25 neighbours 0.225 / 0.182
    (Banking77 unchanged); links weighted by their shared nearest neighbours 0.193 / 0.160 (Banking77 0.638).
    """
    size = matrix.shape[0]
    neighbours = min(neighbours, size - 1)
    vectors: sparse.csr_matrix | np.ndarray = matrix.astype(np.float32)
    if size >= _PROJECT_FROM and matrix.shape[1] > _PROJECTION_DIMS:
        # in single precision the randomised SVD costs half as much
        projected = TruncatedSVD(_PROJECTION_DIMS, n_iter=_PROJECTION_ITERATIONS, random_state=0).fit_transform(vectors)
        norms = np.linalg.norm(projected, axis=1, keepdims=True)
        vectors = (projected / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    nearest = np.empty((size, neighbours), dtype=np.int64)
    similarity = np.empty((size, neighbours), dtype=np.float32)
    # one block's similarities are written into the same memory each time (see _nearest)
    buffer = np.empty((min(_GRAPH_BLOCK, size), size), dtype=np.float32)
    for start in range(0, size, _GRAPH_BLOCK):
        stop = min(start + _GRAPH_BLOCK, size)
        block = buffer[: stop - start]
        if sparse.issparse(vectors):
            # scipy-stubs narrow issparse() to an abstract base without toarray(), which every sparse matrix has
            (vectors[start:stop] @ vectors.T).toarray(out=block)  # type: ignore[union-attr]
        else:
            np.matmul(vectors[start:stop], vectors.T, out=block)
        block[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # an answer is not its own neighbour
        nearest[start:stop], similarity[start:stop] = _nearest(block, neighbours)
    # a tiny floor keeps links to neighbours that share nothing (short answers), so the graph stays connected
    weights = np.clip(similarity.astype(np.float64), 0.0, None) + 1e-6
    graph = sparse.csr_matrix(
        (weights.ravel(), (np.repeat(np.arange(size), neighbours), nearest.ravel())), shape=(size, size)
    )
    return graph.maximum(graph.T).tocsr()


def _nearest(block: np.ndarray, neighbours: int) -> tuple[np.ndarray, np.ndarray]:
    """The columns of each row's `neighbours` largest values, and those values; among equal values the lower column
    comes first, so the graph does not depend on how numpy's selection happens to order ties.

    Exact, without selecting over whole rows: the `neighbours`-th largest of the maxima of groups of columns is at
    most the row's `neighbours`-th largest value, so only the few values at or above it are sorted. argpartition over
    whole rows returned an index for every similarity, 64 MB for a block of 2,000 by 4,000, and writing that much
    fresh memory made it take 30 to 230 ms per block in the 100,000-respondent benchmark; the graphs of that run took
    4.0 s instead of 4.9 s. Only ties are chosen otherwise than argpartition chose them (answers with the same
    features): the development texts give the same NMI (SIB-200 in every language, Banking77 0.652 at 77 themes),
    and the Dutch graphs of that run the same k and ARI 0.995-1.0 with the themes of argpartition's graphs."""
    rows, columns = block.shape
    width = max(1, min(_NEAREST_GROUP, columns // neighbours))  # at least `neighbours` groups
    maxima = np.maximum.reduceat(block, np.arange(0, columns, width), axis=1)
    groups = maxima.shape[1]
    bound = np.partition(maxima, groups - neighbours, axis=1)[:, groups - neighbours]
    row, column = np.nonzero(block >= bound[:, None])
    value = block[row, column]
    order = np.lexsort((column, -value, row))  # by row, then the largest value, then the lowest column
    starts = np.searchsorted(row, np.arange(rows))  # nonzero gives the rows in order
    chosen = order[starts[:, None] + np.arange(neighbours)]
    return column[chosen], value[chosen]


def _graph_size(themes: str | int, k_range: tuple[int, int] | None, selection_sample: int) -> int:
    """Answers in the graph: at most `selection_sample`, and at most _GRAPH_PER_THEME per theme when the most themes
    wanted is known (a fixed number, or the top of a given k_range); the default k_range grows with the sample itself.

    On the Dutch answers to open_better of benchmarks/analysis.py at 100,000 respondents (k searched in 3..8, 50,806
    distinct answers), graphs of 5,000, 4,000 and 3,000 answers cut them into themes that agree with those of a graph
    of 10,000 at ARI 0.97, 0.95 and 0.89, where graphs of 10,000 drawn with two other seeds agreed with it at 0.69 and
    0.74 (k 5 and 8 against 7; the smaller graphs chose 6 on both seeds tried), and the discovery of that question
    took 5.2 to 5.9 s of CPU instead of 8.3 to 9.4 s. The labelled development sets are unchanged by it (SIB-200 has
    800 texts; Banking77 asks for 77 themes, or for "auto" the default k_range).
    """
    most = int(themes) if themes != "auto" else (k_range[1] if k_range else None)
    if most is None:
        return selection_sample
    return min(selection_sample, max(_GRAPH_PER_THEME * most, _PROJECT_FROM))


def default_k_range(answers: int) -> tuple[int, int]:
    """The number of themes searched grows with the answers: a few hundred answers hold a handful of themes, ten
    thousand can hold dozens. From a sixth of the square root of the distinct answers up to the square root (the
    rule of thumb for the number of clusters is the square root of half the points)."""
    root = float(np.sqrt(max(answers, 1)))
    return max(2, round(root / 6)), max(8, round(root))


def _spectrum(graph: sparse.csr_matrix, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The `count` smallest eigenvalues of the graph's normalised Laplacian (ascending) and their eigenvectors."""
    size = graph.shape[0]
    # the largest eigenvalues of I - L are the smallest of L, found without factorising anything; a seeded start
    # vector makes the result reproducible
    # the Laplacian of a sparse graph (as an array, laplacian's default) is a sparse matrix
    operator = sparse.identity(size, format="csr") - cast(sparse.csr_matrix, laplacian(graph, normed=True))
    start = np.random.default_rng(seed).uniform(0.5, 1.0, size)
    values, vectors = eigsh(operator, k=min(count, size - 1), which="LA", v0=start, tol=1e-6)
    order = np.argsort(-values, kind="stable")
    return 1.0 - values[order], vectors[:, order]


def _eigengap(values: np.ndarray, k_range: tuple[int, int]) -> dict[int, float]:
    """Gap between the k-th and (k+1)-th smallest Laplacian eigenvalues, per k in range: k well separated groups of
    answers give k eigenvalues near zero and then a jump (von Luxburg 2007, section 8.3)."""
    low, high = k_range
    return {k: float(values[k] - values[k - 1]) for k in range(max(low, 1), min(high, len(values) - 1) + 1)}


def _spectral_labels(graph: sparse.csr_matrix, vectors: np.ndarray, k: int) -> np.ndarray:
    """Themes from the first k eigenvectors: the embedding of normalised spectral clustering (rows scaled back by
    the square root of the degree), cut by the pivoted QR of Damle, Minden and Ying (2019), which needs no k-means
    restarts and gives the same themes for the same graph; then refined by k-means on the embedding's unit rows,
    started from that cut (one run, so still the same themes for the same graph).

    The refinement raised NMI at the true number of topics on the development texts in five of six languages
    (Turkish 0.194 -> 0.219, Ukrainian 0.204 -> 0.220, Polish 0.209 -> 0.216, English 0.215 -> 0.228; Dutch and
    Arabic unchanged) and on Banking77 (0.637 -> 0.641); ten k-means restarts instead gave about the same and cost
    ten times as much."""
    degree = np.sqrt(np.asarray(graph.sum(axis=1)).ravel())
    embedding = vectors[:, :k] / np.where(degree > 0, degree, 1.0)[:, None]
    _, _, pivots = qr(embedding.T, pivoting=True)
    left, _, right = svd(embedding[pivots[:k], :].T)
    cut = np.abs(embedding @ (left @ right)).argmax(axis=1)
    norms = np.linalg.norm(embedding, axis=1, keepdims=True)
    unit = embedding / np.where(norms > 0, norms, 1.0)
    present = np.unique(cut)
    if len(present) < 2:
        return cut
    centres = np.vstack([unit[cut == label].mean(axis=0) for label in present])
    return KMeans(len(present), init=centres, n_init=1, max_iter=_KMEANS_ITERATIONS).fit_predict(unit)


def _model_language(
    language: str,
    codes: np.ndarray,
    distinct: list[str],
    *,
    token_language: Sequence[str],
    themes: str | int,
    k_range: tuple[int, int] | None,
    seed: int,
    fit_sample: int,
    selection_sample: int,
    min_weight: float,
    top_terms: int,
    min_explained: float,
) -> tuple[LanguageThemes, np.ndarray, np.ndarray, np.ndarray]:
    """Fit one language. Returns the model and, per distinct text, normalised theme weights, main theme, centrality."""
    # pooled answers are tokenised and stemmed each in its own language; otherwise token_language is one language
    token_lists, stem_lists = analyse_each(distinct, token_language)

    rng = np.random.default_rng(seed)
    sampled = rng.choice(len(codes), size=min(fit_sample, len(codes)), replace=False)
    sample_weights = np.bincount(codes[sampled], minlength=len(distinct)).astype(float)
    fit_rows = np.flatnonzero(sample_weights)
    space, fit_matrix = fit_transform(
        [token_lists[i] for i in fit_rows], [stem_lists[i] for i in fit_rows], sample_weights[fit_rows]
    )
    # the sampled answers as the space transforms them (the same values up to rounding: a row's entries may be added
    # in another order, which moves weights by about 1e-14): _assign need not transform them again (every answer of
    # a language with up to fit_sample answers)
    sampled_rows = (fit_rows, fit_matrix)
    weights_of_fit = sample_weights[fit_rows]
    nonempty = np.flatnonzero(np.asarray(fit_matrix.sum(axis=1)).ravel() > 0)
    fit_matrix, weights_of_fit = fit_matrix[nonempty], weights_of_fit[nonempty]
    graph_size = _graph_size(themes, k_range, selection_sample)
    if fit_matrix.shape[0] > graph_size:
        chosen = np.sort(rng.choice(fit_matrix.shape[0], size=graph_size, replace=False))
        fit_matrix, weights_of_fit = fit_matrix[chosen], weights_of_fit[chosen]
    criterion_values: dict[int, float] = {}
    size = fit_matrix.shape[0]
    if size < 3:
        k, criterion, labels = 1, "fixed", np.zeros(size, dtype=np.int64)
    else:
        graph = _neighbour_graph(fit_matrix, _NEIGHBOURS, seed)
        if themes == "auto":
            k_range = k_range or default_k_range(size)
            values, vectors = _spectrum(graph, k_range[1] + 1, seed)
            criterion_values = _eigengap(values, k_range)
            k = max(criterion_values, key=lambda k: (criterion_values[k], -k)) if criterion_values else 1
            criterion = "eigengap"
        else:
            k, criterion = max(1, min(int(themes), size - 2)), "fixed"
            values, vectors = _spectrum(graph, k, seed)
        labels = _spectral_labels(graph, vectors, k) if k > 1 else np.zeros(size, dtype=np.int64)
    # each theme's centre: the mean of its answers, each counted as often as it was given
    members = sparse.csr_matrix((weights_of_fit, (labels, np.arange(size))), shape=(k, size))
    components = np.asarray((members @ fit_matrix).todense())
    components /= np.maximum(np.asarray(members.sum(axis=1)), 1e-12)
    components = components[np.asarray(members.sum(axis=1)).ravel() > 0]
    k = components.shape[0]
    weights, centrality = _assign(space, components, token_lists, stem_lists, min_explained, sampled_rows)
    totals = weights.sum(axis=1, keepdims=True)
    shares = np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    main = np.where(totals.ravel() > 0, shares.argmax(axis=1), -1)
    multiplicity = np.bincount(codes, minlength=len(distinct))
    primary_counts = np.bincount(main[main >= 0], weights=multiplicity[main >= 0], minlength=k)
    # number themes by size, so ids are reproducible and "-1" is the largest
    ranking = np.argsort(-primary_counts, kind="stable")
    components, shares, centrality = components[ranking], shares[:, ranking], centrality[:, ranking]
    renumber = np.empty(k, dtype=np.int64)
    renumber[ranking] = np.arange(k)
    main = np.where(main >= 0, renumber[np.maximum(main, 0)], -1)
    carried = np.asarray(((shares >= min_weight).T * multiplicity).sum(axis=1)).ravel()
    word_part = space.word_block(components)
    theme_list = []
    for index in range(k):
        top = np.argsort(-word_part[index], kind="stable")[:top_terms]
        terms = tuple(space.word_names[i] for i in top if word_part[index, i] > 0)
        theme_list.append(
            Theme(
                id=f"{language}-{index + 1}",
                language=language,
                label=" / ".join(terms[:3]),
                top_terms=terms,
                answers=int(np.sum(multiplicity[main == index])),
                share=float(carried[index] / max(len(codes), 1)),
            )
        )
    model = LanguageThemes(
        language=language,
        k=k,
        criterion=criterion,
        criterion_values=criterion_values,
        answers=len(codes),
        distinct=len(distinct),
        fitted_on=len(sampled),
        themes=tuple(theme_list),
    )
    main_centrality = np.where(main >= 0, centrality[np.arange(len(main)), np.maximum(main, 0)], np.nan)
    return model, shares, main, main_centrality


def _transform_rows(
    space: FeatureSpace,
    token_lists: list[list[str]],
    stem_lists: list[list[str]],
    start: int,
    stop: int,
    transformed: tuple[np.ndarray, sparse.csr_matrix],
) -> sparse.csr_matrix:
    """Rows start..stop of space.transform of every answer: those `transformed` holds taken from it, the others
    transformed now."""
    positions, rows = transformed
    low, high = np.searchsorted(positions, [start, stop])
    have = positions[low:high] - start
    missing = np.setdiff1d(np.arange(stop - start), have, assume_unique=True)
    if not len(missing):
        return rows[low:high]
    wanted = (start + missing).tolist()
    new = space.transform([token_lists[i] for i in wanted], [stem_lists[i] for i in wanted])
    if not len(have):
        return new
    order = np.empty(stop - start, dtype=np.int64)
    order[np.concatenate([have, missing])] = np.arange(stop - start)
    return sparse.csr_matrix(sparse.vstack([rows[low:high], new], format="csr")[order])


def _assign(
    space: FeatureSpace,
    components: np.ndarray,
    token_lists: list[list[str]],
    stem_lists: list[list[str]],
    min_explained: float,
    transformed: tuple[np.ndarray, sparse.csr_matrix],
) -> tuple[np.ndarray, np.ndarray]:
    """Theme weights (NNLS against fixed themes) and cosine to each theme centre, in batches to bound memory.

    An answer whose themes explain less than `min_explained` of its squared length (1 - |x - wH|^2 / |x|^2) gets
    no theme: it shares only stray character n-grams with them and would otherwise land in whichever is nearest.
    Themes are centres of many answers, so even an answer at the heart of one explains only a few per cent of it.
    At 0.015 the planted off-topic answers of tests/analysis/test_themes.py ("Mijn kat is ziek geworden") get no
    theme, while 90% of the real sentences of benchmarks/theme_dev.py get one (0.01: 98%, but two of ten off-topic
    answers themed; 0.02: 78%; 0.03: under half).

    The answers are fitted against the theme centres scaled to unit length, so that weights compare themes on an
    equal footing: a centre's length is how alike its answers are, and against raw centres an answer's weight on a
    tight theme (a long centre) came out smaller than on a loose one that fits it worse. On Banking77 at 77 themes
    (benchmarks/theme_dev.py) NMI rose from 0.641 to 0.645 (seed 0) and 0.647 (seed 1); SIB-200 at the true k moved
    by at most 0.003 in any language; which answers get a theme at all does not change (scaling a theme rescales its
    weight, not the fit).

    `transformed` holds the answers already transformed: their positions (ascending) and their rows of
    space.transform.
    """
    norms = np.linalg.norm(components, axis=1)
    unit = components / np.where(norms > 0, norms, 1.0)[:, None]
    gram = unit @ unit.T
    weights, centrality = [], []
    for start in range(0, len(token_lists), _BATCH):
        batch = _transform_rows(
            space, token_lists, stem_lists, start, min(start + _BATCH, len(token_lists)), transformed
        )
        cross = np.asarray(batch @ unit.T)  # also each answer's cosine to every theme centre (rows are unit length)
        found = _nnls_rows(cross, gram)
        length = np.asarray(batch.multiply(batch).sum(axis=1)).ravel()
        residual = length - 2 * (found * cross).sum(axis=1) + ((found @ gram) * found).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            explained = np.where(length > 0, 1 - residual / length, 0.0)
        found[explained < min_explained] = 0.0
        weights.append(found)
        centrality.append(cross)
    k = components.shape[0]
    return (
        np.vstack(weights) if weights else np.zeros((0, k)),
        np.vstack(centrality) if centrality else np.zeros((0, k)),
    )


def discover_themes(
    texts: Sequence[str | None],
    *,
    ids: Sequence | None = None,
    hints: Sequence[str | None] | None = None,
    languages: Sequence[str] | None = None,
    themes: str | int = "auto",
    k_range: tuple[int, int] | None = None,
    seed: int = 0,
    min_answers: int = 50,
    fit_sample: int = 20_000,
    selection_sample: int = 10_000,
    min_weight: float = 0.25,
    min_explained: float = 0.015,
    top_terms: int = 8,
    pool_languages: bool = False,
) -> ThemeResult:
    """Themes of the answers to one open question.

    The language of each answer is detected (locale `hints` help for short texts) unless `languages` is given.
    Each language with at least `min_answers` answers gets its own model: TF-IDF of lemmas, lemma bigrams and
    character n-grams, with the vocabulary from a seeded sample of at most `fit_sample` answers; the graph of each
    answer's nearest neighbours among at most `selection_sample` distinct answers of that sample (fewer when few
    themes are wanted, see _graph_size) is cut into k themes
    by spectral clustering, with k = `themes` or, for "auto", the k in `k_range` (default: growing with the answers,
    see default_k_range) after which the graph's Laplacian spectrum has its largest gap. A theme is the mean of its
    answers; every answer then gets non-negative theme weights.
    An answer carries each theme with at least `min_weight` of its weight; its main theme is the largest. An answer
    its themes explain less than `min_explained` of has none (see _assign).
    `pool_languages=True` fits one model over all languages (for comparison only; see the module docstring).
    """
    size = len(texts)
    ids = list(range(size)) if ids is None else list(ids)
    clean_texts = [
        "" if text is None or (isinstance(text, float) and text != text) else str(text).strip() for text in texts
    ]
    language_of = np.asarray(detect_languages(clean_texts, hints) if languages is None else languages, dtype=object)
    has_text = np.array([bool(text) for text in clean_texts], dtype=bool)
    groups = (
        {POOLED: np.flatnonzero(has_text)}
        if pool_languages
        else {
            language: np.flatnonzero(has_text & (language_of == language))
            for language in sorted(set(language_of[has_text]))
        }
    )
    answer_theme = np.full(size, None, dtype=object)
    answer_weight = np.full(size, np.nan)
    answer_centrality = np.full(size, np.nan)
    answer_themes = np.empty(size, dtype=object)
    answer_themes[:] = [()] * size
    answer_model = np.full(size, None, dtype=object)
    member_rows, member_themes, member_shares = [], [], []
    models: dict[str, LanguageThemes] = {}
    unmodelled = []
    for language, rows in groups.items():
        if language == UNDETERMINED or len(rows) < min_answers:
            unmodelled.extend(rows.tolist())
            continue
        codes, uniques = pd.factorize(pd.Series([clean_texts[row] for row in rows], dtype=object))
        distinct = list(uniques)
        first_row = np.full(len(distinct), -1)
        first_row[codes[::-1]] = rows[::-1]
        token_language = language_of[first_row] if pool_languages else [language] * len(distinct)
        model, shares, main, centrality = _model_language(
            language,
            codes,
            distinct,
            token_language=token_language,
            themes=themes,
            k_range=k_range,
            seed=seed,
            fit_sample=fit_sample,
            selection_sample=selection_sample,
            min_weight=min_weight,
            top_terms=top_terms,
            min_explained=min_explained,
        )
        models[language] = model
        theme_ids = np.array([theme.id for theme in model.themes], dtype=object)
        # per distinct answer, its (theme id, share) pairs at or above min_weight, in theme order
        carrier, carried_theme = np.nonzero(shares >= min_weight)
        pairs = list(zip(theme_ids[carried_theme].tolist(), shares[carrier, carried_theme].tolist(), strict=True))
        bounds = np.searchsorted(carrier, np.arange(len(shares) + 1)).tolist()
        per_distinct = np.fromiter(
            (tuple(pairs[start:stop]) for start, stop in itertools.pairwise(bounds)), dtype=object, count=len(shares)
        )
        main_rows = main[codes]
        answer_theme[rows] = np.where(main_rows >= 0, theme_ids[np.maximum(main_rows, 0)], None)
        answer_weight[rows] = np.where(main_rows >= 0, shares[codes, np.maximum(main_rows, 0)], np.nan)
        answer_centrality[rows] = centrality[codes]
        answer_model[rows] = language
        answer_themes[rows] = per_distinct[codes]
        carried = sparse.csr_matrix(np.where(shares >= min_weight, shares, 0.0))[codes].tocoo()
        member_rows.append(rows[carried.row])
        member_themes.append(theme_ids[carried.col])
        member_shares.append(carried.data)
    answers = pd.DataFrame(
        {
            "id": ids,
            "language": language_of,
            "theme": pd.array(answer_theme, dtype="string"),
            "weight": answer_weight,
            "themes": answer_themes,
            "centrality": answer_centrality,
            "model": pd.array(answer_model, dtype="string"),
        }
    )
    memberships = pd.DataFrame(
        {
            "row": np.concatenate(member_rows) if member_rows else np.zeros(0, dtype=np.int64),
            "theme": np.concatenate(member_themes) if member_themes else np.zeros(0, dtype=object),
            "share": np.concatenate(member_shares) if member_shares else np.zeros(0),
        }
    ).sort_values(["row", "theme"], kind="stable", ignore_index=True)
    unmodelled.sort()
    left = pd.DataFrame(
        {
            "id": [ids[row] for row in unmodelled],
            "language": language_of[unmodelled].tolist(),
            "text": [clean_texts[row] for row in unmodelled],
        }
    )
    return ThemeResult(models, answers, left, memberships)


def theme_prevalence(
    result: ThemeResult,
    respondents: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    question: str,
    instrument: str = "",
    confidence: float = 0.95,
) -> list[ProfileRecord]:
    """Per area, the share of a language's answers that carry each of its themes, with Wilson intervals.

    `respondents` holds buurt_code/wijk_code for the answers, row for row. Measure "<question>@<theme id>", n the
    answers in that language in the area.
    """
    records = []
    model_of = result.answers["model"].fillna("").to_numpy(dtype=object)
    member_rows = result.memberships["row"].to_numpy()
    member_themes = result.memberships["theme"].to_numpy(dtype=object)
    for groups in area_groups(respondents, areas):
        size = len(groups.codes)
        for language, model in result.models.items():
            answered = (model_of == language) & (groups.index >= 0)
            n = np.bincount(groups.index[answered], minlength=size)
            for theme in model.themes:
                rows = member_rows[member_themes == theme.id]
                rows = rows[groups.index[rows] >= 0]
                k = np.bincount(groups.index[rows], minlength=size)
                lower, upper = wilson_interval(k, n, confidence)
                for area in np.flatnonzero(n > 0):
                    records.append(
                        ProfileRecord(
                            area_code=groups.codes[area],
                            area_level=groups.level,
                            instrument=instrument,
                            measure=f"{question}@{theme.id}",
                            statistic="share",
                            value=clean(k[area] / n[area]),
                            lower=clean(lower[area]),
                            upper=clean(upper[area]),
                            n=int(n[area]),
                        )
                    )
    return records


@dataclass(frozen=True)
class Quote:
    """A representative answer, scrubbed, proposed for an analyst to approve before anyone else sees it."""

    question: str
    theme_id: str
    area_code: str
    answer_id: Any
    text: str
    centrality: float
    status: str = "proposed"


def representative_quotes(
    result: ThemeResult,
    texts: Sequence[str],
    respondents: pd.DataFrame,
    areas: pd.DataFrame,
    *,
    question: str,
    per_theme: int = 3,
    languages_of_text: Sequence[str] | None = None,
    scrubber=None,
    exclude_areas: frozenset[str] = frozenset(),
    exclude_groups: frozenset[tuple[str, str]] = frozenset(),
) -> list[Quote]:
    """Per theme and area, up to `per_theme` answers near the theme centre (main theme, highest centrality), each
    answer proposed once: at the level where it is most typical. Scrubbed by `scrubber(text, language)` (default
    analysis.scrub.scrub); only the proposed answers are scrubbed.

    An answer's typicality in an area is its rank among the area's answers with that theme (by centrality) divided by
    their number: the best of 500 answers in the municipality is more typical there than the best of 3 in its buurt.
    Answers go to areas in order of typicality, each at most once, so a buurt whose best answer is proposed for the
    municipality gets its next best. `exclude_areas` (area codes) and `exclude_groups` ((theme id, area code), e.g.
    suppressed ones) get no quotes and take no answers away from other areas."""
    if scrubber is None:
        from analysis.scrub import scrub as scrubber
    answers = result.answers
    themes = answers["theme"].to_numpy(dtype=object)
    centrality = answers["centrality"].to_numpy(dtype=float)
    languages = answers["language"].to_numpy(dtype=object)
    answer_ids = answers["id"].tolist()
    levels = area_groups(respondents, areas)
    candidates = []
    for level, groups in enumerate(levels):
        frame = pd.DataFrame(
            {
                "row": np.arange(len(themes)),
                "area": groups.index,
                "theme": themes,
                "centrality": centrality,
                "text": [str(text) for text in texts],
            }
        )
        frame = frame[(frame["area"] >= 0) & frame["theme"].notna()]
        frame = frame.sort_values(["theme", "area", "centrality"], ascending=[True, True, False], kind="stable")
        # the same words from several residents make one quote
        frame = frame.drop_duplicates(["theme", "area", "text"])
        grouped = frame.groupby(["theme", "area"], sort=False)
        frame = frame.assign(
            rank=grouped.cumcount(),
            size=grouped["row"].transform("size"),
            level=level,
            code=[groups.codes[area] for area in frame["area"]],
        )
        # an area loses at most per_theme answers to each other level: these many candidates always fill it
        candidates.append(frame[frame["rank"] < per_theme * len(levels)])
    frame = pd.concat(candidates, ignore_index=True)
    frame = frame[~frame["code"].isin(exclude_areas)]
    if exclude_groups:
        kept = [(theme, code) not in exclude_groups for theme, code in zip(frame["theme"], frame["code"], strict=True)]
        frame = frame[np.array(kept, dtype=bool)]  # an empty list would select no columns, not no rows
    frame = frame.assign(typicality=(frame["rank"] + 1) / frame["size"])
    frame = frame.sort_values(
        ["typicality", "centrality", "level", "row"], ascending=[True, False, True, True], kind="stable"
    )
    used: set[int] = set()
    filled: dict[tuple[str, str], int] = {}
    chosen = []
    for row, theme, code, level, value in zip(
        frame["row"], frame["theme"], frame["code"], frame["level"], frame["centrality"], strict=True
    ):
        if row in used or filled.get((theme, code), 0) >= per_theme:
            continue
        used.add(row)
        filled[(theme, code)] = filled.get((theme, code), 0) + 1
        chosen.append((level, str(theme), code, -value, int(row)))
    quotes = []
    for _level, theme, code, negative_centrality, row in sorted(chosen):
        text = scrubber(str(texts[row]), str(languages[row]))
        quotes.append(Quote(question, theme, code, answer_ids[row], text, -negative_centrality))
    return quotes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.themes", description="Find themes in the open answers of a CSV file."
    )
    parser.add_argument("input", type=Path)
    parser.add_argument("--text-column", required=True)
    parser.add_argument("--id-column")
    parser.add_argument("--language-column", help="locale hint per row (the detected language of the text wins)")
    parser.add_argument("--themes", default="auto", help="auto, or a fixed number of themes per language")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--min-answers", type=int, default=50, help="languages with fewer answers are listed for analysts, not modelled"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    frame = pd.read_csv(args.input, dtype=str, keep_default_na=False)
    for column in (args.text_column, args.id_column, args.language_column):
        if column and column not in frame.columns:
            parser.error(f"column {column!r} is not in {args.input}")
    if args.themes != "auto" and not (args.themes.isdigit() and int(args.themes) > 0):
        parser.error("--themes takes auto or a number")  # 0 would silently become 1 theme
    texts = frame[args.text_column].tolist()
    ids = frame[args.id_column].tolist() if args.id_column else list(range(1, len(frame) + 1))
    hints = frame[args.language_column].tolist() if args.language_column else None
    result = discover_themes(
        texts,
        ids=ids,
        hints=hints,
        themes=args.themes if args.themes == "auto" else int(args.themes),
        seed=args.seed,
        min_answers=args.min_answers,
    )
    answers = result.answers
    labels = {theme.id: theme.label for model in result.models.values() for theme in model.themes}
    out = pd.DataFrame(
        {
            "id": answers["id"],
            "language": answers["language"],
            "theme_id": answers["theme"].fillna(""),
            "theme_label": [labels.get(theme, "") if isinstance(theme, str) else "" for theme in answers["theme"]],
            "weight": answers["weight"].round(4),
            "themes": [";".join(f"{theme_id}:{share:.2f}" for theme_id, share in item) for item in answers["themes"]],
        }
    )
    out.map(csv_cell).to_csv(args.out, index=False)
    from analysis.scrub import scrub

    summary = []
    for model in result.models.values():
        for theme in model.themes:
            members = answers.index[(answers["theme"].fillna("") == theme.id).to_numpy(dtype=bool)]
            nearest = answers.loc[members].sort_values("centrality", ascending=False, kind="stable").head(3)
            examples = [scrub(texts[row], model.language) for row in nearest.index]
            summary.append(
                {
                    "theme_id": theme.id,
                    "language": model.language,
                    "label": theme.label,
                    "top_terms": ", ".join(theme.top_terms),
                    "answers": theme.answers,
                    "k_criterion": model.criterion,
                    "examples": " | ".join(examples),
                }
            )
    summary_path = args.out.with_name(args.out.name.removesuffix(".csv") + ".themes.csv")
    pd.DataFrame(
        summary, columns=["theme_id", "language", "label", "top_terms", "answers", "k_criterion", "examples"]
    ).map(csv_cell).to_csv(summary_path, index=False)
    left = len(result.unmodelled)
    print(
        f"{len(texts)} answers, {len(result.models)} language model(s), "
        f"{sum(model.k for model in result.models.values())} themes; {left} answers in languages with too few "
        f"answers left for analysts; wrote {args.out} and {summary_path}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Analyst codebooks: logistic regression on the theme features codes every answer, with a confidence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from analysis.language import detect_languages
from analysis.textfeatures import FeatureSpace, fit_transform
from analysis.textnorm import analyse_each


@dataclass(frozen=True)
class Code:
    """An analyst's code: a name, a description, and labelled example answers in any of the languages."""

    name: str
    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass
class Codebook:
    codes: tuple[Code, ...]
    space: FeatureSpace
    classifier: LogisticRegression
    seed: int


def train_codebook(
    codes: Sequence[Code], *, corpus: Sequence[str] = (), seed: int = 0, regularisation: float = 4.0
) -> Codebook:
    """A classifier from the codes' examples (each description counts as one more example).

    `corpus` (the answers to be coded) only widens the vocabulary and idf, so words of the answers that the examples
    lack still count through their character n-grams.
    """
    if len(codes) < 2:
        raise ValueError("a codebook needs at least two codes")
    texts, labels = [], []
    for index, code in enumerate(codes):
        for text in (*code.examples, code.description):
            if text and text.strip():
                texts.append(text.strip())
                labels.append(index)
    if len(set(labels)) < 2:
        raise ValueError("at least two codes need examples")
    everything = texts + [str(text) for text in corpus if text]
    # each text in its own language, so one feature space holds all languages (cognates such as park, container or
    # school meet in it; other words stay apart)
    tokens, stems = analyse_each(everything, detect_languages(everything))
    space, matrix = fit_transform(tokens, stems, min_df=1, max_df=1.0)
    matrix = matrix[: len(texts)]  # the codes' own texts; the corpus only shapes the vocabulary
    classifier = LogisticRegression(C=regularisation, max_iter=2000, class_weight="balanced", random_state=seed)
    classifier.fit(matrix, np.array(labels))
    return Codebook(tuple(codes), space, classifier, seed)


def code_answers(
    codebook: Codebook, texts: Sequence[str], *, hints: Sequence[str | None] | None = None
) -> pd.DataFrame:
    """Per answer: code (most probable), confidence (its probability), margin (over the runner-up) and the
    probability of every code in columns p_<code name>.

    An empty answer gets no code and NaN figures, as it gets no theme: the classifier would otherwise hand it the
    code its intercepts favour, count it in that code, and put it first among the answers to review.
    """
    texts = ["" if text is None or (isinstance(text, float) and text != text) else str(text) for text in texts]
    tokens, stems = analyse_each(texts, detect_languages(texts, hints))
    probabilities = np.zeros((len(texts), len(codebook.codes)))
    if texts:
        probabilities[:, codebook.classifier.classes_] = codebook.classifier.predict_proba(
            codebook.space.transform(tokens, stems)
        )
    empty = np.array([not text.strip() for text in texts], dtype=bool)
    probabilities[empty] = np.nan
    ordered = np.sort(probabilities, axis=1)
    best = np.nan_to_num(probabilities, nan=0.0).argmax(axis=1) if texts else np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame(
        {
            "code": pd.array(
                [None if blank else codebook.codes[index].name for index, blank in zip(best, empty, strict=True)],
                dtype="string",
            ),
            "confidence": ordered[:, -1] if texts else np.zeros(0),
            "margin": (ordered[:, -1] - ordered[:, -2]) if texts else np.zeros(0),
        }
    )
    for index, code in enumerate(codebook.codes):
        frame[f"p_{code.name}"] = probabilities[:, index]
    return frame


def most_uncertain_first(coded: pd.DataFrame) -> pd.DataFrame:
    """Coded answers ordered for review: smallest margin between the two likeliest codes first (active learning's
    margin sampling), so an analyst's labels go where the classifier is least sure."""
    return coded.sort_values(["margin", "confidence"], kind="stable")

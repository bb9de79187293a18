"""TF-IDF features of open answers: fitting a space also gives the fitted answers as the space transforms them."""

from __future__ import annotations

import numpy as np

from analysis.textfeatures import fit_transform
from analysis.textnorm import analyse

TEXTS = [
    "Er wordt veel te hard gereden in onze straat",
    "Meer verkeersdrempels, auto's rijden te snel",
    "Auto's rijden te hard langs de school",
    "Meer groen en bomen in de buurt",
    "Een mooi park met bomen om te wandelen",
    "Meer bankjes en groen op het plein",
    "Minder zwerfvuil op straat",
    "De containers in onze straat zijn altijd vol",
    "Minder zwerfvuil en meer prullenbakken",
    "",
]


def test_fit_transform_gives_the_fitted_answers_exactly_as_transform_does():
    tokens, stems = analyse(TEXTS, "nl")
    weights = np.array([1, 2, 1, 3, 1, 1, 2, 1, 1, 1], dtype=float)
    space, matrix = fit_transform(tokens, stems, weights)
    again = space.transform(tokens, stems)
    assert matrix.shape == again.shape and matrix.nnz > 0
    # the same entries in the same order: what the model computes from them stays the same bit for bit
    assert np.array_equal(matrix.indptr, again.indptr)
    assert np.array_equal(matrix.indices, again.indices)
    assert np.array_equal(matrix.data, again.data)

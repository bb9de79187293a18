"""Analyst codebooks: a few labelled answers per code, in several languages, code unseen answers with a confidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.codebook import Code, code_answers, most_uncertain_first, train_codebook

CODES = (
    Code(
        "verkeer",
        "verkeersveiligheid: te hard rijden, drempels, oversteken",
        (
            "Auto's rijden veel te hard door onze straat.",
            "Er moeten verkeersdrempels komen bij de school.",
            "Oversteken op het kruispunt is gevaarlijk.",
            "Cars drive far too fast in our street.",
            "We need speed bumps near the school.",
            "Arabalar sokağımızda çok hızlı gidiyor.",
            "Okulun önüne hız kesici lazım.",
        ),
    ),
    Code(
        "groen",
        "groen: bomen, bloemen, parken",
        (
            "Meer bomen en bloemen in de straat.",
            "Het park is kaal, plant struiken.",
            "Een buurtmoestuin zou mooi zijn.",
            "More trees and flowers in the street.",
            "The park is bare, plant some shrubs.",
            "Parkta daha fazla ağaç ve çiçek olsun.",
            "Mahallede yeşil alan çok az.",
        ),
    ),
    Code(
        "afval",
        "afval: zwerfvuil, containers, hondenpoep",
        (
            "Overal ligt zwerfvuil op de stoep.",
            "De containers zitten altijd vol.",
            "Hondenpoep op het grasveld ruimt niemand op.",
            "Litter lies all over the pavement.",
            "The bins are always full.",
            "Sokakta her yerde çöp var.",
            "Çöp konteynerleri hep dolu.",
        ),
    ),
    Code(
        "contact",
        "contact: eenzaamheid, buren ontmoeten",
        (
            "Ik voel me vaak eenzaam.",
            "Buren kennen elkaar niet.",
            "Een buurthuis om elkaar te ontmoeten.",
            "I often feel lonely.",
            "Neighbours do not know each other.",
            "Kendimi çok yalnız hissediyorum.",
            "Komşular birbirini tanımıyor.",
        ),
    ),
)
UNSEEN = [
    ("nl", "Scooters rijden veel te hard langs de school.", "verkeer"),
    ("nl", "Het plein heeft geen bomen, graag meer groen.", "groen"),
    ("nl", "Vuilniszakken en zwerfvuil naast de containers.", "afval"),
    ("nl", "Ouderen zitten eenzaam thuis, niemand komt langs.", "contact"),
    ("en", "Lorries drive too fast past the school.", "verkeer"),
    ("en", "Please plant more trees and flowers in the square.", "groen"),
    ("en", "Rubbish and litter pile up next to the bins.", "afval"),
    ("en", "Older people feel lonely and never meet their neighbours.", "contact"),
    ("tr", "Motosikletler çok hızlı gidiyor, hız kesici lazım.", "verkeer"),
    ("tr", "Daha fazla ağaç ve çiçek istiyoruz.", "groen"),
    ("tr", "Konteynerler dolu, çöp sokakta kalıyor.", "afval"),
    ("tr", "Yaşlılar yalnız, komşular birbirini tanımıyor.", "contact"),
]
P_COLUMNS = [f"p_{code.name}" for code in CODES]


@pytest.fixture(scope="module")
def codebook():
    return train_codebook(CODES, seed=3)


@pytest.fixture(scope="module")
def coded(codebook):
    return code_answers(codebook, [text for _, text, _ in UNSEEN], hints=[language for language, _, _ in UNSEEN])


def test_unseen_answers_in_each_language_get_the_code_of_their_topic(coded):
    assert coded["code"].tolist() == [code for _, _, code in UNSEEN]


def test_confidence_is_the_probability_of_the_chosen_code_and_margin_its_lead(coded):
    probabilities = coded[P_COLUMNS].to_numpy()
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert probabilities.sum(axis=1) == pytest.approx(np.ones(len(coded)))
    assert coded["confidence"].between(0, 1).all() and coded["margin"].between(0, 1).all()
    assert coded["confidence"].to_numpy() == pytest.approx(probabilities.max(axis=1))
    runner_up = np.sort(probabilities, axis=1)[:, -2]
    assert coded["margin"].to_numpy() == pytest.approx(probabilities.max(axis=1) - runner_up)
    assert [P_COLUMNS[i].removeprefix("p_") for i in probabilities.argmax(axis=1)] == coded["code"].tolist()
    # clear answers are coded with more than the 1/4 a guess among four codes would get
    assert (coded["confidence"] > 0.35).all()


def test_an_answer_about_two_codes_has_those_two_as_its_likeliest(codebook):
    both = code_answers(codebook, ["Auto's rijden veel te hard en overal ligt zwerfvuil op de stoep."], hints=["nl"])
    likeliest = both[P_COLUMNS].iloc[0].sort_values(ascending=False).index[:2]
    assert set(likeliest) == {"p_verkeer", "p_afval"}


def test_most_uncertain_first_puts_vague_and_mixed_answers_before_clear_ones(codebook, coded):
    extra = ["Geen idee eigenlijk.", "Auto's rijden te hard en de containers zitten vol."]
    review = most_uncertain_first(
        pd.concat([coded, code_answers(codebook, extra, hints=["nl", "nl"])], ignore_index=True)
    )
    assert review["margin"].is_monotonic_increasing
    assert set(review.index[:2]) == {len(UNSEEN), len(UNSEEN) + 1}
    assert review["confidence"].iloc[:2].max() < review["confidence"].iloc[2:].min()
    # the ordering is a permutation: nothing is lost or duplicated
    assert sorted(review.index) == list(range(len(UNSEEN) + 2))


def test_empty_answers_get_no_code_and_come_last_for_review(codebook):
    coded = code_answers(codebook, ["", None, "   ", "Meer bomen in het park."], hints=["nl"] * 4)
    assert coded["code"].isna().tolist() == [True, True, True, False]
    assert coded.loc[:2, ["confidence", "margin", *P_COLUMNS]].isna().all().all()
    assert most_uncertain_first(coded).index.tolist() == [3, 0, 1, 2]
    nothing = code_answers(codebook, [])
    assert nothing.empty and list(nothing.columns) == ["code", "confidence", "margin", *P_COLUMNS]


def test_a_description_alone_teaches_a_code():
    codes = (
        Code("afval", "zwerfvuil, afval en volle containers"),
        Code("groen", "bomen, bloemen en groen in het park"),
    )
    coded = code_answers(
        train_codebook(codes), ["Zwerfvuil bij de containers.", "Meer bloemen in het park."], hints=["nl", "nl"]
    )
    assert coded["code"].tolist() == ["afval", "groen"]


def test_the_answers_to_code_widen_the_vocabulary_without_changing_the_labels(codebook):
    corpus = [text for _, text, _ in UNSEEN]
    widened = train_codebook(CODES, corpus=corpus, seed=3)
    assert len(widened.space.stems) > len(codebook.space.stems)
    again = code_answers(widened, corpus, hints=[language for language, _, _ in UNSEEN])
    assert again["code"].tolist() == [code for _, _, code in UNSEEN]
    assert set(widened.classifier.classes_) == {0, 1, 2, 3}


def test_the_same_seed_gives_the_same_probabilities(coded):
    again = code_answers(
        train_codebook(CODES, seed=3), [text for _, text, _ in UNSEEN], hints=[language for language, _, _ in UNSEEN]
    )
    pd.testing.assert_frame_equal(again, coded)


@pytest.mark.parametrize(
    "codes",
    [
        (Code("verkeer", "", ("Te hard gereden.",)),),
        (Code("verkeer", "", ("Te hard gereden.",)), Code("groen")),
    ],
)
def test_a_codebook_needs_two_codes_with_examples(codes):
    with pytest.raises(ValueError, match="two codes"):
        train_codebook(codes)

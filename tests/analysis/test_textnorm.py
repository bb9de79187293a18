"""Text normalisation: Dutch compounds are split into their parts beside the whole word, other words are left alone."""

from __future__ import annotations

import pytest

from analysis.textnorm import analyse, compound_parts


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("radarontwikkelingen", ("radar", "ontwikkelingen")),
        ("verkeersdrempels", ("verkeer", "drempels")),  # linking s
        ("bergstations", ("berg", "stations")),
    ],
)
def test_a_rare_dutch_compound_is_cut_into_two_known_words(word, parts):
    assert compound_parts(word, "nl") == parts


@pytest.mark.parametrize("word", ["wetenschappers", "ziekenhuis", "ongezien", "huis", "schoonheid"])
def test_common_words_and_words_without_a_cut_into_known_words_stay_whole(word):
    assert compound_parts(word, "nl") == ()


def test_only_compounding_languages_are_split():
    assert compound_parts("radarontwikkelingen", "en") == ()


def test_the_parts_follow_the_compound_with_their_lemmas_and_stop_words_stay_out():
    token_lists, stem_lists = analyse(["De radarontwikkelingen en bergstations waren er."], "nl")
    assert token_lists == [["radarontwikkelingen", "radar", "ontwikkelingen", "bergstations", "berg", "stations"]]
    assert stem_lists[0][:3] == ["radarontwikkelingen", "radar", "ontwikkeling"]
    assert stem_lists[0][-1] == "station"

"""Text normalisation: Dutch compounds are split into their parts beside the whole word, other words are left alone."""

from __future__ import annotations

import pytest

from analysis.textnorm import analyse, compound_parts, stop_words, theme_stop_words


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


def test_english_theme_features_keep_content_words_of_the_long_stop_word_list_but_not_function_words():
    token_lists, _ = analyse(["How do I top up my account?", "Why is the amount I sent not showing today?"], "en")
    assert token_lists == [["top", "account"], ["amount", "sent", "today"]]


def test_the_scrubber_keeps_the_whole_english_stop_word_list():
    assert {"top", "amount", "today"} <= stop_words("en")
    assert not {"top", "amount", "today"} & theme_stop_words("en")
    assert {"the", "not", "why", "how"} <= theme_stop_words("en")

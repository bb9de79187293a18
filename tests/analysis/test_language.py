"""The language of open answers: script, function words, lingua and the locale hint, each where it is reliable."""

from __future__ import annotations

from analysis.language import UNDETERMINED, detect_languages


def test_script_decides_arabic_and_ukrainian_whatever_the_hint():
    assert list(detect_languages(["أريد المزيد من الأشجار", "Більше дерев у парку"], ["nl", "nl"])) == ["ar", "uk"]


def test_function_words_overrule_a_wrong_locale_even_for_short_answers():
    # a Turkish-speaking resident on the English page answers in Dutch; the answer is too short for lingua
    assert list(detect_languages(["Weet ik niet", "Het is goed zo"], ["en", "tr"])) == ["nl", "nl"]
    assert detect_languages(["Less litter in the street at the weekend"], ["nl"])[0] == "en"
    assert detect_languages(["Więcej drzew i zieleni w naszej okolicy"], ["tr"])[0] == "pl"


def test_a_short_answer_without_telling_words_keeps_its_locale_even_when_it_also_came_under_another_locale():
    # "nvt" under an Arabic page goes to lingua; that guess must not overrule the Dutch page's own hint
    languages = detect_languages(["nvt", "nvt", "Park"], ["nl", "ar", "pl"])
    assert languages[0] == "nl" and languages[2] == "pl"


def test_longer_text_without_clear_function_words_is_left_to_lingua():
    text = "Verkeersdrempels Kastanjekade, hardrijders vrachtwagens bushalte"
    assert detect_languages([text], [None])[0] == "nl"


def test_empty_and_letterless_answers_are_undetermined():
    assert list(detect_languages(["", "123 !!", None], ["nl", "nl", None])) == [UNDETERMINED] * 3


def test_the_page_language_weighs_against_lingua_where_lingua_doubts_but_not_where_it_is_sure():
    # lingua's trigrams take "My card is broken" for Dutch (0.85 against 0.12 for English)
    texts = ["My card is broken", "My card is broken", "De speeltuin moet opgeknapt worden"]
    assert detect_languages(texts, [None, "en", "en"]).tolist() == ["nl", "en", "nl"]

"""The quote scrubber against the PII battery (tests/analysis/pii_battery.py): recall, precision, clean answers.

The figures are printed (`pytest -s`, or benchmarks/scrub.py per language) so that a change to the scrubber shows
what it gains and costs.
"""

from __future__ import annotations

import pytest

from analysis.scrub import find_personal_data, scrub
from tests.analysis.pii_battery import AREAS, MARKED, battery, clean, measure

LANGUAGES = ("nl", "en", "tr", "ar", "pl", "uk")


def spans_found(text: str, language: str) -> list[tuple[int, int]]:
    return [(span.start, span.end) for span in find_personal_data(text, language, keep=AREAS)]


@pytest.fixture(scope="module")
def scores():
    result = measure(spans_found)
    for language, score in sorted(result.items()):
        print(
            f"\nPII battery {language}: {score.spans} spans, recall {score.recall:.1%}, "
            f"precision {score.precision:.1%}, clean kept {score.clean_unchanged}/{score.clean}"
        )
    return result


def test_the_battery_holds_at_least_200_sentences_across_all_six_languages():
    assert len(battery()) >= 200
    assert set(MARKED) == set(LANGUAGES)
    assert all(len(MARKED[language]) >= 30 for language in LANGUAGES)


def test_the_scrubber_removes_at_least_98_percent_of_the_marked_personal_data(scores):
    assert scores["all"].recall >= 0.98, "\n".join(scores["all"].missed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_keeps_recall_of_at_least_95_percent(scores, language):
    assert scores[language].recall >= 0.95, "\n".join(scores[language].missed)


def test_most_of_what_the_scrubber_removes_is_personal_data(scores):
    assert scores["all"].precision >= 0.9


@pytest.mark.parametrize("sentence", clean(), ids=lambda sentence: f"{sentence.language}:{sentence.text[:30]}")
def test_answers_without_personal_data_come_through_unchanged(sentence):
    assert scrub(sentence.text, sentence.language, keep=AREAS) == sentence.text


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Ik woon op 14b en het is er rustig.", "nl", "Ik woon op [adres] en het is er rustig."),
        ("De auto 12-ABC-3 staat op de stoep.", "nl", "De auto [kenteken] staat op de stoep."),
        ("Ik ben geboren op 12 maart 1954 hier.", "nl", "Ik ben geboren op [geboortedatum] hier."),
        ("Bel nul zes een twee drie vier vijf zes zeven acht.", "nl", "Bel [telefoon]."),
        ("Mevrouw Jansen helpt mij.", "nl", "Mevrouw [naam] helpt mij."),
    ],
)
def test_personal_data_becomes_a_tag_that_says_what_was_there(text, language, expected):
    assert scrub(text, language, keep=AREAS) == expected


def test_a_date_without_a_word_about_birth_and_a_number_like_a_plate_without_letters_stay():
    text = "Op 12-05-2023 kwamen 12-34-56 mensen? Nee, 120 mensen kwamen op 3 mei."
    assert scrub(text, "nl", keep=AREAS) == text

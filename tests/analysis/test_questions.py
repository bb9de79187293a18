"""One theme analysis per open question: questionnaires that share an item id never have their answers pooled."""

from __future__ import annotations

import pytest

from analysis.frames import area_table, respondents_frame
from analysis.run import OPEN_ANSWERS, RunParams, run_analysis

# Adults and young people are both asked `open_better`, each in their own words; they write about different things.
ADULT_TOPICS = [
    "de auto's rijden te hard in onze straat",
    "meer drempels tegen het hardrijden",
    "de verkeersveiligheid bij de school moet beter",
    "minder vrachtverkeer door de wijk",
]
YOUTH_TOPICS = [
    "een skatebaan voor jongeren",
    "een voetbalveldje om te trappen",
    "een plek om te chillen met vrienden",
    "een skatepark en een pannakooi",
]
ADULT_WORDS = {"auto", "hard", "drempel", "verkeer", "vrachtverkeer", "straat", "verkeersveiligheid", "school"}
YOUTH_WORDS = {"skatebaan", "skatepark", "voetbalveld", "chillen", "jongeren", "pannakooi", "vrienden"}
THRESHOLD = RunParams().min_n


def records(count: int) -> list[dict]:
    buurten = [("BU90010000", "WK900100"), ("BU90010100", "WK900101")]
    made = []
    for index in range(count):
        instrument = "adult" if index % 2 == 0 else "youth"
        topics = ADULT_TOPICS if instrument == "adult" else YOUTH_TOPICS
        buurt, wijk = buurten[index // 2 % 2]
        made.append(
            {
                "response_id": index + 1,
                "instrument": instrument,
                "buurt_code": buurt,
                "wijk_code": wijk,
                "age_band": "25_44" if instrument == "adult" else "15_24",
                "locale": "nl",
                "mode": "online",
                "answers": {"open_better": f"{topics[index // 2 % len(topics)]} ({index // 8})"},
            }
        )
    return made


@pytest.fixture(scope="module")
def result(instruments):
    areas = {
        "GM9001": "Leefdam",
        "WK900100": "Centrum",
        "WK900101": "Oud-West",
        "BU90010000": "Centrum-Noord",
        "BU90010100": "Oud-West-Noord",
    }
    frame = respondents_frame(records(480))
    population = {code: {"0_14": 0, "15_24": 500, "25_44": 500, "45_64": 0, "65_plus": 0} for code in areas}
    params = RunParams(types=False, theme_k=3, theme_min_answers=20, scrub_with_deduce=False, weights=False)
    return run_analysis(
        frame,
        {slug: instruments[slug] for slug in ("adult", "youth")},
        population,
        area_table(areas, areas),
        seed=1,
        params=params,
    ), frame


def test_questions_that_share_an_item_id_are_analysed_apart(result):
    run, frame = result
    assert set(run.themes) == {"adult.open_better", "youth.open_better"}
    instrument_of = dict(zip(frame["response_id"], frame["instrument"], strict=True))
    for question, themes in run.themes.items():
        slug = question.split(".")[0]
        # every quote, and every answer behind the theme counts, comes from that questionnaire's respondents
        assert themes.quotes and {instrument_of[quote.answer_id] for quote in themes.quotes} == {slug}
        assert sum(model.answers for model in themes.models.values()) + len(themes.unmodelled) == 240
        terms = {term for model in themes.models.values() for theme in model.themes for term in theme.top_terms}
        other = YOUTH_WORDS if slug == "adult" else ADULT_WORDS
        assert not {term for term in terms if any(word.startswith(term) or term.startswith(word) for word in other)}
    measures = {record.measure.split("@")[0] for record in run.records if record.instrument == OPEN_ANSWERS}
    assert measures == {"adult.open_better", "youth.open_better"}


def test_each_question_counts_its_answers_per_area_and_each_answer_once(result):
    run, _frame = result
    for themes in run.themes.values():
        assert themes.area_answers["GM9001"] == 240
        assert themes.area_answers["WK900100"] + themes.area_answers["WK900101"] == 240
        main = sum(counts.get("GM9001", 0) for counts in themes.area_counts.values())
        assert main <= 240  # one main theme per answer at most: merged themes add up without double counting
        assert set(themes.area_counts) == {theme.id for model in themes.models.values() for theme in model.themes}


def test_suggested_names_are_short_answers_and_never_lists_of_stems(result):
    run, _frame = result
    for question, themes in run.themes.items():
        topics = ADULT_TOPICS if question.startswith("adult") else YOUTH_TOPICS
        assert set(themes.suggestions) == set(themes.area_counts)
        for suggestion in themes.suggestions.values():
            assert " / " not in suggestion and len(suggestion.split()) <= 8
            assert any(suggestion.startswith(topic) for topic in topics)


def test_signatures_recognise_a_theme_of_the_same_answers_in_another_run(result):
    from analysis.themematch import answer_signatures, match_themes, similarity

    run, _frame = result
    themes = run.themes["adult.open_better"]
    ids = list(themes.signatures)
    assert similarity(themes.signatures[ids[0]], themes.signatures[ids[0]]) == 1.0
    assert similarity(themes.signatures[ids[0]], themes.signatures[ids[1]]) < 0.2
    # the same answers under other theme ids, one answer fewer (an erased response): matched one to one
    renamed = answer_signatures(["b", "b", "a", "a", "a", None], [1, 2, 3, 4, 5, 6])
    again = answer_signatures(["x", "y", "y", "y", "x", None], [1, 3, 4, 5, 2, 7])
    matched = match_themes([(again["x"], ()), (again["y"], ())], [(renamed["a"], ()), (renamed["b"], ())])
    assert matched == {0: 1, 1: 0}

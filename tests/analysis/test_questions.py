"""One theme analysis per open question: questionnaires that share an item id never have their answers pooled."""
from __future__ import annotations

import pytest

from analysis.frames import area_table, respondents_frame
from analysis.run import OPEN_ANSWERS, RunParams, run_analysis

# Adults and young people are both asked `open_better`, each in their own words; they write about different things.
ADULT_TOPICS = ["de auto's rijden te hard in onze straat", "meer drempels tegen het hardrijden",
                "de verkeersveiligheid bij de school moet beter", "minder vrachtverkeer door de wijk"]
YOUTH_TOPICS = ["een skatebaan voor jongeren", "een voetbalveldje om te trappen", "een plek om te chillen met vrienden",
                "een skatepark en een pannakooi"]
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
        made.append({"response_id": index + 1, "instrument": instrument, "buurt_code": buurt, "wijk_code": wijk,
                     "age_band": "25_44" if instrument == "adult" else "15_24", "locale": "nl", "mode": "online",
                     "answers": {"open_better": f"{topics[index // 2 % len(topics)]} ({index // 8})"}})
    return made


@pytest.fixture(scope="module")
def result(instruments):
    areas = {"GM9001": "Leefdam", "WK900100": "Centrum", "WK900101": "Oud-West", "BU90010000": "Centrum-Noord",
             "BU90010100": "Oud-West-Noord"}
    frame = respondents_frame(records(480))
    population = {code: {"0_14": 0, "15_24": 500, "25_44": 500, "45_64": 0, "65_plus": 0} for code in areas}
    params = RunParams(types=False, theme_k=3, theme_min_answers=20, scrub_with_deduce=False, weights=False)
    return run_analysis(frame, {slug: instruments[slug] for slug in ("adult", "youth")}, population,
                        area_table(areas, areas), seed=1, params=params), frame


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



"""Every scoring rule of the shipped scales against hand-computed cases, including missing data."""

from __future__ import annotations

import pytest

from surveys.instruments import load_instruments
from surveys.scoring import score_columns, score_response, score_row


@pytest.fixture(scope="module")
def adult():
    return load_instruments()["adult"]


def scores(instrument, answers):
    return score_response(instrument, answers)


def who5(*values):
    return {f"who5_{i}": v for i, v in enumerate(values, start=1)}


def djg(*codes):
    return {f"djg_{i}": c for i, c in enumerate(codes, start=1)}


def brs(*values):
    return {f"brs_{i}": v for i, v in enumerate(values, start=1)}


def mastery(*values):
    return {f"mastery_{i}": v for i, v in enumerate(values, start=1)}


def cohesion(*values):
    return {f"cohesion_{i}": v for i, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    ("values", "score", "band"),
    [
        ((5, 4, 3, 2, 1), 60.0, "adequate"),  # raw 15
        ((3, 3, 3, 2, 2), 52.0, "adequate"),  # raw 13: just not poor
        ((3, 3, 2, 2, 2), 48.0, "poor"),  # raw 12
        ((0, 0, 0, 0, 0), 0.0, "poor"),
        ((5, 5, 5, 5, 5), 100.0, "adequate"),
    ],
)
def test_who5_is_raw_sum_times_four_with_poor_below_13(adult, values, score, band):
    result = scores(adult, who5(*values))["who5"]
    assert (result.score, result.band) == (score, band)


def test_who5_is_missing_when_an_item_is_unanswered(adult):
    answers = who5(5, 4, 3, 2, 1)
    del answers["who5_3"]
    result = scores(adult, answers)["who5"]
    assert (result.score, result.band, result.answered) == (None, None, 4)


@pytest.mark.parametrize(
    ("codes", "total", "emotional", "social", "band"),
    [
        (("no", "yes", "yes", "no", "yes", "no"), 0, 0, 0, "not_lonely"),
        (("more_or_less", "yes", "yes", "no", "yes", "no"), 1, 1, 0, "not_lonely"),
        (("yes", "yes", "more_or_less", "no", "no", "more_or_less"), 4, 2, 2, "moderate"),
        (("yes", "more_or_less", "yes", "no", "yes", "no"), 2, 1, 1, "moderate"),
        (("yes", "no", "no", "yes", "more_or_less", "no"), 5, 2, 3, "severe"),
        (("yes", "no", "no", "yes", "no", "yes"), 6, 3, 3, "severe"),
    ],
)
def test_de_jong_gierveld_scores_items_by_direction(adult, codes, total, emotional, social, band):
    result = scores(adult, djg(*codes))["djg"]
    assert result.score == total
    assert result.subscales == {"emotional": emotional, "social": social}
    assert result.band == band


def test_de_jong_gierveld_missing_item_leaves_total_and_its_subscale_missing(adult):
    answers = djg("yes", "yes", "yes", "no", "yes", "no")
    del answers["djg_2"]
    result = scores(adult, answers)["djg"]
    assert result.score is None and result.band is None
    assert result.subscales["social"] is None


@pytest.mark.parametrize(
    ("values", "score", "band"),
    [
        ((5, 1, 5, 1, 5, 1), 5.0, "high"),
        ((3, 3, 3, 3, 3, 3), 3.0, "normal"),  # exactly 3.00 is normal
        ((4, 2, 4, 2, 4, 1), 25 / 6, "normal"),  # 4.17
        ((5, 2, 4, 2, 4, 1), 26 / 6, "high"),  # 4.33 > 4.30
        ((3, 3, 3, 3, 2, 4), 16 / 6, "low"),  # 2.67
        ((1, 5, 1, 5, 1, 5), 1.0, "low"),
    ],
)
def test_brief_resilience_reverses_2_4_6_and_takes_the_mean(adult, values, score, band):
    result = scores(adult, brs(*values))["brs"]
    assert result.score == pytest.approx(score) and result.band == band


@pytest.mark.parametrize(
    ("values", "score", "band"),
    [
        ((5, 5, 5, 5, 5, 1, 1), 35, "sufficient"),
        ((1, 1, 1, 1, 1, 5, 5), 7, "low"),
        ((3, 3, 3, 3, 3, 4, 4), 19, "low"),  # 15 + 2 + 2
        ((3, 3, 3, 3, 3, 4, 3), 20, "sufficient"),  # 15 + 2 + 3
    ],
)
def test_mastery_counts_items_1_to_5_as_stored_and_reverses_6_and_7(adult, values, score, band):
    result = scores(adult, mastery(*values))["mastery"]
    assert (result.score, result.band) == (score, band)


@pytest.mark.parametrize(
    ("values", "score"),
    [
        ((1, 5, 5, 5, 5), 10.0),
        ((5, 1, 1, 1, 1), 0.0),
        ((2, 3, 4, 2, 3), 5.5),  # cohesion_1 reversed to 4; mean 3.2; (3.2 - 1) * 2.5
    ],
)
def test_cohesion_reverses_item_1_and_rescales_the_mean_to_0_10(adult, values, score):
    assert scores(adult, cohesion(*values))["cohesion"].score == pytest.approx(score)


def test_life_satisfaction_is_the_rating_itself(adult):
    assert scores(adult, {"life_satisfaction": 7})["life_satisfaction"].score == 7.0
    assert scores(adult, {})["life_satisfaction"].score is None


def test_every_scale_is_missing_on_an_empty_response(adult):
    assert all(result.score is None for result in scores(adult, {}).values())


def test_unknown_codes_count_as_missing(adult):
    assert scores(adult, who5(5, 4, 3, 2, 99))["who5"].score is None
    assert scores(adult, djg("yes", "yes", "yes", "no", "yes", "perhaps"))["djg"].score is None


def test_export_columns_follow_the_naming_rule(adult):
    columns = score_columns(adult)
    for name in (
        "who5_score",
        "who5_band",
        "djg_score",
        "djg_emotional",
        "djg_social",
        "djg_band",
        "brs_score",
        "brs_band",
        "mastery_score",
        "mastery_band",
        "cohesion_score",
        "life_satisfaction_score",
    ):
        assert name in columns
    row = score_row(adult, {**who5(5, 4, 3, 2, 1), **djg("no", "yes", "yes", "no", "yes", "no")})
    assert set(row) == set(columns)
    assert row["who5_score"] == 60.0 and row["djg_band"] == "not_lonely" and row["brs_score"] is None


def test_shared_scales_score_the_same_in_every_instrument():
    instruments = load_instruments()
    answers = {
        **who5(2, 3, 4, 1, 0),
        **djg("yes", "no", "more_or_less", "no", "yes", "no"),
        **mastery(2, 3, 4, 5, 1, 2, 3),
    }
    for scale_id in ("who5", "djg", "mastery"):
        results = {
            slug: score_response(inst, answers)[scale_id].score
            for slug, inst in instruments.items()
            if scale_id in {s.id for s in inst.scales}
        }
        assert len(results) >= 2 and len(set(results.values())) == 1, (scale_id, results)

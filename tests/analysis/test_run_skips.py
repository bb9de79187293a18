"""run_analysis skips a part that cannot be done, says why in `skipped`, and returns everything else."""

from __future__ import annotations

import dataclasses

import pytest

import analysis.run
from analysis.run import FAILED, NO_ANSWERS, NO_ITEMS, RunParams, run_analysis
from tests.analysis.conftest import as_records

PARAMS = RunParams(themes=False)


@pytest.fixture(scope="module")
def small_wave(instruments, buurten):
    from analysis.frames import respondents_frame
    from demo.synthetic import generate

    return respondents_frame(as_records(generate(instruments, buurten, 600, seed=3)))


def test_a_failing_type_model_skips_the_types_and_keeps_the_profiles(small_wave, instruments, leefdam, monkeypatch):
    areas, population = leefdam

    def failing(*args, **kwargs):
        raise ValueError("too few respondents with scores to form types")

    monkeypatch.setattr(analysis.run, "fit_types", failing)
    result = run_analysis(small_wave, instruments, population, areas, params=PARAMS)
    skipped = [part for part in result.skipped if part.part == "types"]
    assert skipped and all(part.reason == FAILED and "too few respondents" in part.detail for part in skipped)
    assert not result.types
    assert any(record.measure == "who5" and record.value is not None for record in result.records)


def test_a_scale_without_items_or_answers_is_noted_and_the_other_scales_are_scored(small_wave, instruments, leefdam):
    areas, population = leefdam
    adult = instruments["adult"]
    scales = [dataclasses.replace(scale, items=()) if scale.id == "cohesion" else scale for scale in adult.scales]
    changed = {**instruments, "adult": dataclasses.replace(adult, scales=tuple(scales))}
    unanswered = small_wave.copy()
    for item in ("ph_body", "ph_mind"):
        if item in unanswered.columns:
            unanswered[item] = None
    result = run_analysis(unanswered, changed, population, areas, params=dataclasses.replace(PARAMS, types=False))
    notes = {(part.subject, part.reason) for part in result.skipped if part.part == "scale"}
    assert ("adult.cohesion", NO_ITEMS) in notes
    assert ("adult.ph_body", NO_ANSWERS) in notes and ("adult.ph_mind", NO_ANSWERS) in notes
    assert any(record.measure == "who5" and record.value is not None for record in result.records)

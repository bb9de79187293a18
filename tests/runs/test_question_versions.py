"""An open question is one item of one questionnaire across the versions in which its wording is the same: answers
to a reworded version of it never join the newest version's themes."""

from __future__ import annotations

import copy

from sqlalchemy import select

from demo.cli import add_synthetic_respondents
from extensions import db
from models import InstrumentVersion, Response
from runs.inputs import load_inputs
from surveys.registry import current_instruments


def reworded(definition, item_id: str, text: str):
    """The definition with the Dutch text of one item replaced (nested dicts and lists)."""
    if isinstance(definition, dict):
        if definition.get("id") == item_id and "text" in definition:
            return {**definition, "text": {**definition["text"], "nl": text}}
        return {key: reworded(value, item_id, text) for key, value in definition.items()}
    if isinstance(definition, list):
        return [reworded(value, item_id, text) for value in definition]
    return definition


def test_answers_to_a_reworded_version_of_an_open_question_stay_out_of_its_themes(app, demo_wave):
    add_synthetic_respondents(demo_wave, 120, seed=3)
    adult = current_instruments()["adult"]
    old = db.session.scalar(select(InstrumentVersion).filter_by(slug="adult", version=adult.version))
    # a newer version asks open_better in other words, and the same open_good
    definition = reworded(copy.deepcopy(adult.definition), "open_better", "Wat mist u in uw buurt?")
    definition["version"] = adult.version + 1
    newer = InstrumentVersion(slug="adult", version=adult.version + 1, content_hash="f" * 64, definition=definition)
    db.session.add(newer)
    db.session.flush()
    responses = db.session.scalars(
        select(Response).where(Response.instrument_version_id == old.id).order_by(Response.id)
    ).all()
    moved = {response.id for response in responses[: len(responses) // 2]}
    for response in responses:
        if response.id in moved:
            response.instrument_version_id = newer.id
    db.session.commit()
    frame = load_inputs(demo_wave).respondents
    adults = frame[frame["instrument"] == "adult"]
    answered = adults[adults["open_better"].map(lambda value: isinstance(value, str) and bool(value))]
    good = adults[adults["open_good"].map(lambda value: isinstance(value, str) and bool(value))]
    # the older wording is another question: only answers to the newest wording are themed as adult.open_better
    assert len(answered) and set(answered["response_id"]) <= moved
    # a question worded the same in both versions keeps the answers of both
    assert set(good["response_id"]) - moved and set(good["response_id"]) & moved

"""The demo command: idempotent municipality and wave, synthetic respondents that are valid and reproducible."""
from __future__ import annotations

from statistics import mean

from sqlalchemy import func, select

from demo.synthetic import generate
from extensions import db
from models import Answer, District, Indicator, Neighbourhood, Outcome, Response, ResponseStatus, Team, Wave
from surveys.registry import current_instruments
from surveys.scoring import score_response


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_command_is_idempotent_and_adds_respondents(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert count(Wave) == 2 and count(District) == 5 and count(Neighbourhood) == 16
    wave = db.session.scalar(select(Wave).filter_by(name="Leefwereld demo 2026"))
    assert wave.instrument_slugs == ["adult", "youth", "parent", "interview"]
    earlier = db.session.scalar(select(Wave).filter_by(name="Leefwereld demo 2025"))
    assert earlier.closes_on < wave.opens_on and "interview" not in earlier.instrument_slugs
    assert all(district.boundary for district in db.session.scalars(select(District)))
    assert count(Outcome) == 4 and count(Indicator) >= 8
    assert sorted(team.name for team in db.session.scalars(select(Team))) == ["Wijkteam Noord", "Wijkteam Zuid"]
    result = runner.invoke(args=["demo", "--respondents", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert count(Response) == 40 and count(Answer) > 40 * 10
    assert wave.id == db.session.scalar(select(Response.wave_id).limit(1))  # added to the open wave
    assert {r.status for r in db.session.scalars(select(Response))} == {ResponseStatus.submitted}


def test_synthetic_answers_are_valid_answers_of_their_items(app):
    instruments = current_instruments()
    buurten = [("BU90010000", 0, 100), ("BU90010200", 2, 100)]
    for synthetic in generate(instruments, buurten, 200, seed=7):
        instrument = instruments[synthetic.instrument]
        for item_id, value in synthetic.answers.items():
            item = instrument.item(item_id)
            if item.type == "multiple":
                assert set(value) <= set(item.codes)
            elif item.type == "number":
                assert item.min <= value <= item.max
            elif item.type in ("short_text", "long_text"):
                assert isinstance(value, str) and len(value) <= item.max_length
            else:
                assert value in item.codes, (item_id, value)


def test_synthetic_respondents_are_reproducible_and_carry_the_planted_difference(app):
    instruments = current_instruments()
    buurten = [("BU90010000", 0, 100), ("BU90010200", 2, 100)]
    first = generate(instruments, buurten, 600, seed=11)
    assert first == generate(instruments, buurten, 600, seed=11)
    assert first != generate(instruments, buurten, 600, seed=12)
    cohesion = {0: [], 2: []}
    for synthetic in first:
        if synthetic.instrument == "adult":
            score = score_response(instruments["adult"], synthetic.answers)["cohesion"].score
            if score is not None:
                cohesion[synthetic.wijk_index].append(score)
    assert mean(cohesion[2]) < mean(cohesion[0]) - 1.0

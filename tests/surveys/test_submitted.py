"""The shared reader of submitted responses: each submitted response of the wave once, in id order, with its answers
and area codes, whatever the batch size; unfinished ones, other waves, and on request interviews left out."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from extensions import db
from models import Answer, Neighbourhood, Response, ResponseMode, ResponseStatus, Wave
from models.types import utcnow
from surveys.registry import current_instruments, ensure_version
from surveys.submitted import submitted_responses


def add_response(
    wave: Wave,
    slug: str = "adult",
    *,
    neighbourhood: Neighbourhood | None = None,
    status: ResponseStatus = ResponseStatus.submitted,
    mode: ResponseMode = ResponseMode.self_completed,
    answers: dict | None = None,
) -> int:
    response = Response(
        token=uuid.uuid4().hex,
        wave=wave,
        instrument_version=ensure_version(current_instruments()[slug]),
        neighbourhood=neighbourhood,
        area_unknown=neighbourhood is None,
        locale="tr",
        age_band="45_64",
        mode=mode,
        status=status,
        submitted_at=utcnow() if status is ResponseStatus.submitted else None,
        answers=[Answer(item_id=item_id, value=value) for item_id, value in (answers or {}).items()],
    )
    db.session.add(response)
    db.session.flush()
    return response.id


@pytest.fixture
def stored(demo_wave):
    buurt = db.session.scalars(select(Neighbourhood).order_by(Neighbourhood.code)).first()
    earlier = db.session.scalars(select(Wave).where(Wave.id != demo_wave.id)).first()
    ids = {
        "placed": add_response(
            demo_wave, neighbourhood=buurt, answers={"life_satisfaction": 7, "part_work_school": ["paid_work"]}
        ),
        "unplaced": add_response(demo_wave, answers={"ph_body": 5}),
        "interview": add_response(demo_wave, neighbourhood=buurt, mode=ResponseMode.interview),
        "youth": add_response(demo_wave, "youth", neighbourhood=buurt, answers={"life_satisfaction": 9}),
        "unfinished": add_response(demo_wave, status=ResponseStatus.in_progress, answers={"ph_body": 1}),
        "other_wave": add_response(earlier, answers={"ph_body": 2}),
    }
    db.session.commit()
    return demo_wave, buurt, ids


@pytest.mark.parametrize("batch_size", [1, 2, 1000])
def test_each_submitted_response_of_the_wave_comes_once_in_id_order_whatever_the_batch_size(stored, batch_size):
    wave, _, ids = stored
    read = [response.id for response in submitted_responses(wave.id, batch_size=batch_size)]
    assert read == sorted([ids["placed"], ids["unplaced"], ids["interview"], ids["youth"]])


def test_a_response_comes_with_its_own_answers_and_area_codes(stored):
    wave, buurt, ids = stored
    read = {response.id: response for response in submitted_responses(wave.id, batch_size=2)}
    placed = read[ids["placed"]]
    assert placed.answers == {"life_satisfaction": 7, "part_work_school": ["paid_work"]}
    assert (placed.buurt_code, placed.wijk_code) == (buurt.code, buurt.district.code)
    assert (placed.instrument, placed.mode, placed.locale, placed.age_band) == (
        "adult",
        ResponseMode.self_completed,
        "tr",
        "45_64",
    )
    assert placed.submitted_at is not None
    unplaced = read[ids["unplaced"]]
    assert unplaced.answers == {"ph_body": 5}
    assert (unplaced.buurt_code, unplaced.wijk_code) == (None, None)
    assert read[ids["interview"]].answers == {}
    assert read[ids["youth"]].instrument == "youth"


def test_interviews_and_other_versions_are_left_out_when_asked(stored):
    wave, _, ids = stored
    without = [response.id for response in submitted_responses(wave.id, without_interviews=True, batch_size=1)]
    assert without == sorted([ids["placed"], ids["unplaced"], ids["youth"]])
    youth_version = ensure_version(current_instruments()["youth"]).id
    assert [response.id for response in submitted_responses(wave.id, version_ids=[youth_version])] == [ids["youth"]]
    assert list(submitted_responses(wave.id, version_ids=[])) == []

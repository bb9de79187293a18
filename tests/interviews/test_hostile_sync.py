"""Property-based: random and hostile values in an interview the outbox sends give a stored, valid interview or a
translated rejection the outbox shows (and then keeps the interview), never a server error."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from extensions import db
from interviews.service import new_sync_key
from models import Interview, Role
from surveys.forms import has_control_characters
from surveys.registry import get_instrument
from tests.hostile import BATTERY, is_valid_answer, values_for
from tests.interviews.test_interviews import interview_fields, sync
from tests.staff import log_in, make_staff, team_named


@pytest.fixture
def tablet(app, demo_wave):
    client = app.test_client()
    log_in(client, make_staff(Role.interviewer, "kim@leefdam.example", team=team_named("Wijkteam Noord")))
    client.fields = interview_fields(client)  # one form for all examples; each send gets a key of its own
    return client


@BATTERY
@given(data=st.data())
def test_hostile_values_in_a_synced_interview_are_stored_valid_or_refused_with_a_message(tablet, data):
    instrument = get_instrument("interview")
    names = sorted(name for name in tablet.fields if name not in ("csrf_token", "instrument", "sync_key"))
    # the fields the interview form adds, as often as all of the instrument's questions together
    setup = [name for name in names if name not in instrument.item_ids]
    changed = data.draw(
        st.lists(st.one_of(st.sampled_from(setup), st.sampled_from(names)), min_size=1, max_size=3, unique=True),
        label="fields",
    )
    fields = [[name, value] for name, value in tablet.fields.items() if name not in changed and name != "sync_key"]
    for name in changed:
        item = instrument.item(name) if name in instrument.item_ids else None
        fields += [[name, value] for value in data.draw(values_for(item), label=name)]
    key = new_sync_key()
    fields.append(["sync_key", key])
    stored_before = db.session.scalar(select(func.count()).select_from(Interview))

    reply = tablet.post("/staff/interviews/sync", json={"fields": fields})

    assert reply.status_code in (201, 422), reply.status_code
    db.session.expire_all()
    interview = db.session.scalar(select(Interview).filter_by(sync_key=key))
    assert db.session.scalar(select(func.count()).select_from(Interview)) == stored_before + (interview is not None)
    if reply.status_code == 422:
        errors = reply.json["errors"]
        # what the outbox shows the worker: at least one message, in Dutch (the session's language)
        assert errors and all(
            isinstance(message, str) and message for messages in errors.values() for message in messages
        )
        assert interview is None
    else:
        for item_id, value in interview.response.answer_values().items():
            assert is_valid_answer(instrument.item(item_id), value), (item_id, value)
        assert interview.notes is None or not has_control_characters(interview.notes)


def test_a_lone_surrogate_anywhere_in_a_synced_interview_gets_a_message_not_an_error(tablet):
    for name in ("notes", "buurt", "client_code", "conducted_on", "sr_finances", "goal", "csrf_token"):
        fields = {**tablet.fields, "sync_key": str(uuid.uuid4()), name: "x\ud800"}
        assert sync(tablet, fields).status_code in (400, 422), name
    assert db.session.scalar(select(func.count()).select_from(Interview)) == 0

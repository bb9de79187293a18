"""Parallel first sends of one offline interview (a tablet that retries while the first send is still underway)
store it once and answer every send with the interview's page, never with an error."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Interview, Response, Role
from tests.interviews.test_interviews import interview_fields
from tests.live import all_at_once, post, serving, session_cookie
from tests.staff import log_in, make_staff, team_named

SENDS = 12


@pytest.fixture
def tablet(app, demo_wave):
    client = app.test_client()
    log_in(client, make_staff(Role.interviewer, "kim@leefdam.example", team=team_named("Wijkteam Noord")))
    return client


def test_parallel_first_sends_of_one_interview_store_it_once_and_never_fail(app, tablet):
    with serving(app) as address:
        fields = interview_fields(tablet)
        body = json.dumps({"fields": [[name, value] for name, value in fields.items()]}).encode()
        cookie = session_cookie(tablet)
        replies = all_at_once(
            [lambda: post(address, "/staff/interviews/sync", cookie, body, "application/json") for _ in range(SENDS)]
        )
    errors = [reply for reply in replies if reply.status >= 500]
    # the figures for the closing notes (run with -s)
    print(f"{db.engine.dialect.name}: {len(replies)} sends, {len(errors)} server errors")
    assert not errors, f"{len(errors)} of {len(replies)} sends gave a server error"
    assert sorted(reply.status for reply in replies) == [200] * (SENDS - 1) + [201]
    assert len({json.loads(reply.body)["url"] for reply in replies}) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Interview)) == 1
    assert db.session.scalar(select(func.count()).select_from(Response)) == 1

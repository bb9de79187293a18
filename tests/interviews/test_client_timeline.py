"""A worker finds a client's conversations by the code the team uses, and reads the client's timeline: every
conversation with the questionnaire's name, and the rating per area of life over time with the change since intake."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from extensions import db
from models import AuditEvent, Interview, Role
from tests.forms import main_form
from tests.interviews.test_interviews import interview_fields
from tests.staff import log_in, make_staff, team_named


@pytest.fixture
def kim(demo_wave):
    return make_staff(Role.interviewer, "kim@leefdam.example", team=team_named("Wijkteam Noord"))


@pytest.fixture
def tablet(app, kim):
    client = app.test_client()
    log_in(client, kim)
    return client


@pytest.fixture
def conversations(tablet):
    """An intake and a follow-up of client NRD-0042, and an intake of another client."""
    for fields in (
        interview_fields(tablet, conducted_on="2026-02-01"),
        interview_fields(tablet, client_code="NRD-0042", sr_finances=4, ph_body=6, conducted_on="2026-06-01"),
        interview_fields(tablet, client_code="NRD-0099", conducted_on="2026-03-01"),
    ):
        assert tablet.post("/staff/interviews/new?instrument=interview", data=fields).status_code == 302
    return db.session.scalars(select(Interview).order_by(Interview.conducted_at)).all()


def find(client, code: str):
    form = main_form(client.get("/staff/interviews").get_data(as_text=True))
    return client.post("/staff/interviews/find", data={"csrf_token": form.fields["csrf_token"][0], "client_code": code})


def test_a_client_code_typed_in_any_way_finds_the_timeline_of_that_client(tablet, conversations):
    intake, other, follow_up = conversations
    found = find(tablet, " nrd-0042 ")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/staff/interviews/{follow_up.id}/timeline")
    page = tablet.get(found.headers["Location"]).get_data(as_text=True)
    assert "2 gesprekken in Wijkteam Noord" in page and "(intake)" in page
    assert f'/staff/interviews/{intake.id}"' in page and f'/staff/interviews/{other.id}"' not in page
    assert page.count("Keukentafelgesprek") == 2 and ">interview<" not in page  # the questionnaire's name, no slug
    assert "beter (+2)" in page  # finances 2 -> 4 since the intake
    assert "NRD" not in page


def test_the_code_is_never_kept_and_the_search_is_in_the_audit_log(tablet, conversations, kim):
    find(tablet, "NRD-0042")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "client_searched")).one()
    assert event.actor_id == kim.id and "NRD" not in json.dumps(event.details)


def test_an_unknown_code_says_so_and_keeps_what_was_typed(tablet, conversations):
    answer = find(tablet, "NRD-0043")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Uw wijkteam heeft geen gesprekken met deze cliëntcode" in html
    assert 'id="error-summary"' in html and 'value="NRD-0043"' in html


def test_a_worker_of_another_team_finds_nothing_with_the_same_code(app, conversations):
    zuid = app.test_client()
    log_in(zuid, make_staff(Role.interviewer, "sam@leefdam.example", team=team_named("Wijkteam Zuid")))
    assert find(zuid, "NRD-0042").status_code == 422
    assert zuid.get(f"/staff/interviews/{conversations[0].id}/timeline").status_code == 403


def test_the_interview_list_names_the_questionnaire(tablet, conversations):
    page = tablet.get("/staff/interviews").get_data(as_text=True)
    assert page.count("Keukentafelgesprek") >= 3

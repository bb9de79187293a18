"""Client and worker rate together (as the Outcome Star does): the worker may record their own rating of an area of
life beside the client's where they differ; the change since intake follows the client's rating."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from extensions import db
from models import Interview, Role
from tests.interviews.test_interviews import interview_fields
from tests.staff import log_in, make_staff, team_named


@pytest.fixture
def tablet(app, demo_wave):
    client = app.test_client()
    log_in(client, make_staff(Role.interviewer, "kim@leefdam.example", team=team_named("Wijkteam Noord")))
    return client


def save(tablet, **answers):
    return tablet.post("/staff/interviews/new?instrument=interview", data=interview_fields(tablet, **answers))


def test_each_area_of_life_has_the_workers_rating_beside_the_clients_named_by_the_area(tablet):
    page = tablet.get("/staff/interviews/new?instrument=interview").get_data(as_text=True)
    assert '<select class="lw-select" id="worker_sr_finances" name="worker_sr_finances">' in page
    assert '<label class="lw-label" for="worker_sr_finances">Geld en rekeningen: uw eigen cijfer' in page
    assert '<option value="">Hetzelfde als de cliënt</option>' in page


def test_only_a_workers_rating_that_differs_is_kept_and_shown_beside_the_clients(tablet):
    # the client rates finances 2 and housing 2 (interview_fields); the worker says 4 and agrees on housing
    assert save(tablet, worker_sr_finances=4, worker_sr_housing=2).status_code == 302
    interview = db.session.scalars(select(Interview)).one()
    assert interview.worker_ratings == {"sr_finances": 4}
    assert interview.response.answer_values()["sr_finances"] == 2  # the answer stays the client's
    page = tablet.get(f"/staff/interviews/{interview.id}").get_data(as_text=True)
    section = page.split("Waar de medewerker een ander cijfer gaf", 1)[1].split("</table>", 1)[0]
    assert "Geld en rekeningen</th><td>2</td><td>4</td>" in section and "Wonen" not in section


def test_a_rating_outside_the_scale_is_refused_with_a_message_and_the_answers_stay(tablet):
    answer = save(tablet, worker_sr_finances=9)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="error-summary"' in html
    assert 'name="client_code" type="text" value="NRD-0042"' in html or 'value="NRD-0042"' in html
    assert db.session.scalars(select(Interview)).all() == []


def test_the_change_since_intake_follows_the_clients_rating(tablet):
    save(tablet, conducted_on="2026-02-01")  # client: finances 2
    save(tablet, conducted_on="2026-06-01", sr_finances=4, worker_sr_finances=2)  # client 4, worker still 2
    follow_up = db.session.scalars(select(Interview).order_by(Interview.conducted_at.desc())).first()
    page = tablet.get(f"/staff/interviews/{follow_up.id}").get_data(as_text=True)
    assert "beter (+2)" in page

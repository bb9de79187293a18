"""Access follows the worker's current wijkteam: after a move the old team's interviews and notes are out of reach,
and nothing the worker entered is lost.

Decided: an interview belongs to the team that holds the client's support. What a worker took for team A stays
with team A after a move to team B (team A's follow-ups still build on it); the worker no longer sees it. An
interview still in the tablet's outbox is sent after the move and the server decides: taken on a day the worker
belonged to team A, it is added to team A; otherwise it is refused, stays on the tablet, and can be saved for the
worker's current team.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from interviews.clients import client_key
from models import Interview, Role, User
from surveys.flow import MUNICIPAL_TIMEZONE
from tests.forms import main_form
from tests.interviews.test_interviews import count, interview_fields, sync
from tests.staff import log_in, make_staff, team_named


@pytest.fixture
def noord(demo_wave):
    return team_named("Wijkteam Noord")


@pytest.fixture
def zuid(demo_wave):
    return team_named("Wijkteam Zuid")


@pytest.fixture
def kim(noord):
    return make_staff(Role.interviewer, "kim@leefdam.example", team=noord)


@pytest.fixture
def tablet(app, kim):
    client = app.test_client()
    log_in(client, kim)
    return client


@pytest.fixture
def colleague_tablet(app, noord):
    colleague = make_staff(Role.interviewer, "sam@leefdam.example", team=noord)
    client = app.test_client()
    log_in(client, colleague)
    return client


def move(admin_client, tablet, worker: User, team) -> None:
    """An administrator moves the worker to another team on the accounts page; the worker logs in again."""
    form = {
        key: values[0]
        for key, values in main_form(
            admin_client.get(f"/staff/users/{worker.id}").get_data(as_text=True)
        ).fields.items()
    }
    response = admin_client.post(
        f"/staff/users/{worker.id}", data={**form, "role": "interviewer", "team": str(team.id)}
    )
    assert response.status_code == 302
    log_in(tablet, db.session.get_one(User, worker.id))


def take_interview(client, **answers) -> Interview:
    response = client.post("/staff/interviews/new?instrument=interview", data=interview_fields(client, **answers))
    assert response.status_code == 302
    return db.session.scalars(select(Interview).order_by(Interview.id.desc()).limit(1)).one()


def test_after_a_move_the_worker_no_longer_lists_or_opens_the_old_teams_interviews(admin_client, tablet, kim, zuid):
    interview = take_interview(tablet)
    assert tablet.get(f"/staff/interviews/{interview.id}").status_code == 200

    move(admin_client, tablet, kim, zuid)

    assert f"/staff/interviews/{interview.id}" not in tablet.get("/staff/interviews").get_data(as_text=True)
    assert tablet.get(f"/staff/interviews/{interview.id}").status_code == 403


def test_after_a_move_the_worker_does_not_see_what_the_old_team_writes_and_their_work_stays_with_it(
    admin_client, tablet, colleague_tablet, kim, noord, zuid
):
    intake = take_interview(tablet, notes="Gesprek over schulden.")
    move(admin_client, tablet, kim, zuid)
    follow_up = take_interview(colleague_tablet, notes="Na de verhuizing van Kim.")

    for interview in (intake, follow_up):
        page = tablet.get(f"/staff/interviews/{interview.id}")
        assert page.status_code == 403 and "Na de verhuizing" not in page.get_data(as_text=True)
    # Kim's intake stays with Noord: the team's follow-up builds on it, with her notes
    assert db.session.get(Interview, intake.id).team_id == noord.id
    page = colleague_tablet.get(f"/staff/interviews/{follow_up.id}").get_data(as_text=True)
    assert "Gesprek over schulden." in page and "Na de verhuizing van Kim." in page


def test_an_outbox_interview_taken_for_the_old_team_before_the_move_is_added_to_that_team(
    app, admin_client, tablet, kim, noord, zuid
):
    fields = interview_fields(tablet)  # the page of Noord, filled in before the move and not sent yet
    move(admin_client, tablet, kim, zuid)

    response = sync(tablet, fields)

    assert response.status_code == 201 and response.json["status"] == "stored"
    interview = db.session.scalars(select(Interview)).one()
    assert interview.team_id == noord.id and interview.interviewer_id == kim.id
    assert interview.client_key == client_key(noord.id, "NRD-0042", app.config["CLIENT_CODE_SECRET"])
    # the tablet is told where to go next: a page the worker may open, not the interview of another team
    assert tablet.get(response.json["url"]).status_code == 200
    assert sync(tablet, fields).json["status"] == "duplicate"


def test_a_form_of_the_old_team_sent_without_javascript_after_the_move_goes_to_that_team(
    admin_client, tablet, kim, noord, zuid
):
    fields = interview_fields(tablet)
    move(admin_client, tablet, kim, zuid)

    response = tablet.post("/staff/interviews/new?instrument=interview", data=fields)

    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/interviews")
    assert db.session.scalars(select(Interview)).one().team_id == noord.id


def test_an_outbox_interview_for_a_team_the_worker_was_not_in_that_day_is_refused_and_can_go_to_the_current_team(
    admin_client, tablet, kim, noord, zuid
):
    # a day before Kim's account existed: she was not in Noord then, whatever the page says
    before_kim = kim.created_at.astimezone(MUNICIPAL_TIMEZONE).date() - timedelta(days=1)
    fields = interview_fields(tablet, conducted_on=before_kim.isoformat())
    move(admin_client, tablet, kim, zuid)

    refused = sync(tablet, fields)

    assert refused.status_code == 422 and refused.json["status"] == "invalid" and "team" in refused.json["errors"]
    assert count(Interview) == 0
    # the tablet keeps it; opened in the form of her current team and sent again, it is stored for Zuid
    again = sync(tablet, {**fields, "team": interview_fields(tablet)["team"]})
    assert again.status_code == 201
    assert db.session.scalars(select(Interview)).one().team_id == zuid.id


def test_a_worker_cannot_add_an_interview_to_a_team_they_never_belonged_to(tablet, kim, zuid):
    fields = {**interview_fields(tablet), "team": str(zuid.id)}

    assert sync(tablet, fields).status_code == 422
    page = tablet.post("/staff/interviews/new?instrument=interview", data=fields)
    assert page.status_code == 422 and count(Interview) == 0
    html = page.get_data(as_text=True)
    # the message stands in the summary (the field is hidden: no link); saved again, the page is for her own team
    assert "lw-error-summary" in html and 'href="#team"' not in html
    assert main_form(html).fields["team"] == [str(kim.team_id)]


def test_the_interview_form_of_the_current_team_says_which_team_it_is_for(admin_client, tablet, kim, noord, zuid):
    assert interview_fields(tablet)["team"] == str(noord.id)
    move(admin_client, tablet, kim, zuid)
    assert interview_fields(tablet)["team"] == str(zuid.id)

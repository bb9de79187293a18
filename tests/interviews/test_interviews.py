"""Assisted interviews: storing them once, client codes as keyed hashes, follow-ups, access, and bad input."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select, text

from extensions import db
from models import Answer, AuditEvent, Interview, Response, ResponseMode, Role
from tests.forms import main_form
from tests.staff import log_in, make_staff, team_named

DOMAINS = [
    "finances",
    "daily_activities",
    "housing",
    "family_relations",
    "mental_health",
    "physical_health",
    "addiction",
    "self_care",
    "social_network",
    "participation",
    "justice",
    "parenting",
]


@pytest.fixture
def interviewer(demo_wave):
    return make_staff(Role.interviewer, "kim@leefdam.example", team=team_named("Wijkteam Noord"))


@pytest.fixture
def tablet(app, interviewer):
    client = app.test_client()
    log_in(client, interviewer)
    return client


def interview_fields(client, instrument="interview", **answers) -> dict:
    page = client.get(f"/staff/interviews/new?instrument={instrument}")
    assert page.status_code == 200
    form = main_form(page.get_data(as_text=True))
    fields = {key: values[0] for key, values in form.fields.items()}
    fields.update({"buurt": "BU90010101", "client_code": "NRD-0042", "notes": "Gesprek over schulden."})
    fields.update({f"sr_{domain}": "2" for domain in DOMAINS[:6]})
    fields.update({"ph_body": "4", "ph_mind": "3", "goal": "Weer rust in mijn hoofd"})
    fields.update({key: str(value) for key, value in answers.items()})
    return fields


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_an_interview_is_stored_as_a_response_in_interview_mode(tablet, interviewer):
    response = tablet.post("/staff/interviews/new?instrument=interview", data=interview_fields(tablet))
    assert response.status_code == 302
    interview = db.session.scalars(select(Interview)).one()
    assert interview.response.mode is ResponseMode.interview and interview.interviewer_id == interviewer.id
    assert interview.response.neighbourhood.code == "BU90010101"
    answers = interview.response.answer_values()
    assert answers["sr_finances"] == 2 and answers["ph_body"] == 4 and answers["goal"] == "Weer rust in mijn hoofd"
    assert interview.notes == "Gesprek over schulden."


def test_the_client_code_is_never_stored_in_clear(tablet):
    tablet.post("/staff/interviews/new?instrument=interview", data=interview_fields(tablet))
    interview = db.session.scalars(select(Interview)).one()
    assert len(interview.client_key) == 64 and "NRD" not in interview.client_key
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(text(f"SELECT * FROM {table.name}")):
            assert "NRD-0042" not in str(row) and "nrd-0042" not in str(row).lower()


def test_a_follow_up_links_to_the_intake_and_shows_the_change(tablet):
    fields = interview_fields(tablet, conducted_on="2026-02-01")
    tablet.post("/staff/interviews/new?instrument=interview", data=fields)
    # months later, the same client; the code typed a little differently
    later = interview_fields(tablet, client_code=" nrd-0042", sr_finances=4, ph_body=6, conducted_on="2026-06-01")
    response = tablet.post("/staff/interviews/new?instrument=interview", data=later)
    page = tablet.get(response.headers["Location"]).get_data(as_text=True)
    intake, follow_up = db.session.scalars(select(Interview).order_by(Interview.conducted_at)).all()
    assert intake.client_key == follow_up.client_key
    assert "lw-change-chart" in page and 'role="img"' in page
    table = page.split('<table class="lw-table">', 1)[1]
    assert "<td>2</td><td>4</td>" in table and "<td>4</td><td>6</td>" in table


def test_the_same_code_in_another_team_is_another_client(app, tablet):
    tablet.post("/staff/interviews/new?instrument=interview", data=interview_fields(tablet))
    other = make_staff(Role.interviewer, "zuid@leefdam.example", team=team_named("Wijkteam Zuid"))
    client = app.test_client()
    log_in(client, other)
    response = client.post(
        "/staff/interviews/new?instrument=interview", data=interview_fields(client, notes="Eerste gesprek in Zuid.")
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    first, second = db.session.scalars(select(Interview).order_by(Interview.id)).all()
    assert first.client_key != second.client_key
    assert "<svg" not in page and "Gesprek over schulden" not in page and "Eerste gesprek in Zuid." in page


def test_a_wijkteam_shares_its_caseload_and_only_its_own(app, tablet):
    """The team rule: a colleague in the same team lists and opens the team's interviews (a colleague takes over a
    client; the follow-up needs the intake), every opening audit-logged; a worker of another team gets neither."""
    tablet.post("/staff/interviews/new?instrument=interview", data=interview_fields(tablet))
    interview = db.session.scalars(select(Interview)).one()
    colleague = make_staff(Role.interviewer, "colleague@leefdam.example", team=team_named("Wijkteam Noord"))
    client = app.test_client()
    log_in(client, colleague)
    assert f"/staff/interviews/{interview.id}" in client.get("/staff/interviews").get_data(as_text=True)
    assert "Gesprek over schulden." in client.get(f"/staff/interviews/{interview.id}").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert (event.action, event.actor_id, event.target_id) == ("interview_viewed", colleague.id, str(interview.id))
    other_team = make_staff(Role.interviewer, "zuid@leefdam.example", team=team_named("Wijkteam Zuid"))
    stranger = app.test_client()
    log_in(stranger, other_team)
    assert stranger.get(f"/staff/interviews/{interview.id}").status_code == 403
    assert f"/staff/interviews/{interview.id}" not in stranger.get("/staff/interviews").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert (event.action, event.actor_id, event.target_id) == ("forbidden", other_team.id, str(interview.id))


def test_analysts_open_interviews_and_every_opening_is_audit_logged(app, tablet):
    tablet.post("/staff/interviews/new?instrument=interview", data=interview_fields(tablet))
    interview = db.session.scalars(select(Interview)).one()
    analyst = make_staff(Role.analyst)
    client = app.test_client()
    log_in(client, analyst)
    page = client.get(f"/staff/interviews/{interview.id}").get_data(as_text=True)
    assert "Gesprek over schulden." in page and "kim@leefdam.example" in page
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert (event.action, event.actor_id, event.target_id) == ("interview_viewed", analyst.id, str(interview.id))
    assert "schulden" not in json.dumps(event.details)


def test_validation_errors_keep_everything_that_was_entered(tablet):
    fields = interview_fields(tablet, client_code="", sr_housing="9", notes="x" * 5001)
    response = tablet.post("/staff/interviews/new?instrument=interview", data=fields)
    assert response.status_code == 422 and count(Interview) == 0
    form = main_form(response.get_data(as_text=True))
    assert form.fields["sr_finances"] == ["2"] and form.fields["goal"] == ["Weer rust in mijn hoofd"]
    assert form.fields["sync_key"] == [fields["sync_key"]]
    html = response.get_data(as_text=True)
    assert 'href="#client_code"' in html and 'href="#sr_housing-0"' in html and 'href="#notes"' in html


def sync(client, fields: dict, headers=None):
    return client.post(
        "/staff/interviews/sync", json={"fields": [[k, v] for k, v in fields.items()]}, headers=headers or {}
    )


def test_the_outbox_sync_stores_an_interview_once_however_often_it_is_sent(tablet):
    fields = interview_fields(tablet)
    first = sync(tablet, fields)
    assert first.status_code == 201 and first.json["status"] == "stored"
    again = sync(tablet, fields)
    assert again.status_code == 200 and again.json == {"status": "duplicate", "url": first.json["url"]}
    assert count(Interview) == 1 and count(Response) == 1


def test_a_replayed_key_of_someone_else_is_refused(app, tablet):
    fields = interview_fields(tablet)
    sync(tablet, fields)
    other = make_staff(Role.interviewer, "zuid@leefdam.example", team=team_named("Wijkteam Zuid"))
    client = app.test_client()
    log_in(client, other)
    replay = {**interview_fields(client), "sync_key": fields["sync_key"]}
    response = sync(client, replay)
    assert response.status_code == 409 and count(Interview) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        {"sr_finances": "7"},  # not an answer of the item
        {"instrument": "youth"},  # not an interview questionnaire
        {"buurt": "BU05990110"},  # another municipality's buurt
        {"sync_key": "not-a-key"},
        {"csrf_token": "forged"},
        {"conducted_on": "2999-01-01"},
    ],
)
def test_a_tampered_sync_payload_stores_nothing(tablet, tamper):
    response = sync(tablet, {**interview_fields(tablet), **tamper})
    assert response.status_code in (400, 422) and response.json["status"] == "invalid"
    assert count(Interview) == 0 and count(Response) == 0 and count(Answer) == 0


@pytest.mark.parametrize(
    ("notes", "message"),
    [
        (
            "half een teken \ud800",
            "Het interview heeft tekens die we niet kunnen opslaan (Notities). Haal ze weg en sla opnieuw op.",
        ),
        ("nul\x00teken", "De notities hebben tekens die we niet kunnen opslaan. Haal ze weg en sla opnieuw op."),
        ("bel\x07", "De notities hebben tekens die we niet kunnen opslaan. Haal ze weg en sla opnieuw op."),
    ],
)
def test_notes_with_characters_we_cannot_save_get_a_message_the_outbox_shows(tablet, notes, message):
    response = sync(tablet, {**interview_fields(tablet), "notes": notes})
    # 422 with errors: the outbox keeps the interview on the tablet and shows the message to the worker
    assert response.status_code == 422 and response.json["status"] == "invalid"
    assert response.json["errors"]["notes"] == [message]
    assert count(Interview) == 0 and count(Response) == 0


@pytest.mark.parametrize("buurt", ["BU9001\x000101", "BU\udc809001"])
def test_a_neighbourhood_code_with_characters_no_code_has_gets_a_message(tablet, buurt):
    response = sync(tablet, {**interview_fields(tablet), "buurt": buurt})
    assert response.status_code == 422 and list(response.json["errors"]) == ["buurt"]
    assert count(Interview) == 0


def test_a_payload_that_is_not_an_interview_gets_400(tablet):
    assert tablet.post("/staff/interviews/sync", json={"fields": "nope"}).status_code == 400
    assert tablet.post("/staff/interviews/sync", data="{not json", content_type="application/json").status_code == 400


def test_an_expired_session_gets_401_and_the_tablet_keeps_the_interview(app, tablet):
    fields = interview_fields(tablet)
    expired = app.test_client()  # no session cookie: as after the session ran out
    response = sync(expired, fields)
    assert response.status_code == 401 and response.json == {"status": "login"} and count(Interview) == 0


def test_interview_only_instruments_are_not_offered_to_residents(client, demo_wave):
    landing = client.get(f"/w/{demo_wave.id}/").get_data(as_text=True)
    assert "/interview/start" not in landing and "/adult/start" in landing
    assert client.get(f"/w/{demo_wave.id}/interview/start").status_code == 404


def test_an_interview_without_an_open_wave_gets_a_clear_message(tablet, demo_wave):
    demo_wave.closes_on = demo_wave.opens_on
    db.session.commit()
    response = tablet.post("/staff/interviews/new?instrument=interview", data=interview_fields(tablet))
    assert response.status_code == 422 and count(Interview) == 0


def test_new_sync_keys_are_uuid4():
    from interviews.service import is_valid_sync_key, new_sync_key

    assert is_valid_sync_key(new_sync_key()) and not is_valid_sync_key(str(uuid.uuid1()))


def test_the_warning_about_unsent_interviews_has_the_language_s_own_plural_forms(tablet):
    import html
    import re

    page = tablet.get("/staff/interviews?lang=pl").get_data(as_text=True)
    forms = json.loads(html.unescape(re.search(r'data-msg-unsent="([^"]*)"', page).group(1)))
    # Polish: 1 wywiad, 3 wywiady, 5 wywiadów (CLDR categories one, few, many, which Intl.PluralRules picks by)
    assert {"one", "few", "many"} <= set(forms)
    assert "wywiad " in forms["one"] and "wywiady" in forms["few"] and "wywiadów" in forms["many"]
    assert all("%(n)s" in text for text in forms.values())
    arabic = tablet.get("/staff/interviews?lang=ar").get_data(as_text=True)
    assert {"zero", "one", "two", "few", "many", "other"} == set(
        json.loads(html.unescape(re.search(r'data-msg-unsent="([^"]*)"', arabic).group(1)))
    )

"""Staff sessions live on the server: logging out ends them for every copy of the cookie, and they time out."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from extensions import db
from models import Interview, Role, StaffSession
from models.types import utcnow
from tests.forms import main_form
from tests.interviews.test_interviews import interview_fields, sync
from tests.staff import PASSWORD, login_form, make_staff, team_named

IDLE_MESSAGE = "U bent uitgelogd omdat u 30 minuten niets hebt gedaan."


def copy_of_cookie(app, client):
    """Another browser holding the same session cookie, as someone who copied it would."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def log_out(client) -> None:
    token = main_form(client.get("/staff/account").get_data(as_text=True)).fields["csrf_token"][0]
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 302


def the_only_session() -> StaffSession:
    return db.session.scalars(select(StaffSession)).one()


def move_back(**times: timedelta) -> None:
    """Make the one open session older, as time passing would."""
    record = the_only_session()
    for name, ago in times.items():
        setattr(record, name, utcnow() - ago)
    db.session.commit()


def test_a_session_cookie_copied_before_logout_is_refused_after_it(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    login_form(client, "analyst@leefdam.example", PASSWORD)
    copy = copy_of_cookie(app, client)
    assert copy.get("/staff/").status_code == 200  # the copy works while the session lasts
    log_out(client)
    refused = copy.get("/staff/")
    assert refused.status_code == 302 and "/staff/login" in refused.headers["Location"]
    assert copy.get("/staff/account").status_code == 302


def test_the_interview_sync_refuses_a_copied_cookie_after_logout_and_stores_nothing(app, demo_wave):
    make_staff(Role.interviewer, "kim@leefdam.example", team=team_named())
    tablet = app.test_client()
    login_form(tablet, "kim@leefdam.example", PASSWORD)
    fields = interview_fields(tablet)
    copy = copy_of_cookie(app, tablet)
    log_out(tablet)
    response = sync(copy, fields)
    assert response.status_code == 401 and response.json == {"status": "login"}
    assert db.session.scalar(select(func.count()).select_from(Interview)) == 0


def test_a_session_ends_after_the_idle_timeout_and_login_brings_the_worker_back(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    login_form(client, "analyst@leefdam.example", PASSWORD)
    move_back(last_seen_at=timedelta(minutes=30))
    timed_out = client.get("/staff/account")
    assert timed_out.status_code == 302
    login_page = client.get(timed_out.headers["Location"])
    assert IDLE_MESSAGE in login_page.get_data(as_text=True)
    back = login_form(client, "analyst@leefdam.example", PASSWORD, url=timed_out.headers["Location"])
    assert back.status_code == 302 and back.headers["Location"].startswith("/staff/account")


def test_activity_within_the_idle_timeout_keeps_the_session(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    login_form(client, "analyst@leefdam.example", PASSWORD)
    move_back(last_seen_at=timedelta(minutes=29))
    before = the_only_session().last_seen_at
    assert client.get("/staff/").status_code == 200
    db.session.expire_all()
    assert the_only_session().last_seen_at > before
    assert client.get("/staff/").status_code == 200


def test_a_session_ends_after_its_lifetime_even_while_in_use(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    login_form(client, "analyst@leefdam.example", PASSWORD)
    move_back(created_at=timedelta(hours=12), last_seen_at=timedelta(seconds=10))
    ended = client.get("/staff/")
    assert ended.status_code == 302 and "ended=lifetime" in ended.headers["Location"]
    assert "lang ingelogd" in client.get(ended.headers["Location"]).get_data(as_text=True)


def test_the_timeouts_come_from_the_configuration(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    login_form(client, "analyst@leefdam.example", PASSWORD)
    app.config["STAFF_IDLE_TIMEOUT"] = timedelta(minutes=1)
    try:
        move_back(last_seen_at=timedelta(minutes=2))
        assert client.get("/staff/").status_code == 302
    finally:
        app.config["STAFF_IDLE_TIMEOUT"] = timedelta(minutes=30)


def test_ended_and_outlived_sessions_are_removed_at_the_next_login(app, demo_wave):
    make_staff(Role.analyst)
    first, second = app.test_client(), app.test_client()
    login_form(first, "analyst@leefdam.example", PASSWORD)
    log_out(first)
    login_form(second, "analyst@leefdam.example", PASSWORD)
    move_back(created_at=timedelta(hours=13))
    login_form(first, "analyst@leefdam.example", PASSWORD)
    assert the_only_session().ended_at is None and second.get("/staff/").status_code == 302

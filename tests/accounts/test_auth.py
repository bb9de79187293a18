"""Login, lockout, logout (here and everywhere), password rules and the audit trail they leave."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from accounts.passwords import password_problems, verify_password
from extensions import db
from models import AuditEvent, Role, User
from models.types import utcnow
from tests.forms import main_form
from tests.staff import PASSWORD, make_staff


def login_form(client, email: str, password: str, follow: bool = False):
    page = client.get("/staff/login")
    form = main_form(page.get_data(as_text=True))
    return client.post("/staff/login", data={**{k: v[0] for k, v in form.fields.items()}, "email": email,
                                             "password": password}, follow_redirects=follow)


def actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_login_with_the_right_password_opens_the_staff_pages(app, demo_wave):
    user = make_staff(Role.analyst)
    client = app.test_client()
    assert client.get("/staff/").status_code == 302
    response = login_form(client, "Analyst@Leefdam.example ", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    assert "analyst@leefdam.example" in client.get("/staff/").get_data(as_text=True)
    assert actions()[-1] == "login"
    assert db.session.get(User, user.id).last_login_at is not None


def test_passwords_are_stored_as_argon2_hashes(app, demo_wave):
    user = make_staff(Role.council)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD) and not verify_password(user.password_hash, "wrong")


def test_unknown_address_and_wrong_password_get_the_same_message(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    unknown = login_form(client, "nobody@leefdam.example", PASSWORD).get_data(as_text=True)
    wrong = login_form(client, "analyst@leefdam.example", "not the password at all").get_data(as_text=True)
    message = "Er is geen account met dit e-mailadres en dit wachtwoord."
    assert message in unknown and message in wrong
    assert actions()[-2:] == ["login_failed", "login_failed"]


def test_repeated_failures_lock_the_account_even_for_the_right_password(app, demo_wave):
    user = make_staff(Role.analyst)
    client = app.test_client()
    for _ in range(5):
        assert login_form(client, user.email, "wrong password here").status_code == 422
    locked = login_form(client, user.email, PASSWORD)
    assert locked.status_code == 422 and "Te veel verkeerde pogingen" in locked.get_data(as_text=True)
    assert "account_locked" in actions() and actions()[-1] == "login_refused_locked"
    # the lock runs out by itself
    user = db.session.get(User, user.id)
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login_form(client, user.email, PASSWORD).status_code == 302


def test_lock_time_doubles_with_each_further_failure(app, demo_wave):
    from accounts.auth import FIRST_LOCK, LONGEST_LOCK, _lock_time

    assert _lock_time(5) == FIRST_LOCK and _lock_time(6) == 2 * FIRST_LOCK and _lock_time(40) == LONGEST_LOCK


def test_logout_ends_the_session(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    login_form(client, "analyst@leefdam.example", PASSWORD)
    form = main_form(client.get("/staff/account").get_data(as_text=True))
    token = form.fields["csrf_token"][0]
    response = client.post("/staff/logout", data={"csrf_token": token})
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'  # offline pages and interviews on the device
    assert client.get("/staff/").status_code == 302
    assert actions()[-1] == "logout"


def test_logout_everywhere_ends_sessions_on_other_devices(app, demo_wave):
    make_staff(Role.analyst)
    tablet, laptop = app.test_client(), app.test_client()
    login_form(tablet, "analyst@leefdam.example", PASSWORD)
    login_form(laptop, "analyst@leefdam.example", PASSWORD)
    page = laptop.get("/staff/account").get_data(as_text=True)
    token = page.split('id="everywhere-csrf_token" name="everywhere-csrf_token" type="hidden" value="', 1)[1]
    data = {"everywhere-csrf_token": token.split('"', 1)[0], "action": "everywhere"}
    response = laptop.post("/staff/account", data=data)
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert tablet.get("/staff/").status_code == 302 and laptop.get("/staff/").status_code == 302
    assert actions()[-1] == "logout_everywhere"


def test_changing_the_password_checks_the_rules_and_ends_other_sessions(app, demo_wave):
    make_staff(Role.analyst)
    client, other = app.test_client(), app.test_client()
    login_form(client, "analyst@leefdam.example", PASSWORD)
    login_form(other, "analyst@leefdam.example", PASSWORD)
    form = main_form(client.get("/staff/account").get_data(as_text=True))
    base = {"csrf_token": form.fields["csrf_token"][0], "current": PASSWORD}
    too_short = client.post("/staff/account", data={**base, "new": "kort", "repeat": "kort"})
    assert too_short.status_code == 422 and "minstens 12" in too_short.get_data(as_text=True)
    known = client.post("/staff/account", data={**base, "new": "wachtwoord123456", "repeat": "wachtwoord123456"})
    assert known.status_code == 422 and "te bekend" in known.get_data(as_text=True)
    changed = client.post("/staff/account", data={**base, "new": "fietsen langs de rivier", "repeat":
                                                  "fietsen langs de rivier"})
    assert changed.status_code == 302
    assert client.get("/staff/").status_code == 200 and other.get("/staff/").status_code == 302
    assert "password_changed" in actions()


@pytest.mark.parametrize(("password", "ok"), [
    ("kort", False), ("password1234", False), ("WACHTWOORD12345", False), ("aaaaaaaaaaaaaaa", False),
    ("analyst-leefdam-2026", False), ("de kat zit op de mat", True), ("x" * 129, False),
])
def test_password_rules_follow_nist(app, password, ok):
    assert (password_problems(password, "analyst@leefdam.example") == []) is ok


def test_login_is_rate_limited(client, rate_limited):
    statuses = [client.post("/staff/login", data={"email": "x@y.nl", "password": "z"}).status_code for _ in range(11)]
    assert statuses[-1] == 429 and 429 not in statuses[:10]


def test_a_next_address_elsewhere_is_ignored(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    client.get("/staff/login?next=//evil.example/")
    form = main_form(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login?next=//evil.example/", data={
        "csrf_token": form.fields["csrf_token"][0], "email": "analyst@leefdam.example", "password": PASSWORD})
    assert response.headers["Location"].endswith("/staff/")


def test_the_audit_log_cannot_be_changed_or_deleted_by_the_application(app, demo_wave):
    from models.accounts import AuditLogIsAppendOnly

    make_staff(Role.analyst)
    event = db.session.scalar(select(AuditEvent).limit(1))
    event.action = "something_else"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEvent).limit(1)))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()

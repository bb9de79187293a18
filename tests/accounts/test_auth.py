"""Login, lockout, logout (here and everywhere), password rules and the audit trail they leave."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from accounts.passwords import password_problems, verify_password
from extensions import db
from models import AuditEvent, Role, StaffSession, User
from tests.forms import main_form
from tests.staff import PASSWORD, login_form, make_staff


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


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


REFUSED = "Er is geen account met dit e-mailadres en dit wachtwoord, of er waren te veel pogingen."


def from_address(app, ip: str):
    """A browser at its own network address, so the per-address limit of the login page does not mix clients."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def answer(response, email: str) -> str:
    """The page as the person sees it, apart from their own typed address and the form's CSRF token."""
    page = response.get_data(as_text=True).replace(email, "ADDRESS")
    return re.sub(r'(name="csrf_token" type="hidden" value=)"[^"]*"', r"\1", page)


def test_unknown_address_and_wrong_password_get_the_same_message(app, demo_wave):
    make_staff(Role.analyst)
    client = app.test_client()
    unknown = login_form(client, "nobody@leefdam.example", PASSWORD).get_data(as_text=True)
    wrong = login_form(client, "analyst@leefdam.example", "not the password at all").get_data(as_text=True)
    assert REFUSED in unknown and REFUSED in wrong
    assert actions()[-2:] == ["login_failed", "login_failed"]


def test_a_throttled_account_gets_byte_for_byte_the_answer_of_an_unknown_address(app, demo_wave, rate_limited):
    owner = make_staff(Role.analyst)
    attacker = from_address(app, "203.0.113.7")
    for _ in range(5):
        assert login_form(attacker, owner.email, "wrong password here").status_code == 422
    throttled = login_form(from_address(app, "198.51.100.1"), owner.email, PASSWORD)
    unknown = login_form(from_address(app, "198.51.100.2"), "nobody@leefdam.example", PASSWORD)
    assert throttled.status_code == unknown.status_code == 422
    assert answer(throttled, owner.email) == answer(unknown, "nobody@leefdam.example")
    assert REFUSED in throttled.get_data(as_text=True)
    assert actions()[-2:] == ["login_throttled", "login_failed"]  # the audit log still tells them apart


def test_unknown_addresses_are_throttled_like_accounts(app, demo_wave, rate_limited):
    for number in range(6):
        login_form(from_address(app, f"203.0.113.{number + 1}"), "nobody@leefdam.example", "guess")
    assert actions()[-2:] == ["login_failed", "login_throttled"]


def test_someone_elses_failures_keep_the_owner_out_only_while_the_throttle_lasts(app, demo_wave, rate_limited):
    from extensions import limiter

    owner = make_staff(Role.analyst)
    for number in range(12):  # from many addresses, more failures than any lock ever allowed
        login_form(from_address(app, f"203.0.113.{number + 1}"), owner.email, "wrong password here")
    assert login_form(from_address(app, "198.51.100.1"), owner.email, PASSWORD).status_code == 422
    limiter.reset()  # the throttle's counters run out by themselves; nothing is left on the account
    assert login_form(from_address(app, "198.51.100.1"), owner.email, PASSWORD).status_code == 302


def test_an_administrator_gives_a_throttled_account_fresh_attempts_at_once(app, demo_wave, rate_limited, admin_client):
    owner = make_staff(Role.analyst)
    for number in range(5):
        login_form(from_address(app, f"203.0.113.{number + 1}"), owner.email, "wrong password here")
    assert "Geblokkeerd" in admin_client.get("/staff/users").get_data(as_text=True)
    page = admin_client.get(f"/staff/users/{owner.id}").get_data(as_text=True)
    token = page.split('id="unlock-csrf_token" name="unlock-csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    unlocked = admin_client.post(f"/staff/users/{owner.id}", data={"unlock-csrf_token": token, "action": "unlock"})
    assert unlocked.status_code == 302 and "user_unlocked" in actions()
    assert login_form(from_address(app, "198.51.100.1"), owner.email, PASSWORD).status_code == 302


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
    # ended on the server, so no copy of either cookie comes back
    assert all(record.ended_at is not None for record in db.session.scalars(select(StaffSession)))


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
    changed = client.post(
        "/staff/account", data={**base, "new": "fietsen langs de rivier", "repeat": "fietsen langs de rivier"}
    )
    assert changed.status_code == 302
    assert client.get("/staff/").status_code == 200 and other.get("/staff/").status_code == 302
    assert "password_changed" in actions()


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("kort", False),
        ("password1234", False),
        ("WACHTWOORD12345", False),
        ("aaaaaaaaaaaaaaa", False),
        ("analyst-leefdam-2026", False),
        ("de kat zit op de mat", True),
        ("x" * 129, False),
    ],
)
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
    response = client.post(
        "/staff/login?next=//evil.example/",
        data={"csrf_token": form.fields["csrf_token"][0], "email": "analyst@leefdam.example", "password": PASSWORD},
    )
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

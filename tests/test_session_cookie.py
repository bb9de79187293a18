"""The session cookie is sent again only when the session changed or the cookie is due renewal, and then lives on."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

from session_cookie import RENEW_AFTER


def session_cookie_sent(response) -> SimpleCookie | None:
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie(header)
        if "session" in cookie:
            return cookie
    return None


def cookie_signed_at(app, client, moment: float) -> None:
    """Give the client its own session again, signed at `moment` (seconds since the epoch)."""
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("session").value)
    signer = serializer.make_signer()
    original = signer.get_timestamp
    signer.get_timestamp = lambda: int(moment)  # type: ignore[method-assign]
    try:
        value = signer.sign(serializer.dump_payload(data)).decode()
    finally:
        signer.get_timestamp = original  # type: ignore[method-assign]
    client.set_cookie("session", value)


def test_a_page_read_in_a_session_that_did_not_change_sends_no_cookie(resident):
    resident.start()
    resident.choose_buurt()
    page = resident.last.request.path
    again = resident.get(page)
    assert again.status_code == 200
    assert session_cookie_sent(again) is None
    assert "Cookie" in again.headers["Vary"]  # the page still depends on the cookie, for any cache
    resident.submit(action="next")  # the resident goes on with the cookie they had
    assert resident.last.request.path != page and resident.last.status_code == 200


def test_a_changed_session_is_sent_at_once(resident):
    resident.start()
    resident.choose_buurt()
    switched = resident.get(f"{resident.last.request.path}?lang=en")
    assert session_cookie_sent(switched) is not None
    assert 'lang="en"' in resident.get(resident.last.request.path).get_data(as_text=True)


def test_a_cookie_older_than_the_renewal_age_is_renewed_with_a_full_lifetime(app, resident):
    resident.start()
    resident.choose_buurt()
    page = resident.last.request.path
    cookie_signed_at(app, resident.client, time.time() - RENEW_AFTER.total_seconds() - 60)
    renewed = session_cookie_sent(resident.get(page))
    assert renewed is not None
    expires = datetime.strptime(renewed["session"]["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert expires - datetime.now(UTC) > app.permanent_session_lifetime - timedelta(minutes=1)
    assert session_cookie_sent(resident.get(page)) is None  # renewed just now


def test_a_cookie_past_its_lifetime_opens_no_session(app, resident):
    resident.start()
    resident.choose_buurt()
    page = resident.last.request.path
    cookie_signed_at(app, resident.client, time.time() - app.permanent_session_lifetime.total_seconds() - 60)
    assert resident.get(page).status_code == 404  # as before: no response in this browser any more

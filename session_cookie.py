"""The session cookie, signed as Flask signs it, but sent again only when its contents changed or it is due renewal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

# A permanent session's cookie is signed and sent again (with a new expiry) when it is older than this. Flask does it
# on every request: signing and compressing it cost more than a resident's page read. Renewed at most an hour late,
# the cookie (PERMANENT_SESSION_LIFETIME, 31 days) still outlives the resident's response (RESPONSE_EXPIRY_DAYS after
# their last page, 30 by default). Staff logins end on the server (accounts.auth), whatever the cookie's age.
RENEW_AFTER = timedelta(hours=1)


class SignedSession(SecureCookieSession):
    """A session with the time its cookie was signed; None for a new session."""

    signed_at: datetime | None = None


class RenewingSessionInterface(SecureCookieSessionInterface):
    session_class = SignedSession

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # made once per set of keys, not twice per request as Flask does; a changed key (tests) makes a new one
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def open_session(self, app: Flask, request: Request) -> SignedSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or datetime.now(UTC) - signed_at >= RENEW_AFTER


def init_app(app: Flask) -> None:
    app.session_interface = RenewingSessionInterface()

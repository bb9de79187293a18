"""Who is logged in (server-side session records), logging in and out, throttled attempts, and the role check on every
staff view."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Protocol, cast

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from limits import parse_many
from sqlalchemy import delete, func, select, update

from accounts import audit
from accounts.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from extensions import db, limiter
from models import Municipality, Role, StaffSession, User
from models.types import utcnow

SESSION_KEY = "staff_session"  # the random id of this login's StaffSession record
REFRESH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often: few writes, idle time exact enough
# Failed attempts per e-mail address, counted the same for unknown addresses; the client's own limit is on the view.
ADDRESS_LIMITS = "5 per 5 minutes; 20 per hour"
ADDRESS_SCOPE = "staff-login-address"

ALL_STAFF = frozenset(Role)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_end(record: StaffSession, now: datetime) -> str | None:
    """Why this login no longer counts ("ended", "idle" or "lifetime"), or None while it does."""
    if record.ended_at is not None:
        return "ended"
    if now - record.created_at >= current_app.config["STAFF_SESSION_LIFETIME"]:
        return "lifetime"
    if now - record.last_seen_at >= current_app.config["STAFF_IDLE_TIMEOUT"]:
        return "idle"
    return None


def current_user() -> User | None:
    """The logged-in staff member of this request, or None (also when the session ended, timed out or the account
    was switched off); `g.staff_session_end` then says why, for the login page."""
    if "staff" not in g:
        g.staff = None
        token = session.get(SESSION_KEY)
        if isinstance(token, str):
            g.staff = _user_of_session(token)
            if g.staff is None:
                session.pop(SESSION_KEY, None)
    return g.staff


def staff_user() -> User:
    """The logged-in staff member, in a view behind @requires (which lets nobody else reach it)."""
    user = current_user()
    if user is None:
        raise RuntimeError("staff_user() outside a view behind @requires")
    return user


def staff_municipalities() -> list[Municipality]:
    """The municipalities a staff page may show this member: their own, or every one for a platform administrator."""
    user = staff_user()
    if user.municipality is not None:
        return [user.municipality]
    return list(
        db.session.scalars(select(Municipality).order_by(Municipality.code, Municipality.reference_year.desc()))
    )


def chosen_municipality() -> Municipality | None:
    """The municipality of the page: the member's own; a platform administrator chooses (?municipality=id)."""
    choices = staff_municipalities()
    chosen = request.args.get("municipality", type=int)
    return next(
        (municipality for municipality in choices if municipality.id == chosen), choices[0] if choices else None
    )


def _user_of_session(token: str) -> User | None:
    record = db.session.scalar(select(StaffSession).where(StaffSession.token_hash == _token_hash(token)))
    if record is None:
        return None
    now = utcnow()
    end = session_end(record, now)
    if end is not None:
        g.staff_session_end = end
        return None
    if not record.user.active:
        return None
    if now - record.last_seen_at >= REFRESH_EVERY:
        # Its own small transaction: the request's unit of work is committed (or not) by its view, and a page that
        # only reads must still count as activity.
        with db.engine.begin() as connection:
            connection.execute(update(StaffSession).where(StaffSession.id == record.id).values(last_seen_at=now))
    return record.user


def open_session(user: User) -> str:
    """Add a session record for this login and return the random id for the cookie; the caller commits.

    Records that can no longer count (ended, or past the longest lifetime) are removed here, of every account.
    """
    now = utcnow()
    oldest = now - current_app.config["STAFF_SESSION_LIFETIME"]
    db.session.execute(
        delete(StaffSession).where(StaffSession.ended_at.is_not(None) | (StaffSession.created_at < oldest))
    )
    token = secrets.token_urlsafe(32)
    db.session.add(StaffSession(token_hash=_token_hash(token), user_id=user.id, created_at=now, last_seen_at=now))
    db.session.flush()
    return token


def end_all_sessions(user: User) -> None:
    """Every login of this account ends (log out everywhere, a new password, changed rights); the caller commits."""
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


class LoginRefused(Exception):
    """One answer for an unknown address, a wrong password and a throttled address: nothing tells which it was."""


def _address_limits() -> list:
    return parse_many(ADDRESS_LIMITS)


def _throttling() -> bool:
    return current_app.config["RATE_LIMITS"]


def address_throttled(email: str) -> bool:
    if not _throttling():
        return False
    return not all(limiter.limiter.test(item, ADDRESS_SCOPE, normalise_email(email)) for item in _address_limits())


def clear_address_throttle(email: str) -> None:
    """Give this address fresh attempts at once (an administrator's unlock, a successful login)."""
    for item in _address_limits():
        limiter.limiter.clear(item, ADDRESS_SCOPE, normalise_email(email))


def _count_failure(email: str) -> None:
    if _throttling():
        for item in _address_limits():
            limiter.limiter.hit(item, ADDRESS_SCOPE, normalise_email(email))


def authenticate(email: str, password: str) -> User:
    address = normalise_email(email)[:254]
    if address_throttled(address):
        verify_password(dummy_hash(), password)  # the same work as for a checked password: no timing hint either
        audit.record("login_throttled", email=address)
        raise LoginRefused()
    user = find_user(address)
    if user is None or not user.active:
        verify_password(dummy_hash(), password)  # the same work as for a real account: no timing hint
        _count_failure(address)
        audit.record("login_failed", email=address, reason="unknown_or_inactive")
        raise LoginRefused()
    if not verify_password(user.password_hash, password):
        _count_failure(address)
        audit.record("login_failed", user, reason="wrong_password")
        raise LoginRefused()
    clear_address_throttle(address)
    user.last_login_at = utcnow()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("login", user)
    return user


def login(user: User) -> None:
    """Start a session for this account in this browser; the caller commits the new record."""
    session.clear()  # a new session on login: nothing from before carries over (session fixation)
    session[SESSION_KEY] = open_session(user)
    session.permanent = True
    g.staff = user


def logout(everywhere: bool = False) -> None:
    user = current_user()
    if user is not None:
        if everywhere:
            end_all_sessions(user)
        else:
            db.session.execute(
                update(StaffSession)
                .where(StaffSession.token_hash == _token_hash(session[SESSION_KEY]))
                .values(ended_at=utcnow())
            )
        audit.record("logout_everywhere" if everywhere else "logout", user)
    session.clear()
    g.staff = None


def set_password(user: User, password: str, actor: User | None = None) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_all_sessions(user)  # other sessions end when the password changes
    clear_address_throttle(user.email)
    audit.record("password_changed", actor or user, "user", user.id)


class StaffView(Protocol):
    """A view behind @requires: the roles it allows and its menu label (the staff menu and the role tests read them)."""

    allowed_roles: frozenset[Role]
    menu_label: str | None

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


def requires(*roles: Role, menu: str | None = None) -> Callable:
    """Allow a staff view to these roles only; `menu` puts it in the staff menu under that label.

    Every staff view carries this decorator: tests/accounts/test_roles.py walks every route to check it.
    """
    allowed = frozenset(roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                if request.is_json or request.accept_mimetypes.best == "application/json":
                    return jsonify(status="login"), 401  # the offline outbox keeps the interview and says so
                # after a timeout the login page says why, and brings the worker back to this page
                ended = g.get("staff_session_end")
                return redirect(
                    url_for(
                        "accounts.login",
                        next=request.full_path if request.method == "GET" else None,
                        ended=ended if ended in ("idle", "lifetime") else None,
                    )
                )
            if user.role not in allowed:
                audit.record("forbidden", user, "endpoint", request.endpoint)
                abort(403)
            return view(*args, **kwargs)

        staff_view = cast(StaffView, wrapped)
        staff_view.allowed_roles = allowed
        staff_view.menu_label = menu
        return staff_view

    return decorate

"""Who is logged in, logging in and out, lockout after failed attempts, and the role check on every staff view."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import abort, g, jsonify, redirect, request, session, url_for
from sqlalchemy import func, select

from accounts import audit
from accounts.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from extensions import db
from models import Role, User
from models.types import utcnow

SESSION_USER = "staff_user"
SESSION_VERSION = "staff_version"
FREE_ATTEMPTS = 5          # then the account locks, each further failure doubling the wait
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)

ALL_STAFF = frozenset(Role)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def current_user() -> User | None:
    """The logged-in staff member of this request, or None (also when the account was locked or logged out)."""
    if "staff" not in g:
        user = None
        user_id = session.get(SESSION_USER)
        if user_id is not None:
            user = db.session.get(User, user_id)
            if user is None or not user.active or user.session_version != session.get(SESSION_VERSION):
                session.pop(SESSION_USER, None)
                user = None
        g.staff = user
    return g.staff


class LoginRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason  # "invalid" or "locked"; the page shows one message for both unknown and wrong


def _lock_time(failures: int) -> timedelta:
    return min(FIRST_LOCK * 2 ** (failures - FREE_ATTEMPTS), LONGEST_LOCK)


def authenticate(email: str, password: str) -> User:
    user = find_user(email)
    now = utcnow()
    if user is None or not user.active:
        verify_password(DUMMY_HASH, password)  # the same work as for a real account: no timing hint
        audit.record("login_failed", email=normalise_email(email)[:254], reason="unknown_or_inactive")
        raise LoginRefused("invalid")
    if user.locked_until and user.locked_until > now:
        audit.record("login_refused_locked", user)
        raise LoginRefused("locked")
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= FREE_ATTEMPTS:
            user.locked_until = now + _lock_time(user.failed_logins)
            audit.record("account_locked", user, commit=False, failures=user.failed_logins)
        audit.record("login_failed", user, reason="wrong_password")
        raise LoginRefused("locked" if user.failed_logins >= FREE_ATTEMPTS else "invalid")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record("login", user)
    return user


def login(user: User) -> None:
    session.clear()  # a new session on login: nothing from before carries over (session fixation)
    session[SESSION_USER] = user.id
    session[SESSION_VERSION] = user.session_version
    session.permanent = True
    g.staff = user


def logout(everywhere: bool = False) -> None:
    user = current_user()
    if user is not None:
        if everywhere:
            user.session_version += 1
        audit.record("logout_everywhere" if everywhere else "logout", user)
    session.clear()
    g.staff = None


def set_password(user: User, password: str, actor: User | None = None) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_version += 1  # other sessions end when the password changes
    user.failed_logins = 0
    user.locked_until = None
    audit.record("password_changed", actor or user, "user", user.id)


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
                return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
            if user.role not in allowed:
                audit.record("forbidden", user, "endpoint", request.endpoint)
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed
        wrapped.menu_label = menu
        return wrapped

    return decorate

"""Staff members for tests: accounts of every role, and a browser-like login."""

from __future__ import annotations

from sqlalchemy import select

from accounts.auth import SESSION_KEY, open_session
from accounts.service import create_team, create_user
from extensions import db
from models import Municipality, Role, Team, User
from tests.forms import main_form

PASSWORD = "een lange zin als wachtwoord"


def team_named(name: str = "Wijkteam Noord") -> Team:
    team = db.session.scalar(select(Team).filter_by(name=name))
    if team is None:
        team = create_team(name, db.session.scalars(select(Municipality).limit(1)).one())
        db.session.commit()
    return team


def make_staff(role: Role, email: str | None = None, team: Team | None = None) -> User:
    if role is Role.interviewer and team is None:
        team = team_named()
    user = create_user(email or f"{role.value}@leefdam.example", role, PASSWORD, team=team)
    db.session.commit()
    return user


def log_in(client, user: User) -> None:
    """Start a session for the account and put it in the client's cookie, as a successful login does."""
    token = open_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session[SESSION_KEY] = token


def login_form(client, email: str, password: str, follow: bool = False, url: str = "/staff/login"):
    """Log in through the login page (at `url`, which may carry where to go next), as a person does."""
    form = main_form(client.get(url).get_data(as_text=True))
    return client.post(
        url,
        data={**{k: v[0] for k, v in form.fields.items()}, "email": email, "password": password},
        follow_redirects=follow,
    )

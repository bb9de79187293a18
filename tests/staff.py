"""Staff members for tests: accounts of every role, and a browser-like login."""
from __future__ import annotations

from sqlalchemy import select

from accounts.auth import SESSION_USER, SESSION_VERSION
from accounts.service import create_team, create_user
from extensions import db
from models import Municipality, Role, Team, User

PASSWORD = "een lange zin als wachtwoord"


def team_named(name: str = "Wijkteam Noord") -> Team:
    team = db.session.scalar(select(Team).filter_by(name=name))
    if team is None:
        team = create_team(name, db.session.scalar(select(Municipality).limit(1)))
        db.session.commit()
    return team


def make_staff(role: Role, email: str | None = None, team: Team | None = None) -> User:
    if role is Role.interviewer and team is None:
        team = team_named()
    user = create_user(email or f"{role.value}@leefdam.example", role, PASSWORD, team=team)
    db.session.commit()
    return user


def log_in(client, user: User) -> None:
    """Put the account in the client's session, as a successful login does."""
    with client.session_transaction() as session:
        session[SESSION_USER] = user.id
        session[SESSION_VERSION] = user.session_version

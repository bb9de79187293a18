"""Creating and changing staff accounts and teams: the rules shared by the admin pages and the command line."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from accounts import audit
from accounts.auth import clear_address_throttle, end_all_sessions, find_user, normalise_email
from accounts.passwords import hash_password, password_problems
from extensions import db
from models import AuditEvent, Municipality, Role, Team, User
from surveys.flow import MUNICIPAL_TIMEZONE


class AccountError(ValueError):
    """A request for an account that cannot be honoured; the message is translated and shown as it is."""


def only_municipality() -> Municipality | None:
    municipalities = db.session.scalars(select(Municipality).limit(2)).all()
    return municipalities[0] if len(municipalities) == 1 else None


def create_user(
    email: str,
    role: Role,
    password: str,
    *,
    team: Team | None = None,
    municipality: Municipality | None = None,
    actor: User | None = None,
) -> User:
    from flask_babel import gettext as _

    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(_("There is already an account with this e-mail address."))
    problems = password_problems(password, email)
    if problems:
        raise AccountError(" ".join(problems))
    if role is Role.interviewer and team is None:
        raise AccountError(_("A wijkteam worker needs a wijkteam."))
    if team is not None:
        municipality = team.municipality
    elif municipality is None and role is not Role.admin:
        municipality = only_municipality()
        if municipality is None:
            raise AccountError(_("Choose the municipality of this account."))
    user = User(
        email=email, role=role, password_hash=hash_password(password), team=team, municipality=municipality, active=True
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user_created", actor, "user", user.id, role=role.value, email=email if actor is None else None)
    return user


def update_user(user: User, *, role: Role, team: Team | None, active: bool, actor: User) -> None:
    from flask_babel import gettext as _

    if role is Role.interviewer and team is None:
        raise AccountError(_("A wijkteam worker needs a wijkteam."))
    if user.id == actor.id and (role is not Role.admin or not active):
        raise AccountError(_("You cannot take away your own administrator rights."))
    changes: dict[str, Any] = {}
    if user.role is not role:
        changes["role"] = [user.role.value, role.value]
    if user.team_id != (team.id if team else None):
        changes["team"] = [user.team_id, team.id if team else None]
    if user.active != active:
        changes["active"] = [user.active, active]
    if not changes:
        return
    user.role, user.team, user.active = role, team, active
    if team is not None:
        user.municipality = team.municipality
    end_all_sessions(user)  # new rights take effect at once: the person logs in again
    audit.record("user_changed", actor, "user", user.id, **changes)


def unlock_user(user: User, actor: User) -> None:
    """Fresh login attempts for this account's address at once, whoever used them up."""
    clear_address_throttle(user.email)
    audit.record("user_unlocked", actor, "user", user.id)


def create_team(name: str, municipality: Municipality, actor: User | None = None) -> Team:
    team = Team(name=name.strip(), municipality=municipality)
    db.session.add(team)
    db.session.flush()
    audit.record("team_created", actor, "team", team.id)
    return team


def teams_on(user: User, day: date) -> set[int]:
    """The wijkteams the person belonged to at some moment of that (municipal) day.

    Read from the append-only audit log, where every change of team is written with the team before and after it
    (update_user): no second record of memberships that could drift from it.
    """
    start = datetime.combine(day, time(0), MUNICIPAL_TIMEZONE)
    end = start + timedelta(days=1)
    changes = [
        event
        for event in db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == "user_changed",
                AuditEvent.target_type == "user",
                AuditEvent.target_id == str(user.id),
            )
            .order_by(AuditEvent.id)
        )
        if "team" in event.details
    ]
    first_team = changes[0].details["team"][0] if changes else user.team_id
    # (since when, which team): the team at account creation, then each change
    timeline = [(user.created_at, first_team)] + [(event.at, event.details["team"][1]) for event in changes]
    teams = set()
    before = [team for since, team in timeline if since <= start]
    if before:
        teams.add(before[-1])
    teams.update(team for since, team in timeline if start < since < end)
    return {team for team in teams if team is not None}

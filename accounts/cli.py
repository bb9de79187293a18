"""`flask --app app users ...` and `flask --app app teams ...`: accounts from the command line."""

from __future__ import annotations

import sys
from typing import overload

import click
from sqlalchemy import select

from accounts.service import AccountError, create_team, create_user
from extensions import db
from models import Municipality, Role, Team
from transactions import CommandGroup

users_cli = CommandGroup("users", help="Staff accounts.")
teams_cli = CommandGroup("teams", help="Wijkteams.")


@overload
def _municipality(code: str) -> Municipality: ...
@overload
def _municipality(code: None) -> None: ...


def _municipality(code: str | None) -> Municipality | None:
    if code is None:
        return None
    municipality = db.session.scalar(
        select(Municipality).filter_by(code=code).order_by(Municipality.reference_year.desc()).limit(1)
    )
    if municipality is None:
        raise click.ClickException(f"unknown municipality {code}")
    return municipality


def _read_password() -> str:
    # never an argument (it would sit in the shell history and the process list): a prompt, or one line on stdin
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--team", "team_name", help="Wijkteam (required for interviewers); made when it does not exist.")
@click.option("--municipality", "municipality_code", help="GM code; default: the only municipality loaded.")
def create_user_command(email: str, role: str, team_name: str | None, municipality_code: str | None) -> None:
    """Create a staff account; the password is read from standard input."""
    municipality = _municipality(municipality_code)
    team = None
    if team_name:
        query = select(Team).filter_by(name=team_name)
        if municipality is not None:
            query = query.filter_by(municipality_id=municipality.id)
        team = db.session.scalar(query.limit(1))
        if team is None:
            from accounts.service import only_municipality

            owner = municipality or only_municipality()
            if owner is None:
                raise click.ClickException("give --municipality for the new team")
            team = create_team(team_name, owner)
            click.echo(f"made wijkteam {team.name}")
    try:
        user = create_user(email, Role(role), _read_password(), team=team, municipality=municipality)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"made account {user.email} with role {user.role.value}")


@teams_cli.command("create")
@click.argument("name")
@click.option("--municipality", "municipality_code", required=True, help="GM code of the municipality.")
def create_team_command(name: str, municipality_code: str) -> None:
    """Create a wijkteam."""
    team = create_team(name, _municipality(municipality_code))
    click.echo(f"made wijkteam {team.name}")

"""Staff accounts: login, roles, password rules and the audit log."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Login and the staff pages with their menu, and the `users` and `teams` commands."""
    from accounts.cli import teams_cli, users_cli
    from accounts.views import init_views

    init_views(app)
    app.cli.add_command(users_cli)
    app.cli.add_command(teams_cli)

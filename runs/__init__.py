"""Analysis runs in the application: read a wave from the database, run analysis/, store its profile snapshots."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The analysis pages and the `analyse` command."""
    from runs.cli import analyse_command
    from runs.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(analyse_command)

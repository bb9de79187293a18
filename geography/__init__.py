"""Municipalities, wijken and buurten: loading CBS area lists and postcode tables."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The `geography` commands (the areas themselves are read by the other features)."""
    from geography.cli import geography_cli

    app.cli.add_command(geography_cli)

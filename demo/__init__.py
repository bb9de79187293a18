"""The demo municipality Leefdam and a generator of synthetic respondents with planted structure."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The `demo` command."""
    from demo.cli import demo_command

    app.cli.add_command(demo_command)

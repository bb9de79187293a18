"""Questionnaires: instrument definitions, scoring, forms and the resident flow."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The instruments on offer, the resident pages and the `instruments` commands."""
    from surveys.choices import init_form_rendering
    from surveys.cli import instruments_cli
    from surveys.registry import init_registry
    from surveys.views import bp

    init_registry(app)
    init_form_rendering(app)
    app.register_blueprint(bp)
    app.cli.add_command(instruments_cli)

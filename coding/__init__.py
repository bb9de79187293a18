"""Coding open answers: municipal codebooks, analysts' labels, and a classifier that codes every answer of a wave."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The coding pages and the `codebook` commands."""
    from coding.cli import codebook_cli
    from coding.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(codebook_cli)

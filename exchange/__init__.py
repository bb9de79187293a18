"""Analysts' data in and out: waves, importing and exporting responses, codebooks, retention and erasure."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The data pages, and the `waves`, `responses` and `retention` commands."""
    from exchange.cli import responses_cli, retention_cli, waves_cli
    from exchange.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(waves_cli)
    app.cli.add_command(responses_cli)
    app.cli.add_command(retention_cli)

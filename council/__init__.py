"""The council's views: neighbourhood outcome profiles, reports and downloads (the outcome framework they read
is kept in framework/)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The council's pages, the output pages, and the `profiles` and `outputs` commands."""
    from council import downloads, views  # noqa: F401  (they attach their routes to the council blueprint)
    from council.blueprint import bp
    from council.cli import outputs_cli, profiles_cli
    from council.output_views import bp as outputs_bp

    app.register_blueprint(bp)
    app.register_blueprint(outputs_bp)
    app.cli.add_command(profiles_cli)
    app.cli.add_command(outputs_cli)

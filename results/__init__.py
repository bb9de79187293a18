"""Results back to residents and open data: the public pages per wijk and the open-data API of published waves."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The public results pages and the open-data API."""
    from results.views import api, bp

    app.register_blueprint(bp)
    app.register_blueprint(api)

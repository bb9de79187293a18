"""Assisted interviews by wijkteam workers: at the kitchen table, also without a connection, and follow-ups."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The interview pages, their service worker and manifest."""
    from interviews.views import init_views

    init_views(app)

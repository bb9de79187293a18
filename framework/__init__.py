"""The outcome framework: the council's outcomes ("maatschappelijk resultaat"), their indicators and their
targets per year and area, as analysts and administrators keep them under /staff/framework.

errors.py      what the framework refuses, per field
measurables.py what an indicator can measure in the current questionnaires
service.py     the rules: checking and changing outcomes, indicators and targets
history.py     every change as an audit event, and the history read back from them
loader.py      a whole framework from a YAML file
views.py       the staff pages, forms.py their forms, templates/framework/ their templates
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from framework.views import bp

    app.register_blueprint(bp)

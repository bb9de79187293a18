"""The floor with what every resident page needs, for benchmarks/submit.py --needs: how close to the plain floor
(floor_app.py) a resident page can come on this stack at all.

The same tiny question page as the floor, plus only what no resident page can do without: a signed session cookie
naming the resident's response (started once per walk at /start), the language chosen by Flask-Babel from the
session or the browser with the project's own catalogues, a Flask-WTF form with its CSRF token and a fresh submit
key, the response read by its token and its answers read before each page is shown or stored, the submit key kept,
the page's answer replaced and the response's place updated, and the security headers. The radio buttons are written
in the template (not drawn by WTForms' widgets) and WTForms' own messages are not translated: the cheapest way to do
each of these on Flask, Flask-Babel, Flask-WTF and Flask-SQLAlchemy, on SQLite with the floor's pragmas (WAL).
Nothing of the project is imported.

    FLOOR_DATABASE=/tmp/needs.sqlite gunicorn --pythonpath benchmarks 'needs_floor_app:create_app()'
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import floor_app  # type: ignore[import-not-found]  # noqa: F401  # its connect hook: the floor's SQLite pragmas (WAL)
from flask import Flask, g, redirect, render_template, request, session, url_for
from flask_babel import Babel, get_locale
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from jinja2 import DictLoader
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.exc import OperationalError
from wtforms import HiddenField, RadioField

PAGE = """<!doctype html>
<html lang="{{ g.lang }}">
<head><meta charset="utf-8">
<title>{{ _("Page %(current)s of %(total)s", current=index + 1, total=pages) }}</title></head>
<body>
<a href="#main">{{ _("Go to the content") }}</a>
<main id="main">
<h1>{{ _("Page %(current)s of %(total)s", current=index + 1, total=pages) }}</h1>
<form method="post" action="{{ url_for('page', index=index) }}" novalidate>
  <input type="hidden" name="csrf_token" value="{{ form.csrf_token.current_token }}">
  <input type="hidden" name="submit_key" value="{{ form.submit_key.data }}">
  <fieldset>
    <legend>{{ _("Other language") }}</legend>
    {% for value in choices %}
    <div><input type="radio" id="q-{{ loop.index0 }}" name="q" value="{{ value }}"
      {%- if form.q.data == value %} checked{% endif %}> <label for="q-{{ loop.index0 }}">{{ value }}</label></div>
    {% endfor %}
  </fieldset>
  <button type="submit" name="action" value="next">{{ _("Next") }}</button>
  <button type="submit" name="action" value="back">{{ _("Back") }}</button>
</form>
</main>
<footer><p>{{ _("Your answers are stored without your name. Only totals per neighbourhood are shown.") }}</p></footer>
</body>
</html>
"""
CHOICES = ["1", "2", "3", "4", "5"]
PAGES = 14

db = SQLAlchemy()
metadata = MetaData()
needs_response = Table(
    "needs_response",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token", String(40), unique=True, nullable=False),
    Column("page_index", Integer, nullable=False),
)
needs_answer = Table(
    "needs_answer",
    metadata,
    Column("response_id", ForeignKey("needs_response.id"), primary_key=True),
    Column("item", String(20), primary_key=True),
    Column("value", String(20), nullable=False),
)
needs_submit_key = Table(
    "needs_submit_key",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("response_id", ForeignKey("needs_response.id"), nullable=False),
)


class PageForm(FlaskForm):
    q = RadioField(choices=CHOICES)
    submit_key = HiddenField()


def create_app() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": PAGE})
    app.config.update(
        SECRET_KEY="needs-floor",  # every worker checks the cookies that another signed
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{os.environ['FLOOR_DATABASE']}",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parents[1] / "translations"),
        WTF_I18N_ENABLED=False,
    )
    db.init_app(app)
    Babel(app, locale_selector=lambda: session.get("lang") or request.accept_languages.best_match(["nl", "en"]))
    with app.app_context():
        with contextlib.suppress(OperationalError):  # without gunicorn.conf.py, workers may race to create them
            metadata.create_all(db.engine)
        db.engine.dispose()  # gunicorn.conf.py loads the app before it forks the workers: each opens its own

    @app.before_request
    def _language() -> None:
        g.lang = str(get_locale() or "nl")

    @app.after_request
    def _security_headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/ready")
    def ready() -> str:
        return "ready"

    @app.get("/start")
    def start():
        token = secrets.token_urlsafe(24)
        db.session.execute(insert(needs_response).values(token=token, page_index=0))
        db.session.commit()
        session["response"] = token
        return redirect(url_for("page", index=0))

    @app.route("/page/<int:index>", methods=["GET", "POST"])
    def page(index: int):
        response = db.session.execute(
            select(needs_response).where(needs_response.c.token == session.get("response"))
        ).one()
        stored = dict(
            db.session.execute(
                select(needs_answer.c.item, needs_answer.c.value).where(needs_answer.c.response_id == response.id)
            ).all()
        )
        item = f"q{index}"
        if request.method == "POST":
            form = PageForm()
            if form.validate():
                db.session.execute(insert(needs_submit_key).values(key=form.submit_key.data, response_id=response.id))
                if item in stored:
                    db.session.execute(
                        delete(needs_answer).where(
                            needs_answer.c.response_id == response.id, needs_answer.c.item == item
                        )
                    )
                db.session.execute(insert(needs_answer).values(response_id=response.id, item=item, value=form.q.data))
                db.session.execute(
                    update(needs_response).where(needs_response.c.id == response.id).values(page_index=index + 1)
                )
                db.session.commit()
                return redirect(url_for("page", index=index + 1))
        else:
            form = PageForm(data={"q": stored.get(item)})
        db.session.commit()
        form.submit_key.data = secrets.token_urlsafe(24)
        return render_template("page.html", index=index, pages=PAGES, form=form, choices=CHOICES)

    return app

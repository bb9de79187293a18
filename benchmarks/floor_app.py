"""The floor for benchmarks/submit.py: the least a page submit can cost on Leefwereld's stack.

One tiny form page (a question with five radio buttons) whose posted value is written to SQLite through
Flask-SQLAlchemy, then a redirect to the next page: Flask, Jinja, SQLAlchemy and SQLite as the project uses them
(WAL, the same pragmas), served by the same gunicorn command. Nothing of the project is imported.

    FLOOR_DATABASE=/tmp/floor.sqlite gunicorn --pythonpath benchmarks 'floor_app:create_app()'
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

from flask import Flask, redirect, render_template, request, url_for
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import Integer, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PAGE = """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Vraag {{ index }}</title></head>
<body>
<main>
<h1>Vraag {{ index }}</h1>
<form method="post" action="{{ url_for('page', index=index) }}">
  <fieldset>
    <legend>Hoe tevreden bent u?</legend>
    {% for value in choices %}
    <div><input type="radio" id="q-{{ loop.index0 }}" name="q" value="{{ value }}">
      <label for="q-{{ loop.index0 }}">{{ value }}</label></div>
    {% endfor %}
  </fieldset>
  <button type="submit">Volgende</button>
</form>
</main>
</body>
</html>
"""


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)

# db.Model as a type checker can see it (as in the project's extensions.py).
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as FlaskModel

    class Model(FlaskModel, Base):
        __abstract__ = True

else:
    Model = db.Model


class FloorAnswer(Model):
    __tablename__ = "floor_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    page: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(20))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_app() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": PAGE})  # compiled once per process, as the project's templates
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.environ['FLOOR_DATABASE']}"
    db.init_app(app)
    # workers booting at once may race to create the table: the one that loses finds it there
    with app.app_context():
        with contextlib.suppress(OperationalError):
            db.create_all()
        # gunicorn.conf.py loads the app before it forks the workers: each opens its own connections
        db.engine.dispose()
    choices = ["1", "2", "3", "4", "5"]

    @app.route("/page/<int:index>", methods=["GET", "POST"])
    def page(index: int):
        if request.method == "POST":
            db.session.add(FloorAnswer(page=index, value=request.form.get("q", "")[:20]))
            db.session.commit()
            return redirect(url_for("page", index=index + 1))
        return render_template("page.html", index=index, choices=choices)

    return app

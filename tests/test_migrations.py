"""Models and Alembic migrations agree, and the migrations go up to head and down to base, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from extensions import db
from tests.conftest import make_app


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_to_head_and_downgrade_to_base(database_url, tmp_path):
    # a separate database, so the shared one stays at head for the other tests
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'migrate.sqlite'}"
    else:
        from tests.conftest import _postgres_database

        url, drop = _postgres_database()
    app = make_app(url)
    try:
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"response", "answer", "wave", "neighbourhood", "alembic_version"} <= tables
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert "response" in inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        if not url.startswith("sqlite"):
            create_engine(url).dispose()
            drop()


def test_codebooks_of_a_bare_item_id_get_the_questionnaire_that_asks_it(tmp_path):
    """Migration 0007: a codebook made for `open_better` belongs to the first questionnaire asking it as an open
    question; downgrading gives the bare item id back."""
    import json

    from sqlalchemy import text

    app = make_app(f"sqlite:///{tmp_path / 'codebooks.sqlite'}")
    with app.app_context():
        upgrade(revision="0006")
        parent = {"pages": [{"items": [{"id": "open_better", "type": "long_text", "open_question": True}]}]}
        youth = {"pages": [{"items": [{"id": "open_better", "type": "long_text", "open_question": True}]}]}
        adult = {"pages": [{"items": [{"id": "open_better", "type": "long_text"}]}]}  # not an open question here
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO municipality (id, code, name, reference_year) VALUES (1, 'GM9001', 'Leefdam', 2025)")
            )
            for number, (slug, definition) in enumerate((("youth", youth), ("adult", adult), ("parent", parent))):
                connection.execute(
                    text(
                        "INSERT INTO instrument_version (slug, version, content_hash, definition, "
                        "created_at) VALUES (:slug, 1, :hash, :definition, '2026-01-01')"
                    ),
                    {"slug": slug, "hash": str(number), "definition": json.dumps(definition)},
                )
            connection.execute(
                text(
                    "INSERT INTO codebook (municipality_id, question, name, created_at) VALUES "
                    "(1, 'open_better', 'Wat beter kan', '2026-01-01'), "
                    "(1, 'youth.open_better', 'Jongeren', '2026-01-01')"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            questions = dict(connection.execute(text("SELECT name, question FROM codebook")).all())
        assert questions == {"Wat beter kan": "parent.open_better", "Jongeren": "youth.open_better"}
        downgrade(revision="0006")
        with db.engine.connect() as connection:
            assert {row[0] for row in connection.execute(text("SELECT question FROM codebook"))} == {"open_better"}
        db.engine.dispose()

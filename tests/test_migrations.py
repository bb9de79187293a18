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

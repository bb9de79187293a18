"""Rows survive every migration, up and down, on both databases.

A database is upgraded one revision at a time from the first. After each step every table holds a row: a table is
given one when it first appears, with a value in every column (chosen to meet the table's constraints). Every row
must come through each later upgrade with the values of the columns it still has, except where a migration changes
data on purpose (CHANGED_BY). Then the database is downgraded one revision at a time, and after each step every row
must be as it was at that revision on the way up. (SecureDrop tests its migrations with data in them the same way.)
"""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    TypeDecorator,
    create_engine,
    select,
)

from extensions import db
from tests.conftest import make_app

pytestmark = pytest.mark.slow

# Migrations that change existing values on purpose: revision -> {(table, column)}; their own tests check the values.
CHANGED_BY = {"0007": {("codebook", "question")}}  # "open_better" becomes "<questionnaire>.open_better"

# Values that the columns' check constraints ask for (a code format, a plausible year, a postcode).
VALUES = {
    ("municipality", "code"): "GM9001",
    ("district", "code"): "WK900101",
    ("neighbourhood", "code"): "BU90010101",
    (None, "postcode"): "1234AB",
    ("response", "status"): "submitted",  # with its submitted_at
    (None, "year"): 2026,
    (None, "reference_year"): 2026,
}
ID = 1001  # an integer key well above any a migration might insert itself


def _revisions() -> list[str]:
    config = current_app.extensions["migrate"].migrate.get_config()
    return [script.revision for script in reversed(list(ScriptDirectory.from_config(config).walk_revisions()))]


def _reflect() -> MetaData:
    metadata = MetaData()
    metadata.reflect(db.engine)
    metadata.remove(metadata.tables["alembic_version"])
    return metadata


def _value(table: Table, column, filled: dict[str, dict[str, Any]]) -> Any:
    """A value for one column of a new row: the referenced row's key for a foreign key, else one of its type."""
    for key in column.foreign_keys:
        target = key.column
        if target.table.name == table.name or target.table.name not in filled:
            return None  # a reference to itself or to a table filled later: left empty (the column is nullable)
        return filled[target.table.name][target.name]
    for place in ((table.name, column.name), (None, column.name)):
        if place in VALUES:
            return VALUES[place]
    # the model's type where the model still has the column (an enum's stored values), else the reflected one
    model = db.metadata.tables.get(table.name)
    kind = model.c[column.name].type if model is not None and column.name in model.c else column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, Enum):
        return kind.enums[0]
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return ID if column.primary_key else 1
    if isinstance(kind, Float | Numeric):
        return 0.5  # within every probability and share constraint
    if isinstance(kind, DateTime):
        return dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC if kind.timezone else None)
    if isinstance(kind, Date):
        return dt.date(2026, 3, 4)
    if isinstance(kind, JSON):
        return {"kept": [1, "twee"]}
    if isinstance(kind, LargeBinary):
        return b"\x00kept"
    return f"kept {column.name}"[: getattr(kind, "length", None) or 100]


def _plain(value: Any) -> Any:
    """A value as stored, comparable across backends and type changes (naive UTC times, floats for decimals)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _rows(metadata: MetaData) -> dict[str, dict[str, Any]]:
    """Every table's rows, as {table: {column: value}} of its one row (or a list when it holds another number)."""
    found: dict[str, Any] = {}
    with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows = [
                {key: _plain(value) for key, value in row.items()}
                for row in connection.execute(select(table)).mappings()
            ]
            found[table.name] = rows[0] if len(rows) == 1 else rows
    return found


def _fill(metadata: MetaData, filled: dict[str, dict[str, Any]]) -> None:
    """Give every table that has no row yet one row, parents before children."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a cycle of foreign keys: sorted as far as it goes
        tables = metadata.sorted_tables
    with db.engine.begin() as connection:
        for table in tables:
            if table.name in filled:
                continue
            row = {column.name: _value(table, column, filled) for column in table.columns}
            connection.execute(table.insert().values(row))
            filled[table.name] = row


def _compare(before: dict[str, Any], after: dict[str, Any], metadata: MetaData, skip: set) -> list[str]:
    differences = []
    for table in metadata.sorted_tables:
        if table.name not in before:
            continue
        old, new = before[table.name], after[table.name]
        if not isinstance(new, dict):
            differences.append(f"{table.name}: {len(new)} rows instead of 1")
            continue
        for column in table.columns:
            if column.name in old and (table.name, column.name) not in skip and old[column.name] != new[column.name]:
                differences.append(f"{table.name}.{column.name}: {old[column.name]!r} became {new[column.name]!r}")
    return differences


def test_every_row_survives_every_migration_up_and_down(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        url, drop = f"sqlite:///{tmp_path / 'data.sqlite'}", None
    else:
        from tests.conftest import _postgres_database

        url, drop = _postgres_database()
    app = make_app(url)
    try:
        with app.app_context():
            revisions = _revisions()
            assert len(revisions) >= 19
            filled: dict[str, dict[str, Any]] = {}
            at: dict[str, dict[str, Any]] = {}  # each revision's rows on the way up
            previous: dict[str, Any] = {}
            for revision in revisions:
                upgrade(revision=revision)
                metadata = _reflect()
                now = _rows(metadata)
                assert _compare(previous, now, metadata, CHANGED_BY.get(revision, set())) == [], revision
                _fill(metadata, filled)
                previous = at[revision] = _rows(metadata)
                empty = [name for name, rows in previous.items() if not isinstance(rows, dict)]
                assert empty == [], f"tables without their one row at {revision}"

            for revision in reversed(revisions[:-1]):
                downgrade(revision=revision)
                metadata = _reflect()
                assert set(metadata.tables) == set(at[revision]), revision
                assert _compare(at[revision], _rows(metadata), metadata, set()) == [], f"down to {revision}"
            db.engine.dispose()
    finally:
        if drop is not None:
            create_engine(url).dispose()
            drop()

"""What an expensive fixture stored, kept for the test session and put back for the next test that asks for it.

Loading the demo municipality or analysing a wave takes from a second to many; hundreds of tests start from the same
state. The first test that asks for such a state builds it with the real code (the demo loader, the analysis) and
its rows are kept, per database; a later test that starts from the same place (the same rows in every table, the
same configuration) gets those rows back in one bulk insert instead. What the later test then does runs on the real
database as before. A test that starts from anywhere else (another fixture added a row first, or it changed the
configuration) builds the state itself, as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app
from sqlalchemy import Table, func, insert, select, text

from demo.cli import add_synthetic_respondents
from extensions import db
from models import AnalysisRun
from runs.snapshots import latest_run

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    tables: tuple  # where it was built from: the tables' counts and highest ids, and the configuration
    configuration: dict[str, str]
    rows: dict[str, list[dict]]
    identity: object  # what finds the fixture's value again among the rows put back


_kept: dict[tuple[str, str], Snapshot] = {}


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)


def _tables_fingerprint() -> tuple:
    """Row counts and highest ids of every table (on PostgreSQL a state built again gets new ids, so it is never
    taken for the one a snapshot was built on)."""
    columns = []
    for table in _tables():
        columns.append(select(func.count()).select_from(table).scalar_subquery())
        if table.autoincrement_column is not None:
            columns.append(select(func.max(table.autoincrement_column)).scalar_subquery())
    return tuple(db.session.execute(select(*columns)).one())


def _configuration() -> dict[str, str]:
    return {
        key: repr(value)
        for key, value in current_app.config.items()
        if isinstance(value, str | int | float | bool | type(None))
    }


def _starts_where(snapshot: Snapshot, tables: tuple, configuration: dict[str, str]) -> bool:
    """Whether a test starts where the snapshot's builder started: the same tables, and no setting changed (a
    setting the app added since, such as a cache's, is not a test's change)."""
    shared = snapshot.configuration.keys() & configuration.keys()
    return snapshot.tables == tables and all(snapshot.configuration[key] == configuration[key] for key in shared)


def _dump() -> dict[str, list[dict]]:
    return {table.name: [dict(row) for row in db.session.execute(select(table)).mappings()] for table in _tables()}


def _put_back(rows: dict[str, list[dict]]) -> None:
    """Every table holds exactly `rows` afterwards, in one transaction; the session forgets what it had loaded."""
    db.session.rollback()
    postgresql = db.engine.dialect.name == "postgresql"
    with db.engine.begin() as connection:
        if postgresql:
            # rows of a table that refers to itself go in as they come (they are rows a real build stored)
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("PRAGMA defer_foreign_keys = ON"))  # checked at commit
        for table in reversed(_tables()):
            connection.execute(table.delete())
        for table in _tables():
            if rows[table.name]:
                connection.execute(insert(table), rows[table.name])
        if postgresql:
            for table in _tables():
                column = table.autoincrement_column
                if column is not None:  # the next id follows the rows put back, as if they were inserted one by one
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                            f'COALESCE(MAX("{column.name}"), 0) + 1, false) FROM "{table.name}"'
                        )
                    )
    db.session.expire_all()


def kept(name: str, build: Callable[[], T], identify: Callable[[T], object], find: Callable[[object], T]) -> T:
    """The state `name`: put back from the session's snapshot when this test starts where the snapshot's first
    builder started, else built by `build` (and kept, the first time). `identify` turns the built value into
    something that outlives the session (ids); `find` turns that into the value again."""
    key = (db.engine.url.render_as_string(hide_password=False), name)
    tables, configuration = _tables_fingerprint(), _configuration()
    snapshot = _kept.get(key)
    if snapshot is not None and _starts_where(snapshot, tables, configuration):
        _put_back(snapshot.rows)
        return find(snapshot.identity)
    value = build()
    db.session.commit()  # the builder's unit of work (its services leave the commit to their caller)
    if snapshot is None:
        _kept[key] = Snapshot(tables, configuration, rows=_dump(), identity=identify(value))
    return value


def analysed(app, wave, respondents: int, seed: int) -> AnalysisRun:
    """`wave` with `respondents` synthetic respondents (drawn with `seed`), analysed from the command line as an
    analyst would (seed 5); built once per database and starting state, then put back. Returns the run."""

    def analyse() -> AnalysisRun:
        add_synthetic_respondents(wave, respondents, seed=seed)
        result = app.test_cli_runner().invoke(args=["analyse", "--wave", wave.name, "--seed", "5"])
        assert result.exit_code == 0, result.output
        run = latest_run(wave)
        assert run is not None
        return run

    return kept(
        f"analysed {wave.name} {respondents} {seed}",
        analyse,
        lambda run: run.id,
        lambda run_id: db.session.get_one(AnalysisRun, run_id),
    )

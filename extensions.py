"""Flask extensions, created unbound and initialised in create_app()."""

import os
import weakref
from typing import TYPE_CHECKING

from flask import Flask, current_app
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Engine, MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so Alembic migrations name the same constraints on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# The models' base class. At run time it is db.Model, which Flask-SQLAlchemy builds from Base with its own Model mixin
# (query, table names); a type checker cannot follow that, so it is told the same class statically and then sees every
# model's Mapped[] columns.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as FlaskModel

    class Model(FlaskModel, Base):
        __abstract__ = True

else:
    Model = db.Model

# gunicorn forks its workers from the process that loaded the app (gunicorn.conf.py: preload_app), and a forked child
# must not use the connections its parent holds in a pool: two processes would talk over one socket or SQLite handle.
# Every child starts with empty pools instead (SQLAlchemy: "Using Connection Pools with Multiprocessing or os.fork()";
# close=False leaves the parent's connections open for the parent).
_forked_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def new_pools_after_fork(app: Flask) -> None:
    """Give a process forked from this one empty pools for the app's engines."""
    with app.app_context():
        _forked_engines.update(db.engines.values())


def _empty_pools() -> None:
    for engine in list(_forked_engines):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_empty_pools)

migrate = Migrate()
babel = Babel()
compress = Compress()
# Counters live in memory per process unless RATELIMIT_STORAGE_URI names a shared store (e.g. redis://...).
# The address is used for counting only and is never stored with a response.
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def _limits_switched_off() -> bool:
    # The RATE_LIMITS setting switches every limit off (the test suite, benchmarks); as a request filter it also spares
    # the request Flask-Limiter's look-up of the limits that would apply. Read per request: tests switch it on and off.
    return not current_app.config["RATE_LIMITS"]


def rate_limit(limit: str):
    """A per-address limit on POSTs to a view."""
    return limiter.limit(limit, methods=["POST"])

"""The databases the suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set (tests/conftest.py)."""

from __future__ import annotations

import os

import pytest

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

# For a test whose subject does not depend on the database (a worker's start-up, a page's words): it runs on SQLite
# only, once instead of once per database.
one_database = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

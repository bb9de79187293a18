"""Rate limits with several worker processes: counted together in a shared store, and a warning for the memory one."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

# One worker process: its own app on the shared database and limit store. "fail" sends five wrong passwords for an
# address; "check" prints whether that address is throttled in this process, then clears it.
WORKER = """
import sys
from app import create_app
database, store, mode, address = sys.argv[1:]
app = create_app({"SQLALCHEMY_DATABASE_URI": database, "RATELIMIT_STORAGE_URI": store, "RATE_LIMITS": True,
                  "TESTING": True})
with app.app_context():
    from accounts.auth import LoginRefused, address_throttled, authenticate, clear_address_throttle
    from extensions import db
    if mode == "fail":
        db.create_all()
        for _ in range(5):
            try:
                authenticate(address, "a wrong password")
            except LoginRefused:
                pass
    else:
        print(address_throttled(address))
        clear_address_throttle(address)
"""


def worker(tmp_path: Path, store: str, mode: str, address: str) -> str:
    database = f"sqlite:///{tmp_path / 'workers.sqlite'}"
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "INSTANCE_PATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", WORKER, database, store, mode, address],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def redis_answers() -> bool:
    from limits.storage import Storage, storage_from_string

    try:
        storage = storage_from_string(REDIS_URL)
        return isinstance(storage, Storage) and storage.check()
    except Exception:  # no client library or no server: the same for this question
        return False


def test_workers_sharing_a_redis_store_count_an_addresss_failures_together(tmp_path):
    if not redis_answers():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (REQUIRE_REDIS=1) but not answering at {REDIS_URL}")
        pytest.skip(f"Redis not answering at {REDIS_URL}")
    address = f"{uuid.uuid4().hex[:12]}@leefdam.example"
    worker(tmp_path, REDIS_URL, "fail", address)
    assert worker(tmp_path, REDIS_URL, "check", address) == "True"


def test_serving_with_the_memory_store_warns_that_limits_count_per_worker(tmp_path, caplog):
    import gunicorn  # noqa: F401  (served by gunicorn, as in production)

    from app import create_app

    with caplog.at_level(logging.WARNING):
        create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
                "TESTING": False,
                "RATELIMIT_STORAGE_URI": "memory://",
                "RATE_LIMITS": True,
            }
        )
    assert "RATELIMIT_STORAGE_URI is memory://" in caplog.text

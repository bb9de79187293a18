"""The job worker in tests: `flask worker` in a process of its own, as `make run` starts it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from extensions import db

ROOT = Path(__file__).resolve().parents[1]


class Worker:
    """`flask worker` in a process of its own on the test app's database and queue: the real consumer."""

    def __init__(self, app, log: Path, **environment: str) -> None:
        self.app, self.log, self.environment = app, log, environment
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        config = self.app.config
        env = {
            **os.environ,
            "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": self.app.instance_path,
            "JOB_QUEUE_URL": config["JOB_QUEUE_URL"],
            "JOB_QUEUE_NAME": config["JOB_QUEUE_NAME"],
            "JOB_RETRY_DELAY": "1",
            "JOB_LEASE": "2",
            "JOB_PRELOAD_LANGUAGES": "0",  # 5 s of CPU per worker, which most of these tests never use
            "PYTHONPATH": str(ROOT),
            **self.environment,
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", "worker"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: the worker stops at once, in the middle of whatever it does."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(
    read: Callable[[], object], done: Callable[[object], bool], worker: Worker | None = None, seconds: float = 240
) -> object:
    """Read a row again (a fresh transaction) until `done`; the bound is for a hung worker, not a claim about speed."""
    deadline = time.monotonic() + seconds
    while True:
        db.session.rollback()
        db.session.expire_all()
        row = read()
        if done(row):
            return row
        if time.monotonic() > deadline:
            said = f"; worker said:\n{worker.output()}" if worker else ""
            raise AssertionError(f"{row!r} did not get there{said}")
        time.sleep(0.05)

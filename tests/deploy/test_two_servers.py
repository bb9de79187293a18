"""Beyond one machine: two application servers (gunicorn with the repository's gunicorn.conf.py, on ports of their
own) against one PostgreSQL and one Redis, with a job worker for each, as README: Production describes a regional
rollout. Residents spread over both servers lose nothing, rate limits count across both, an analysis started
through one server is done by the other's worker, and a worker killed during a run leads to one retry, by the
other worker, that stores the run exactly once."""

from __future__ import annotations

import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from benchmarks.submit import Resident  # a resident walking the pages without JavaScript
from demo.cli import add_synthetic_respondents
from extensions import db
from models import AnalysisRun, ProfileSnapshot, Response, ResponseStatus, Role, RunStatus, Theme
from tests.staff import PASSWORD, make_staff
from tests.workers import ROOT, Worker, wait_for

pytestmark = pytest.mark.slow

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")  # a database of its own, flushed here
RESIDENTS, ROUNDS = 8, 2  # 16 responses: under the per-address limits of the resident pages


def redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (REQUIRE_REDIS=1) but not answering at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not answering at {REDIS_URL}")
    client.flushdb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`gunicorn -c gunicorn.conf.py 'app:create_app()'`, as in production, with the environment of `shared`."""

    def __init__(self, shared: dict[str, str], log: Path) -> None:
        self.port = free_port()
        environment = {
            **os.environ,
            **shared,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_WORKERS": "2",
            "ACCESS_LOG": str(log),
        }
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=out,
            )
        self.log = log
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/resume")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"gunicorn did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Spread(Resident):
    """A person whose requests go to the two servers in turn, as a load balancer without sticky sessions sends
    them; `address` is the client address the load balancer forwards."""

    def __init__(self, ports: list[int], wave_id: int, seed: int, address: str) -> None:
        super().__init__(ports[0], wave_id, random.Random(seed))
        self.connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports]
        self.headers, self.turn = {"X-Forwarded-For": address}, 0

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        self.conn, self.turn = self.connections[self.turn % len(self.connections)], self.turn + 1
        return super().request(method, path, body)


@pytest.fixture
def cluster(app, demo_wave, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("several application servers share PostgreSQL, not an embedded SQLite file")
    redis_or_skip()
    add_synthetic_respondents(demo_wave, 120, seed=3)  # enough for a real analysis of a few seconds
    queue_name = f"two-servers-{uuid.uuid4().hex[:8]}"
    shared = {
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "CLIENT_CODE_SECRET": app.config["CLIENT_CODE_SECRET"],
        "INSTANCE_PATH": app.instance_path,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "JOB_QUEUE_URL": REDIS_URL,
        "JOB_QUEUE_NAME": queue_name,
        "SESSION_COOKIE_SECURE": "0",
        "PROXY_HOPS": "1",
        "PYTHONPATH": str(ROOT),
    }
    servers = [Server(shared, tmp_path / f"server-{name}.log") for name in "ab"]
    workers = {
        name: Worker(app, tmp_path / f"worker-{name}.log", JOB_QUEUE_URL=REDIS_URL, JOB_QUEUE_NAME=queue_name)
        for name in "ab"
    }
    yield servers, workers
    for worker in workers.values():
        worker.stop()
    for server in servers:
        server.stop()


def submitted() -> int:
    db.session.rollback()
    return db.session.execute(
        select(func.count()).select_from(Response).where(Response.status == ResponseStatus.submitted)
    ).scalar_one()


def log_in(client: Spread, email: str, password: str) -> int:
    _, html, _ = client.request("GET", "/staff/login")
    action, body = client.fill(html)
    status, _, _ = client.request("POST", action, {**body, "email": email, "password": password})
    return status


def start_run(client: Spread, wave_id: int) -> int:
    _, html, _ = client.request("GET", "/staff/analysis/")
    _, fields = client.fill(html)
    status, _, location = client.request(
        "POST", "/staff/analysis/", {"csrf_token": fields["csrf_token"], "wave": str(wave_id), "seed": "0"}
    )
    assert status == 302 and "/runs/" in location, (status, location)
    return int(location.rstrip("/").split("/")[-1])


def stored(run_id: int) -> tuple[int, int]:
    return (
        db.session.execute(
            select(func.count()).select_from(ProfileSnapshot).where(ProfileSnapshot.run_id == run_id)
        ).scalar_one(),
        db.session.execute(select(func.count()).select_from(Theme).where(Theme.run_id == run_id)).scalar_one(),
    )


def test_two_application_servers_with_a_worker_each_share_one_database_queue_and_limit_store(
    app, demo_wave, cluster, tmp_path
):
    servers, workers = cluster
    ports, wave_id = [server.port for server in servers], demo_wave.id
    before = submitted()

    # residents spread over both servers, every request to the other one: stored equals acknowledged
    acknowledged, failures, lock = [0], [], threading.Lock()

    def resident(seed: int) -> None:
        person = Spread(ports, wave_id, seed, f"198.51.100.{seed + 1}")
        for _ in range(ROUNDS):
            try:
                person.complete_one()
                with lock:
                    acknowledged[0] += 1
            except Exception as error:  # counted, and shown by the assertion below
                with lock:
                    failures.append(repr(error))

    started = time.perf_counter()
    threads = [threading.Thread(target=resident, args=(seed,)) for seed in range(RESIDENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"\ntwo servers: {acknowledged[0]} responses in {time.perf_counter() - started:.1f} s")
    assert failures == [] and acknowledged[0] == RESIDENTS * ROUNDS
    assert submitted() - before == acknowledged[0]

    # the login limit (10 per minute per client address) counts the attempts at both servers together
    attacker = Spread(ports, wave_id, 99, "203.0.113.66")
    answers = [log_in(attacker, f"nobody{attempt}@leefdam.example", "wrong") for attempt in range(11)]
    assert 429 not in answers[:10] and answers[10] == 429, answers
    assert log_in(attacker, "nobody@leefdam.example", "wrong") == 429  # at the other server too

    # an analysis started through server A is done by server B's worker
    analyst = make_staff(Role.analyst)
    staff = Spread(ports[:1], wave_id, 7, "192.0.2.10")
    assert log_in(staff, analyst.email, PASSWORD) == 302
    workers["b"].start()
    first = start_run(staff, wave_id)
    run = wait_for(
        lambda: db.session.get(AnalysisRun, first),
        lambda run: run.status in (RunStatus.succeeded, RunStatus.failed),
        workers["b"],
    )
    assert run.status is RunStatus.succeeded and run.attempts == 1, run.error
    assert run.task_id in workers["b"].output()
    once = stored(first)
    assert once[0] > 0

    # a worker killed during a run: the other worker takes it up once its heartbeat is a lease old, and stores it once
    workers["a"].start()
    staff = Spread(ports[1:], wave_id, 8, "192.0.2.10")
    assert log_in(staff, analyst.email, PASSWORD) == 302
    second = start_run(staff, wave_id)
    run = wait_for(lambda: db.session.get(AnalysisRun, second), lambda run: run.status is not RunStatus.queued)
    task = run.task_id
    holder = wait_for(
        lambda: next((name for name, worker in workers.items() if task in worker.output()), None),
        lambda name: name is not None,
    )
    workers[holder].kill()
    killed_during = db.session.get(AnalysisRun, second, populate_existing=True)
    assert killed_during.status is RunStatus.running, "the run ended before its worker was killed: nothing tested"
    other = workers["a" if holder == "b" else "b"]
    run = wait_for(
        lambda: db.session.get(AnalysisRun, second),
        lambda run: run.status in (RunStatus.succeeded, RunStatus.failed),
        other,
    )
    assert run.status is RunStatus.succeeded and run.attempts == 2, run.error
    assert f"analysis run {second}: queued again" in other.output()
    assert stored(second) == once  # the same wave and seed: the same results, stored once

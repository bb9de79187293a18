"""Residents completing surveys against the real app under gunicorn: throughput, latency, loss, page sizes, and the
server CPU per page submit against the floor of the stack.

    .venv/bin/python benchmarks/submit.py [--clients 32] [--duration 20] [--workers 4] [--rounds 1]
    .venv/bin/python benchmarks/submit.py --profile 30      # where a page submit's time goes (cProfile)

Starts gunicorn on a fresh SQLite database (WAL) with the demo loaded, runs `--clients` simulated residents for
`--duration` seconds (each walks landing -> privacy -> neighbourhood -> every page -> review -> submit, as a
browser without JavaScript would), then prints page submits per second, p50/p95/p99 latency, errors, whether the
number of responses stored equals the number acknowledged, the server's CPU time (gunicorn's master and workers,
from /proc) per page submit, the CPU it took to start and its memory after the run (the proportional set sizes of
master and workers: what the workers share since the fork counted once). Also prints the gzip-compressed size of
every resident page type.

In the same run, with the same clients, workers and duration, it then serves the floor (benchmarks/floor_app.py:
one tiny form page whose value Flask-SQLAlchemy writes to SQLite, under the same gunicorn command) and prints its
figures and the ratio of the project's server CPU per page submit to the floor's. Each page submit on both is a
GET of the page and a POST of its form. `--needs` also serves the floor with what every resident page needs
(benchmarks/needs_floor_app.py: a session naming the response, the language, a CSRF form with a submit key, the
response and its answers read, the answer and the submit key stored), the least a resident page can cost on this
stack, and prints the project's ratio to it. `--rounds N` measures the project and the floor in turn N times and then
prints the median of each figure and the range of the ratio: on a shared virtual machine one 20-second round can be
20% off.

`--profile N` walks N residents through the Flask test client in this process instead, profiles only the
application's side of each request and prints the functions that cost the most.

Only 127.0.0.1 is contacted; the run stops by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:
    from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[1]
INPUT = re.compile(r"<input([^>]*)>")
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"')
SELECT_OPTION = re.compile(r'<option value="(BU\d{8})"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FLOOR_PAGES = 14  # page submits per walk of the floor, about as many as a resident's walk of the adult survey


class Resident:
    def __init__(self, port: int, wave_id: int, rng: random.Random):
        self.port, self.wave_id, self.rng = port, wave_id, rng
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.latencies: list[float] = []
        self.page_submits = 0
        self.headers: dict[str, str] = {}  # sent with every request (a test sends X-Forwarded-For)
        self.earlier_submits = 0  # before the last reset(): to compare all acknowledged submits with those stored

    def reset(self) -> None:
        """Forget what was measured so far (after the warm-up)."""
        self.latencies.clear()
        self.earlier_submits += self.page_submits
        self.page_submits = 0

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str, str]:
        headers = {"Accept-Encoding": "identity", **self.headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8")
        self.latencies.append(time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        location = response.headers.get("Location", "")
        return (
            response.status,
            text,
            urlsplit(location).path + (f"?{urlsplit(location).query}" if urlsplit(location).query else ""),
        )

    def fill(self, html: str) -> tuple[str, dict]:
        form = FORM_ACTION.search(html)
        assert form is not None, "a question page has a form"
        action = form.group(1)
        body: dict[str, list[str]] = {}
        radios: dict[str, list[str]] = {}
        for match in INPUT.finditer(html):
            attrs = dict(ATTR.findall(match.group(1)))
            name, kind = attrs.get("name"), attrs.get("type", "text")
            if not name:
                continue
            if kind in ("radio", "checkbox"):
                radios.setdefault(name, []).append(attrs.get("value", ""))
            elif kind == "hidden":
                body[name] = [attrs.get("value", "")]
            elif attrs.get("inputmode") == "numeric":
                body[name] = [str(self.rng.randint(1, 5))]  # within every number item's range
            elif name != "code":
                body[name] = ["goed"]
        for name, values in radios.items():
            body[name] = [self.rng.choice(values)]
        for name in TEXTAREA.findall(html):
            if self.rng.random() < 0.5:
                body[name] = ["Meer groen en een veilige oversteek bij de school"]
        return action, body

    def complete_one(self) -> bool:
        self.cookies.clear()
        slug = self.rng.choice(["adult", "adult", "adult", "youth", "parent"])
        status, html, _ = self.request("GET", f"/w/{self.wave_id}/{slug}/start")
        action, body = self.fill(html)
        status, _, location = self.request("POST", action, body)
        status, html, _ = self.request("GET", location)
        buurt = self.rng.choice(SELECT_OPTION.findall(html))
        action, body = self.fill(html)
        body["buurt"] = [buurt]
        body["action"] = ["next"]
        status, _, location = self.request("POST", action, body)
        self.page_submits += 1
        while "/r/page/" in location:
            status, html, _ = self.request("GET", location)
            action, body = self.fill(html)
            body["action"] = ["next"]
            status, _, location = self.request("POST", action, body)
            if status != 302:
                raise RuntimeError(f"page submit answered {status}")
            self.page_submits += 1
        status, html, _ = self.request("GET", location)
        action, body = self.fill(html)
        status, _, location = self.request("POST", action, body)
        self.page_submits += 1
        if status != 302 or not location.endswith("/r/done"):
            raise RuntimeError(f"final submit answered {status} {location}")
        return True


class FloorResident(Resident):
    """A walk of the floor: FLOOR_PAGES times the tiny form page, each shown (GET) and answered (POST)."""

    def complete_one(self) -> bool:
        for index in range(FLOOR_PAGES):
            status, html, _ = self.request("GET", f"/page/{index}")
            action, body = self.fill(html)
            status, _, location = self.request("POST", action, body)
            if status != 302 or location != f"/page/{index + 1}":
                raise RuntimeError(f"floor page submit answered {status} {location}")
            self.page_submits += 1
        return True


class NeedsFloorResident(FloorResident):
    """A walk of the floor with what every resident page needs: a response started, then the floor's pages."""

    def complete_one(self) -> bool:
        self.cookies.clear()
        status, _, location = self.request("GET", "/start")
        if status != 302 or location != "/page/0":
            raise RuntimeError(f"start answered {status} {location}")
        return super().complete_one()


def wait_for(port: int, path: str = "/resume", timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def wait_idle(master_pid: int, timeout: float = 180) -> None:
    """Wait until gunicorn's workers have booted (importing the app costs seconds of CPU each): until the server
    uses almost no CPU for a second."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        before = server_cpu_seconds(master_pid)
        time.sleep(1.0)
        if server_cpu_seconds(master_pid) - before < 0.05:
            return


def server_processes(master_pid: int):
    """(pid, the fields of /proc/PID/stat after the command) of gunicorn's master and its live workers (Linux)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; comm may hold spaces
        if int(entry) == master_pid or int(fields[1]) == master_pid:  # fields[1] is the parent's pid
            yield int(entry), fields


def server_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of gunicorn's master and its workers so far: the live workers' own, and through the
    master's children's times those of workers that ended (gunicorn restarts a worker after max_requests; the
    master reaps it, and its time is added to the master's cutime and cstime)."""
    total = 0
    for pid, fields in server_processes(master_pid):
        total += sum(int(value) for value in fields[11 : 15 if pid == master_pid else 13])
    return total / CLOCK_TICKS


def server_memory_mb(master_pid: int) -> float:
    """The memory of gunicorn's master and workers together: the sum of their proportional set sizes (a page the
    workers share since the fork counted once in all)."""
    total_kb = 0
    for pid, _ in server_processes(master_pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


def load(port: int, master_pid: int, make_resident, clients: int, duration: float, warmup: float) -> dict:
    """Run `clients` residents for `warmup` + `duration` seconds; figures of the last `duration` seconds only, with the
    server's start-up CPU (all it used before) and its memory at the end."""
    startup_cpu = server_cpu_seconds(master_pid)
    acknowledged, acknowledged_all, errors = [0], [0], [0]
    lock = threading.Lock()
    started = time.time()
    measure_from = started + warmup
    stop_at = measure_from + duration
    cpu_at_start: list[float] = []
    residents = []

    def run_client(seed: int) -> None:
        resident = make_resident(random.Random(seed))
        residents.append(resident)
        measuring = False
        while time.time() < stop_at:
            if not measuring and time.time() >= measure_from:
                resident.reset()
                measuring = True
            try:
                resident.complete_one()
                with lock:
                    acknowledged_all[0] += 1
                    acknowledged[0] += measuring
            except Exception as error:  # count and go on: the benchmark reports errors, it does not hide them
                with lock:
                    errors[0] += 1
                print(f"  error: {error}", file=sys.stderr)
                resident.conn.close()
                resident.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    threads = [threading.Thread(target=run_client, args=(seed,)) for seed in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, measure_from - time.time()))
    cpu_at_start.append(server_cpu_seconds(master_pid))
    for thread in threads:
        thread.join()
    # the last walks end after stop_at: count their submits and CPU up to the moment all clients stopped
    elapsed = time.time() - measure_from
    cpu = server_cpu_seconds(master_pid) - cpu_at_start[0]
    latencies = [latency for resident in residents for latency in resident.latencies]
    submits = sum(resident.page_submits for resident in residents)
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    submits_all = submits + sum(resident.earlier_submits for resident in residents)
    return {
        "elapsed": elapsed,
        "acknowledged": acknowledged[0],
        "acknowledged_all": acknowledged_all[0],
        "errors": errors[0],
        "submits": submits,
        "submits_all": submits_all,
        "requests": len(latencies),
        "p50": quantiles[49],
        "p95": quantiles[94],
        "p99": quantiles[98],
        "cpu": cpu,
        "cpu_per_submit": cpu / submits if submits else float("nan"),
        "startup_cpu": startup_cpu,
        "memory_mb": server_memory_mb(master_pid),
    }


def print_load(figures: dict) -> None:
    elapsed = figures["elapsed"]
    print(f"  page submits (POST)      {figures['submits']} ({figures['submits'] / elapsed:.1f}/s)")
    print(f"  requests                 {figures['requests']} ({figures['requests'] / elapsed:.1f}/s)")
    print(
        f"  latency p50/p95/p99      {figures['p50'] * 1000:.1f} / {figures['p95'] * 1000:.1f} / "
        f"{figures['p99'] * 1000:.1f} ms"
    )
    print(f"  errors                   {figures['errors']}")
    print(
        f"  server CPU               {figures['cpu']:.2f} s, {figures['cpu_per_submit'] * 1000:.2f} ms per page submit"
    )
    print(
        f"  server start-up, memory  {figures['startup_cpu']:.2f} s of CPU before the run; "
        f"{figures['memory_mb']:.0f} MB (proportional set sizes) after it"
    )


def gunicorn(app: str, port: int, workers: int, env: dict, extra: tuple[str, ...] = ()) -> subprocess.Popen:
    """gunicorn with the repository's gunicorn.conf.py, which it reads from the working directory as in production
    (the app loaded once and the workers forked from it, the access log written), with these workers and port. The
    access log goes to /dev/null unless ACCESS_LOG says where: written as in production, but not in the figures."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *extra,
            app,
        ],
        env={"ACCESS_LOG": os.devnull, **env},
        cwd=ROOT,
    )


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def page_sizes(port: int, wave_id: int) -> list[tuple[str, int, int]]:
    """(page type, bytes, gzip bytes) of every resident page type and the stylesheet."""
    resident = Resident(port, wave_id, random.Random(1))
    sizes = []

    def record(name: str, html: str) -> None:
        raw = html.encode()
        sizes.append((name, len(raw), len(gzip.compress(raw, 6))))

    _, html, _ = resident.request("GET", f"/w/{wave_id}/")
    record("landing", html)
    stylesheet = re.search(r'href="(/assets/[^"]+)"', html)
    assert stylesheet is not None, "every page links the stylesheet"
    css = stylesheet.group(1)
    _, css_text, _ = resident.request("GET", css)
    record("stylesheet (once, then cached)", css_text)
    _, html, _ = resident.request("GET", f"/w/{wave_id}/adult/start")
    record("privacy statement", html)
    action, body = resident.fill(html)
    _, _, location = resident.request("POST", action, body)
    _, html, _ = resident.request("GET", location)
    record("neighbourhood", html)
    action, body = resident.fill(html)
    body.update(buurt=["BU90010101"], action=["next"])
    _, _, location = resident.request("POST", action, body)
    biggest = ("", 0)
    while "/r/page/" in location:
        _, html, _ = resident.request("GET", location)
        biggest = max(biggest, (html, len(html)), key=lambda x: x[1])
        action, body = resident.fill(html)
        body["action"] = ["next"]
        _, _, location = resident.request("POST", action, body)
    record("largest question page", biggest[0])
    _, html, _ = resident.request("GET", location)
    record("review", html)
    action, body = resident.fill(html)
    _, _, location = resident.request("POST", action, body)
    _, html, _ = resident.request("GET", location)
    record("thank you (spider web)", html)
    return sizes


def run_floor(args, tmp: Path, needs: bool = False) -> dict:
    """Serve the floor (or with `needs` the floor with what every resident page needs) under the same gunicorn
    command, on the next port, and walk the same number of residents through it."""
    name, database = ("needs_floor_app", tmp / "needs.sqlite") if needs else ("floor_app", tmp / "floor.sqlite")
    env = {**os.environ, "FLOOR_DATABASE": str(database)}
    server = gunicorn(f"{name}:create_app()", args.port + 1, args.workers, env, ("--pythonpath", "benchmarks"))
    resident = NeedsFloorResident if needs else FloorResident
    answers = NEEDS_ANSWERS if needs else FLOOR_ANSWERS
    try:
        wait_for(args.port + 1, "/ready" if needs else "/page/0")
        wait_idle(server.pid)
        stored_before = count(database, answers)
        figures = load(
            args.port + 1,
            server.pid,
            lambda rng: resident(args.port + 1, 0, rng),
            args.clients,
            args.duration,
            args.warmup,
        )
    finally:
        stop(server)
    figures["stored"] = count(database, answers) - stored_before
    return figures


SUBMITTED = "select count(*) from response where status = 'submitted'"
FLOOR_ANSWERS = "select count(*) from floor_answer"
NEEDS_ANSWERS = "select count(*) from needs_answer"  # one per page of a walk


def count(database: Path, query: str) -> int:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(query).fetchone()[0]


def prepare(tmp: Path) -> tuple[dict, int]:
    """A migrated SQLite database in `tmp` with the demo loaded; the environment to serve it and the open wave."""
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
        "SESSION_COOKIE_SECURE": "0",
        "RATELIMIT_ENABLED": "0",
        "FLASK_APP": "app",
    }
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    wave_id = (
        sqlite3.connect(tmp / "bench.sqlite")
        .execute("select id from wave where closes_on is null or closes_on >= date('now') order by opens_on desc")
        .fetchone()[0]
    )
    return env, wave_id


def profile(args) -> None:
    """Walk residents through the test client; profile the application's side of each request only."""
    import cProfile
    import pstats

    tmp = Path(tempfile.mkdtemp(prefix="lw-profile-"))
    env, wave_id = prepare(tmp)
    for key in ("INSTANCE_PATH", "DATABASE_URL", "SESSION_COOKIE_SECURE", "RATELIMIT_ENABLED"):
        os.environ[key] = env[key]
    sys.path.insert(0, str(ROOT))
    from app import create_app

    app = create_app()
    client = app.test_client(use_cookies=False)
    profiler = cProfile.Profile()
    timing = {"on": False, "cpu": 0.0}
    inner = app.wsgi_app

    def measured(environ, start_response):
        if not timing["on"]:
            return inner(environ, start_response)
        started = time.process_time()
        profiler.enable() if args.profile_on else None
        try:
            return list(inner(environ, start_response))
        finally:
            profiler.disable() if args.profile_on else None
            timing["cpu"] += time.process_time() - started

    app.wsgi_app = measured  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app

    class TestClientResident(Resident):
        client: FlaskClient

        def request(self, method, path, body=None):
            headers = {"Accept-Encoding": "identity"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            started = time.perf_counter()
            response = self.client.open(path, method=method, data=body, headers=headers)
            self.latencies.append(time.perf_counter() - started)
            for header in response.headers.getlist("Set-Cookie"):
                for key, morsel in SimpleCookie(header).items():
                    self.cookies[key] = morsel.value
            location = urlsplit(response.headers.get("Location", ""))
            return (
                response.status_code,
                response.get_data(as_text=True),
                location.path + (f"?{location.query}" if location.query else ""),
            )

    class TestClientFloorResident(FloorResident):
        client: FlaskClient
        request = TestClientResident.request

    resident = TestClientResident(0, wave_id, random.Random(1))
    resident.client = client
    for _ in range(3):  # warm up: templates compiled, caches filled
        resident.complete_one()
    resident.reset()
    per_submit = []
    for on in (False, False, False, True):  # the CPU time without the profiler's overhead (best of 3), the profile
        args.profile_on = on
        timing.update(on=True, cpu=0.0)
        resident.reset()
        for _ in range(args.profile):
            resident.complete_one()
        timing["on"] = False
        per_submit.append(timing["cpu"] / resident.page_submits)
        if on:
            print(
                f"{resident.page_submits} page submits through the test client, "
                f"{len(resident.latencies)} requests: {min(per_submit) * 1000:.2f} ms application CPU per page "
                f"submit (best of {len(per_submit) - 1} passes without the profiler)"
            )
    # the floor through its own test client in this process, timed the same way
    os.environ["FLOOR_DATABASE"] = str(tmp / "floor.sqlite")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from floor_app import create_app as create_floor  # type: ignore[import-not-found]  # on sys.path just above

    floor_app = create_floor()
    floor_cpu = {"cpu": 0.0}
    floor_inner = floor_app.wsgi_app

    def floor_measured(environ, start_response):
        started = time.process_time()
        try:
            return list(floor_inner(environ, start_response))
        finally:
            floor_cpu["cpu"] += time.process_time() - started

    floor_app.wsgi_app = floor_measured
    floor_resident = TestClientFloorResident(0, 0, random.Random(1))
    floor_resident.client = floor_app.test_client(use_cookies=False)
    floor_resident.complete_one()
    floor_per_submit = []
    for _ in range(3):
        floor_cpu["cpu"] = 0.0
        floor_resident.reset()
        for _ in range(args.profile):
            floor_resident.complete_one()
        floor_per_submit.append(floor_cpu["cpu"] / floor_resident.page_submits)
    print(
        f"floor through the test client: {min(floor_per_submit) * 1000:.2f} ms application CPU per page submit; "
        f"Leefwereld / floor = {min(per_submit) / min(floor_per_submit):.1f}x"
    )
    if args.profile_save:
        profiler.dump_stats(args.profile_save)
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=5391, help="the project's; the floor's is the next one")
    parser.add_argument("--no-floor", action="store_true", help="measure the project only")
    parser.add_argument(
        "--needs",
        action="store_true",
        help="also serve the floor with what every resident page needs (benchmarks/needs_floor_app.py)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure the project and the floor in turn this many times; print medians"
    )
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N walks instead (test client)")
    parser.add_argument("--top", type=int, default=40, help="functions shown by --profile")
    parser.add_argument("--profile-save", metavar="PATH", help="also write --profile's statistics to PATH (pstats)")
    args = parser.parse_args()
    if args.profile:
        profile(args)
        return

    tmp = Path(tempfile.mkdtemp(prefix="lw-bench-"))
    env, wave_id = prepare(tmp)
    setting = f"clients {args.clients}, gunicorn workers {args.workers}, warm-up {args.warmup:.0f} s"
    print(f"{setting}, measured {args.duration:.0f} s")
    rounds = []
    for number in range(1, args.rounds + 1):
        if args.rounds > 1:
            print(f"round {number} of {args.rounds}:")
        project = run_project(args, tmp, env, wave_id, show_sizes=number == 1)
        floor = None if args.no_floor else run_floor(args, tmp)
        needs = None
        if floor is not None:
            print_ratio(project, floor)
            if args.needs:
                needs = run_floor(args, tmp, needs=True)
                print_needs(project, floor, needs)
        rounds.append((project, floor, needs))
    if args.rounds > 1:
        print_medians(rounds)


def run_project(args, tmp: Path, env: dict, wave_id: int, show_sizes: bool) -> dict:
    """Serve the project, walk residents through it, print its figures; whether every acknowledged response is
    stored is checked against the database."""
    server = gunicorn("app:create_app()", args.port, args.workers, env)
    database = tmp / "bench.sqlite"
    try:
        wait_for(args.port)
        wait_idle(server.pid)
        if show_sizes:
            print("page sizes (bytes / gzip bytes):")
            for name, raw, compressed in page_sizes(args.port, wave_id):
                print(f"  {name:32s} {raw:8d} {compressed:8d}")
        stored_before = count(database, SUBMITTED)
        figures = load(
            args.port,
            server.pid,
            lambda rng: Resident(args.port, wave_id, rng),
            args.clients,
            args.duration,
            args.warmup,
        )
    finally:
        stop(server)
    print("Leefwereld (resident survey):")
    print(
        f"  completed responses      {figures['acknowledged']} ({figures['acknowledged'] / figures['elapsed']:.1f}/s)"
    )
    print_load(figures)
    stored = count(database, SUBMITTED) - stored_before
    figures["lost"] = stored != figures["acknowledged_all"]
    print(
        f"  stored == acknowledged   {not figures['lost']} ({stored} stored, "
        f"{figures['acknowledged_all']} acknowledged)"
    )
    return figures


def print_ratio(project: dict, floor: dict) -> None:
    print("floor (benchmarks/floor_app.py: one tiny form page, its value written to SQLite):")
    print_load(floor)
    print(f"  stored == acknowledged   {floor['stored'] == floor['submits_all']} ({floor['stored']} stored)")
    print(
        f"page submits/s, Leefwereld / floor          {rate(project):.1f} / {rate(floor):.1f} = "
        f"{rate(project) / rate(floor):.2f}"
    )
    print(
        f"server CPU per page submit, Leefwereld / floor  {project['cpu_per_submit'] * 1000:.2f} / "
        f"{floor['cpu_per_submit'] * 1000:.2f} ms = {project['cpu_per_submit'] / floor['cpu_per_submit']:.2f}x"
    )


def print_needs(project: dict, floor: dict, needs: dict) -> None:
    print("floor with what every resident page needs (benchmarks/needs_floor_app.py):")
    print_load(needs)
    print(f"  stored == acknowledged   {needs['stored'] == needs['submits_all']} ({needs['stored']} stored)")
    cpu = needs["cpu_per_submit"]
    print(
        f"server CPU per page submit, floor with needs / floor = {cpu / floor['cpu_per_submit']:.2f}x; "
        f"Leefwereld / floor with needs = {project['cpu_per_submit'] / cpu:.2f}x"
    )


def rate(figures: dict) -> float:
    return figures["submits"] / figures["elapsed"]


def print_medians(rounds: list[tuple[dict, dict | None, dict | None]]) -> None:
    """The median of every round's figures: one round on a shared virtual machine can be 20% off."""
    projects = [project for project, _, _ in rounds]
    print(f"median of {len(rounds)} rounds (each round's figures above):")
    print(
        f"  Leefwereld               {statistics.median(map(rate, projects)):.1f} page submits/s, p99 "
        f"{statistics.median(p['p99'] for p in projects) * 1000:.1f} ms, "
        f"{statistics.median(p['cpu_per_submit'] for p in projects) * 1000:.2f} ms CPU per page submit; "
        f"errors {sum(p['errors'] for p in projects)}, rounds with a response lost {sum(p['lost'] for p in projects)}"
    )
    for name, index in (("floor", 1), ("floor with needs", 2)):
        measured: list[tuple[dict, dict]] = []
        for round_ in rounds:
            other = round_[index]
            if other is not None:
                measured.append((round_[0], other))
        if not measured:
            continue
        others = [other for _, other in measured]
        ratios = sorted(project["cpu_per_submit"] / other["cpu_per_submit"] for project, other in measured)
        print(
            f"  {name:24s} {statistics.median(map(rate, others)):.1f} page submits/s, p99 "
            f"{statistics.median(f['p99'] for f in others) * 1000:.1f} ms, "
            f"{statistics.median(f['cpu_per_submit'] for f in others) * 1000:.2f} ms CPU per page submit"
        )
        print(
            f"  CPU ratio, Leefwereld / {name} (per round): median {statistics.median(ratios):.2f}x, "
            f"range {ratios[0]:.2f}x-{ratios[-1]:.2f}x"
        )


if __name__ == "__main__":
    main()

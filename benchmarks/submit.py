"""Residents completing surveys against the real app under gunicorn: throughput, latency, loss, page sizes.

    .venv/bin/python benchmarks/submit.py [--clients 32] [--duration 20] [--workers 4]

Starts gunicorn on a fresh SQLite database (WAL) with the demo loaded, runs `--clients` simulated residents for
`--duration` seconds (each walks landing -> privacy -> neighbourhood -> every page -> review -> submit, as a
browser without JavaScript would), then prints page submits per second, p50/p95/p99 latency, errors, and
whether the number of responses stored equals the number acknowledged. Also prints the gzip-compressed size of
every resident page type. Only 127.0.0.1 is contacted; the run stops by itself.
"""
from __future__ import annotations

import argparse
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
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
INPUT = re.compile(r"<input([^>]*)>")
ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')
TEXTAREA = re.compile(r'<textarea[^>]*name="([^"]+)"')
SELECT_OPTION = re.compile(r'<option value="(BU\d{8})"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


class Resident:
    def __init__(self, port: int, wave_id: int, rng: random.Random):
        self.port, self.wave_id, self.rng = port, wave_id, rng
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.latencies: list[float] = []
        self.page_submits = 0
        self.headers: dict[str, str] = {}  # sent with every request (a test sends X-Forwarded-For)

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
        return response.status, text, urlsplit(location).path + (f"?{urlsplit(location).query}"
                                                                  if urlsplit(location).query else "")

    def fill(self, html: str) -> tuple[str, dict]:
        action = FORM_ACTION.search(html).group(1)
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


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/resume")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def page_sizes(port: int, wave_id: int) -> list[tuple[str, int, int]]:
    """(page type, bytes, gzip bytes) of every resident page type and the stylesheet."""
    resident = Resident(port, wave_id, random.Random(1))
    sizes = []

    def record(name: str, html: str) -> None:
        raw = html.encode()
        sizes.append((name, len(raw), len(gzip.compress(raw, 6))))

    _, html, _ = resident.request("GET", f"/w/{wave_id}/")
    record("landing", html)
    css = re.search(r'href="(/assets/[^"]+)"', html).group(1)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=5391)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="lw-bench-"))
    env = {**os.environ, "INSTANCE_PATH": str(tmp), "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
           "SESSION_COOKIE_SECURE": "0", "RATELIMIT_ENABLED": "0", "FLASK_APP": "app"}
    flask = [sys.executable, "-m", "flask"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*flask, "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    wave_id = sqlite3.connect(tmp / "bench.sqlite").execute(
        "select id from wave where closes_on is null or closes_on >= date('now') order by opens_on desc").fetchone()[0]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.port}",
         "--log-level", "warning", "app:create_app()"], env=env, cwd=ROOT)
    try:
        wait_for(args.port)
        print("page sizes (bytes / gzip bytes):")
        for name, raw, compressed in page_sizes(args.port, wave_id):
            print(f"  {name:32s} {raw:8d} {compressed:8d}")
        acknowledged, errors, latencies, submits = [0], [0], [], [0]
        lock = threading.Lock()
        stop_at = time.time() + args.duration

        def run_client(seed: int) -> None:
            resident = Resident(args.port, wave_id, random.Random(seed))
            while time.time() < stop_at:
                try:
                    resident.complete_one()
                    with lock:
                        acknowledged[0] += 1
                except Exception as error:  # count and go on: the benchmark reports errors, it does not hide them
                    with lock:
                        errors[0] += 1
                    print(f"  error: {error}", file=sys.stderr)
                    resident.conn.close()
                    resident.conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
            with lock:
                latencies.extend(resident.latencies)
                submits[0] += resident.page_submits

        started = time.time()
        threads = [threading.Thread(target=run_client, args=(seed,)) for seed in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.time() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = sqlite3.connect(tmp / "bench.sqlite").execute(
        "select count(*) from response where status = 'submitted'").fetchone()[0]
    stored -= 1  # the page-size walk above submitted one response
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    print(f"clients {args.clients}, gunicorn workers {args.workers}, duration {elapsed:.1f} s")
    print(f"completed responses      {acknowledged[0]} ({acknowledged[0] / elapsed:.1f}/s)")
    print(f"page submits (POST)      {submits[0]} ({submits[0] / elapsed:.1f}/s)")
    print(f"requests                 {len(latencies)} ({len(latencies) / elapsed:.1f}/s)")
    print(f"latency p50/p95/p99      {quantiles[49] * 1000:.1f} / {quantiles[94] * 1000:.1f} / "
          f"{quantiles[98] * 1000:.1f} ms")
    print(f"errors                   {errors[0]}")
    print(f"stored == acknowledged   {stored == acknowledged[0]} ({stored} stored)")


if __name__ == "__main__":
    main()

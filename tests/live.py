"""A real threaded HTTP server around the test app, and posts sent at the same moment, as impatient clients do."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from werkzeug.serving import make_server


@dataclass(frozen=True)
class Reply:
    status: int
    location: str | None
    body: str


@contextmanager
def serving(app) -> Iterator[tuple[str, int]]:
    """The app behind werkzeug's threaded server (one thread per request, as with several workers)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        thread.join()


def session_cookie(client) -> str:
    """The signed session cookie of a Flask test client, to send the same session from other threads."""
    return f"session={client.get_cookie('session').value}"


def post(address: tuple[str, int], path: str, cookie: str, body: bytes, content_type: str) -> Reply:
    connection = http.client.HTTPConnection(*address, timeout=60)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Cookie": cookie, "Content-Type": content_type, "Accept": "text/html,application/json"},
        )
        response = connection.getresponse()
        return Reply(response.status, response.getheader("Location"), response.read().decode())
    finally:
        connection.close()


def post_form(address: tuple[str, int], path: str, cookie: str, fields: dict[str, list[str]]) -> Reply:
    body = urlencode([(name, value) for name, values in fields.items() for value in values]).encode()
    return post(address, path, cookie, body, "application/x-www-form-urlencoded")


def all_at_once(calls: list[Callable[[], Reply]]) -> list[Reply]:
    """Run every call in a thread of its own, released together, and return their replies in order."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], Reply]) -> Reply:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))

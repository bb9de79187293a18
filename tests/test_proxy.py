"""Behind a load balancer: the client's address and scheme come from X-Forwarded-* only when PROXY_HOPS says how many
proxies to believe; otherwise a client could name any address and dodge the per-address rate limits."""

from __future__ import annotations

import pytest
from flask import request

from tests.conftest import make_app


@pytest.mark.parametrize(("hops", "address", "scheme"), [(0, "10.0.0.2", "http"), (1, "203.0.113.7", "https")])
def test_forwarded_headers_are_believed_only_from_the_configured_proxies(database_url, hops, address, scheme):
    app = make_app(database_url, PROXY_HOPS=hops)
    app.add_url_rule("/_seen", "seen", lambda: f"{request.remote_addr} {request.scheme}")
    reply = app.test_client().get(
        "/_seen",
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
        headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
    )
    assert reply.get_data(as_text=True) == f"{address} {scheme}"

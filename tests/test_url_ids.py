"""Numbers in addresses: an id no database row can have is a page that does not exist (404), never a server error."""

from __future__ import annotations

import re

import pytest

from tests.staff import log_in, make_staff

INT_ARGUMENT = re.compile(r"<int:(\w+)>")
LARGEST_ID = 2**31 - 1  # every id column is an INTEGER: signed 32-bit on PostgreSQL


def int_rules(app):
    return [rule for rule in app.url_map.iter_rules() if INT_ARGUMENT.search(rule.rule)]


def address(rule, value: str) -> str:
    return INT_ARGUMENT.sub(value, rule.rule)


@pytest.fixture
def client_for(app, demo_wave):
    """A client allowed to use the route: anonymous for residents' pages, else logged in with a permitted role."""
    clients = {}

    def client_for(rule):
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        role = None if roles is None else sorted(roles, key=lambda r: r.value)[0]
        if role not in clients:
            clients[role] = app.test_client()
            if role is not None:
                log_in(clients[role], make_staff(role))
        return clients[role]

    return client_for


def test_some_routes_take_an_int_argument(app):
    assert len(int_rules(app)) > 20


@pytest.mark.parametrize("value", [str(LARGEST_ID + 1), str(2**63), "99999999999999999999999", "9" * 5000])
def test_an_id_beyond_the_range_of_database_ids_gives_404_on_every_route(app, client_for, value):
    tried = 0
    for rule in int_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client_for(rule).open(address(rule, value), method=method)
            assert response.status_code == 404, (rule.endpoint, method, response.status_code)
            tried += 1
    assert tried >= len(int_rules(app))


def test_the_largest_id_is_looked_up_like_any_other(app, client_for):
    for rule in int_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client_for(rule).open(address(rule, str(LARGEST_ID)), method=method)
            assert response.status_code < 500, (rule.endpoint, method, response.status_code)


def test_the_int_converter_accepts_ordinary_ids(app, client_for, demo_wave):
    rule = next(rule for rule in int_rules(app) if rule.endpoint == "surveys.landing")
    assert client_for(rule).get(address(rule, str(demo_wave.id))).status_code == 200

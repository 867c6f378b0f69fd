"""The access matrix: every route of the URLconf, times every role, times an object in and out of
scope, answers what tests/security/access_table.py says.

Routes are discovered from the URLconf (tests/security/routes.py), so a new route fails
test_it_has_a_row_for_every_route until its row is written, and a row whose route is gone fails too.
The world (tests/security/access_world.py) holds each kind of object here, at another duty station
and in another mission. Pages are asked with the browser session (past the second factor), the API
with an API token; a POST-only route is posted to with an empty form inside a transaction rolled
back at once, so the world stays the same for the next role. Every mismatch is collected and listed.
"""

from http.cookies import SimpleCookie

import pytest
from django.db import transaction
from django.test import Client

from crsv_mis.models import ApiToken
from tests.conftest import verified_login
from tests.security import access_world
from tests.security.access_table import (
    ANONYMOUS,
    COLUMNS,
    LOGIN,
    METHOD,
    NEVER_DATA,
    PUBLIC,
    row_for,
    rows,
)
from tests.security.routes import answer_of, discovered_routes, scopes_of, url_for

pytestmark = pytest.mark.django_db


def test_it_has_a_row_for_every_route_and_none_for_a_route_gone():
    routes = discovered_routes()
    missing = sorted({f"{r.key} ({r.route}) scopes {scopes_of(r)}" for r in routes
                      if any(row_for(r.key, scope) is None for scope in scopes_of(r) or ("?",))})
    used = {(row.key, row.scope) for r in routes for scope in scopes_of(r)
            if (row := row_for(r.key, scope)) is not None}
    gone = sorted(f"{row.key} {row.scope}" for row in rows() if (row.key, row.scope) not in used)

    assert (missing, gone) == ([], []), (
        "routes without a row in tests/security/access_table.py (a route with an argument needs its object in "
        "routes.ARGUMENTS):\n" + "\n".join(missing) + "\nrows for routes that no longer exist:\n" + "\n".join(gone))


def test_the_table_gives_anonymous_visitors_the_login_page_or_401_never_data():
    leaking = [f"{row.key} {row.scope}: {row.answers[ANONYMOUS]}" for row in rows()
               if row.answers[ANONYMOUS] not in NEVER_DATA and row.key not in PUBLIC]

    assert leaking == []


def test_an_anonymous_visitor_gets_the_login_page_or_401_never_data(users, stations, gazetteer, party,
                                                                     make_incident):
    """Asked without the table: every route, with the real objects, signed out."""
    world = access_world.build(users=users, stations=stations, gazetteer=gazetteer, party=party,
                               make_incident=make_incident)
    client = Client()
    leaking = []
    for route in discovered_routes():
        for scope in scopes_of(route):
            url = url_for(route, scope, world[scope or access_world.HERE])
            got = answer_of(client.get(url))
            if got not in NEVER_DATA and route.key not in PUBLIC:
                leaking.append(f"{url}: {got}")

    assert leaking == []


def _clients(users):
    """role -> (browser client past the second factor, headers of an API token of theirs)."""
    clients = {ANONYMOUS: (Client(), {})}
    for role in COLUMNS[1:]:
        _token, raw = ApiToken.issue(users[role], days=1)
        clients[role] = (verified_login(Client(), users[role]), {"HTTP_AUTHORIZATION": f"Token {raw}"})
    return clients


def _post(client, url):
    """A POST whose effects are undone: the transaction rolled back, the cookies put back (logging out
    or switching the language would otherwise carry over to the next request)."""
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        response = client.post(url, {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _ask(route, row, url, role, clients):
    client, token = clients[role]
    if route.is_api:
        # The API with its token, on a client without the browser's session cookie.
        return Client().generic(row.method, url, **token)
    return _post(client, url) if row.method == "POST" else client.get(url)


def test_every_route_answers_every_role_as_the_table_says(users, stations, gazetteer, party, make_incident):
    world = access_world.build(users=users, stations=stations, gazetteer=gazetteer, party=party,
                               make_incident=make_incident)
    clients = _clients(users)
    mismatches = []
    for route in discovered_routes():
        for scope in scopes_of(route):
            row = row_for(route.key, scope)
            url = url_for(route, scope, world[scope or access_world.HERE])
            for role in COLUMNS:
                got = answer_of(_ask(route, row, url, role, clients))
                if got != row.answers[role]:
                    mismatches.append(f"{route.key:28} {row.method:4} {scope or '-':6} {role:20} "
                                      f"expected {row.answers[role]:8} got {got:8} {url}")
            if row.method == "POST":
                # A POST-only route has nothing to show: a GET gets 405 (or the login page first).
                for role in (ANONYMOUS, "SWPA"):
                    got = answer_of(clients[role][0].get(url))
                    if got not in (METHOD, LOGIN if role == ANONYMOUS else METHOD):
                        mismatches.append(f"{route.key:28} GET  {scope or '-':6} {role:20} "
                                          f"expected 405      got {got:8} {url}")

    assert mismatches == [], f"{len(mismatches)} answers differ from tests/security/access_table.py:\n" + \
        "\n".join(mismatches)

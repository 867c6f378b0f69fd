"""Only the AUDITOR reads the audit trail: page, CSV export and API; every other role gets 403, a
visitor signed out the login page (the API: 401)."""

import pytest
from django.test import Client

from crsv_mis.models import ApiToken
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

ROUTES = ("/audit/", "/audit/export.csv")
API = "/api/v1/audit-events/"


def test_it_answers_403_to_every_other_role(users):
    for role, user in users.items():
        if role == "AUDITOR":
            continue
        client = verified_login(Client(), user)
        for url in ROUTES:
            assert client.get(url).status_code == 403, (role, url)
        _token, raw = ApiToken.issue(user, days=1)
        assert Client(HTTP_AUTHORIZATION=f"Token {raw}").get(API).status_code == 403, role


def test_it_sends_a_visitor_signed_out_to_the_login_page_and_the_api_answers_401(db):
    for url in ROUTES:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().get(API).status_code == 401


def test_it_opens_to_the_auditor_and_her_menu_links_to_it(users):
    client = verified_login(Client(), users["AUDITOR"])
    assert client.get("/audit/").status_code == 200
    assert client.get("/audit/export.csv").status_code == 200
    assert 'href="/audit/"' in client.get("/").content.decode()
    assert 'href="/audit/"' not in verified_login(Client(), users["SWPA"]).get("/").content.decode()

"""Every view of the site refuses a POST without the CSRF token from a logged-in browser session;
the REST API too when it is reached with the session cookie; only an API token (no cookie a
third-party page could ride on) goes without it."""

import pytest
from django.test import Client

from crsv_mis.models import ApiToken
from tests.conftest import verified_login
from tests.security.urls_of_the_site import resolves_to_its_view, site_urls

pytestmark = pytest.mark.django_db


def is_api_view(pattern):
    # DRF's views are csrf_exempt for Django and check the token themselves in SessionAuthentication.
    return hasattr(getattr(pattern.callback, "cls", None), "authentication_classes")


def refused_for_csrf(response):
    return response.status_code == 403 and b"CSRF" in response.content


def refused(pattern, response):
    # An API view answering HTML (the Swagger page) shows DRF's "CSRF Failed" as a bare 403.
    return response.status_code == 403 if is_api_view(pattern) else refused_for_csrf(response)


@pytest.fixture
def browser(users):
    return verified_login(Client(enforce_csrf_checks=True), users["SWPA"])


def test_it_covers_the_whole_site():
    urls = site_urls()
    assert len(urls) > 100
    assert [url for url, pattern in urls if not resolves_to_its_view(url, pattern)] == []


def test_no_view_is_exempt_from_the_csrf_check_but_the_api_which_checks_it_itself():
    exempt = [url for url, pattern in site_urls()
              if getattr(pattern.callback, "csrf_exempt", False) and not is_api_view(pattern)]
    assert exempt == []


def test_every_post_without_the_token_is_refused(browser):
    accepted = [(url, response.status_code) for url, pattern in site_urls()
                if not refused(pattern, response := browser.post(url, {"anything": "1"}))]
    assert accepted == []


def test_the_same_post_with_the_token_is_not_refused_for_csrf(browser):
    browser.get("/")
    token = browser.cookies["csrftoken"].value

    response = browser.post("/notifications/", {"csrfmiddlewaretoken": token})
    api = browser.post("/api/v1/incidents/", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert not refused_for_csrf(response)
    assert api.status_code == 400  # reached the serializer: the empty record is refused on its fields


def test_the_api_with_the_session_cookie_needs_the_token(browser):
    response = browser.post("/api/v1/incidents/", {}, content_type="application/json")

    assert refused_for_csrf(response)


def test_an_api_token_needs_no_csrf_token(users):
    _token, raw = ApiToken.issue(users["WPA"], days=1)

    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/incidents/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {raw}")

    assert response.status_code == 400  # authenticated and validated, not refused for CSRF

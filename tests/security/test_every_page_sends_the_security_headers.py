"""Every URL of the site answers with the CSP (no inline script or style allowed, no framing, forms
only to ourselves) and the other security headers, whatever its status (a page, a 404, a redirect
to the login page)."""

import pytest
from django.test import Client

from tests.conftest import verified_login
from tests.security.urls_of_the_site import site_urls

pytestmark = pytest.mark.django_db


def directives(response):
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def problems_of(response):
    found = []
    if "Content-Security-Policy" not in response.headers:
        return ["no CSP"]
    csp = directives(response)
    for name, expected in (("script-src", ["'self'"]), ("style-src", ["'self'"]), ("default-src", ["'self'"]),
                           ("object-src", ["'none'"]), ("frame-ancestors", ["'none'"]),
                           ("form-action", ["'self'"]), ("base-uri", ["'self'"])):
        if csp.get(name) != expected:
            found.append(f"{name}={csp.get(name)}")
    for header, value in (("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                          ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin")):
        if response.headers.get(header) != value:
            found.append(f"{header}={response.headers.get(header)}")
    return found


@pytest.mark.parametrize("who", ["anonymous", "SWPA", "MARA_CHAIR"])
def test_every_url_answers_with_the_csp_and_the_security_headers(who, users):
    client = Client() if who == "anonymous" else verified_login(Client(), users[who])
    statuses = set()
    wrong = []
    for url, _pattern in site_urls():
        response = client.get(url)
        statuses.add(response.status_code)
        if problems := problems_of(response):
            wrong.append((url, response.status_code, problems))
    assert wrong == []
    assert 200 in statuses or who == "anonymous"

"""With the production settings (crsv_mis.production, imported in a fresh interpreter as a deployment
does) a page goes out over HTTPS only: HSTS for a year with subdomains, HTTP redirected, the session
and CSRF cookies Secure and HttpOnly, and the headers of the base settings kept."""

import json
import subprocess
import sys

from django.conf import settings

from tests.crsv_mis.test_production_settings import FIELD_KEY, SECRET, production_env

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings
# No collectstatic here: the manifest storage of production would refuse the stylesheet's name.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
plain = Client().get("/accounts/login/", secure=False)
page = Client().get("/accounts/login/", secure=True)
print(json.dumps({"plain": [plain.status_code, plain.headers.get("Location", "")],
                  "headers": dict(page.headers), "cookies": {k: dict(v) for k, v in page.cookies.items()}}))
"""


def probe():
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env=production_env(SECRET_KEY=SECRET, FIELD_ENCRYPTION_KEYS=FIELD_KEY, ALLOWED_HOSTS="testserver"))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_it_sends_hsts_and_the_security_headers_and_redirects_plain_http():
    seen = probe()

    assert seen["plain"][0] == 301 and seen["plain"][1].startswith("https://")
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_its_csrf_cookie_is_secure_and_http_only():
    cookie = probe()["cookies"]["csrftoken"]

    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] == "Lax"

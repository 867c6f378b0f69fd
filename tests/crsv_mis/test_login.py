"""Signing in: password, then a TOTP code (enrolled with a QR code on first login), lockout, idle expiry, logout."""

import base64
import datetime
import os
import re
from urllib.parse import urlencode, urlsplit

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import TOTP

from crsv_mis.models import AuditEvent, Role, TOTPDevice
from tests.conftest import PASSWORD, make_user

LOGIN_URL = "/accounts/login/"
OTP_URL = "/accounts/2fa/"
SECRET = re.compile(r'<code id="totp-secret">([A-Z2-7]+)</code>')
WRONG_CODE_ERROR = "That code is not valid"
LOCKED_TEXT = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def clean_axes(db):
    axes_reset()
    yield
    axes_reset()


@pytest.fixture
def wpa(mission, stations):
    return make_user("wpa", Role.WPA, mission, [stations["north"]])


@pytest.fixture
def hro(mission, stations):
    return make_user("hro", Role.HRO, mission, [stations["north"]])


def code_for(key, device, drift=0):
    """The code an authenticator app holding `key` shows now."""
    token = TOTP(key, step=device.step, t0=device.t0, digits=device.digits, drift=drift).token()
    return f"{token:0{device.digits}d}"


def key_from_page(html):
    match = SECRET.search(html)
    assert match, "the enrolment page shows no key"
    secret = match.group(1)
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def wrong_code(key, device):
    valid = {code_for(key, device, drift) for drift in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid)


def path_of(response):
    """Where a redirect goes, without its query string."""
    assert response.status_code == 302, response.status_code
    return urlsplit(response["Location"]).path


def password_step(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def enrol(client, user):
    """Password, then read the key off the enrolment page and send the current code."""
    response = password_step(client, user.username)
    assert path_of(response) == OTP_URL
    otp_page = response["Location"]
    key = key_from_page(client.get(otp_page).content.decode())
    device = TOTPDevice.objects.get(user=user)
    response = client.post(otp_page, {"token": code_for(key, device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return key, response


def actions(user):
    return list(AuditEvent.objects.filter(user=user).values_list("action", flat=True))


# --- password step and first-login enrolment -------------------------------------------------------------------


def test_password_step_leads_to_enrolment_page_with_qr_code_and_key(client, wpa):
    assert settings.REQUIRE_2FA is True
    response = password_step(client, "wpa")
    assert path_of(response) == OTP_URL

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Set up your authenticator" in html
    assert "<svg" in html
    key = key_from_page(html)
    device = TOTPDevice.objects.get(user=wpa)
    assert device.confirmed is False
    assert key == device.bin_key


def test_valid_code_from_the_page_key_confirms_device_and_reaches_home(client, wpa):
    _key, response = enrol(client, wpa)
    assert path_of(response) == "/"

    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome, wpa" in home.content.decode()
    assert TOTPDevice.objects.get(user=wpa).confirmed is True
    assert client.get("/incidents/").status_code == 200
    recorded = actions(wpa)
    assert "auth.login_password" in recorded
    assert "auth.2fa_enrolled" in recorded
    assert "auth.login" in recorded


def test_wrong_code_shows_error_and_leaves_session_unverified(client, wpa):
    password_step(client, "wpa")
    key = key_from_page(client.get(OTP_URL).content.decode())
    device = TOTPDevice.objects.get(user=wpa)

    response = client.post(OTP_URL, {"token": wrong_code(key, device)})
    html = response.content.decode()
    assert response.status_code == 200
    assert WRONG_CODE_ERROR in html
    assert 'role="alert"' in html
    assert TOTPDevice.objects.get(user=wpa).confirmed is False
    assert path_of(client.get("/incidents/")) == OTP_URL
    recorded = actions(wpa)
    assert "auth.2fa_failed" in recorded
    assert "auth.login" not in recorded


def test_password_only_session_reaches_neither_pages_nor_api(client, wpa):
    password_step(client, "wpa")

    for path in ("/", "/incidents/", "/incidents/new/"):
        assert path_of(client.get(path)) == OTP_URL, path
    api = client.get("/api/v1/incidents/")
    assert api.status_code == 401
    assert "Two-factor" in api.json()["detail"]

    # The same session, once the code is given, reaches both.
    key = key_from_page(client.get(OTP_URL).content.decode())
    client.post(OTP_URL, {"token": code_for(key, TOTPDevice.objects.get(user=wpa))})
    assert client.get("/incidents/").status_code == 200
    assert client.get("/api/v1/incidents/").status_code == 200


def test_second_login_asks_for_the_code_without_qr_code(client, wpa):
    device = TOTPDevice.objects.create(user=wpa, name="phone", confirmed=True)

    response = password_step(client, "wpa")
    assert path_of(response) == OTP_URL
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Enter the 6-digit code from your authenticator app" in html
    assert "<svg" not in html
    assert 'id="totp-secret"' not in html
    assert base64.b32encode(device.bin_key).decode().rstrip("=") not in html
    assert TOTPDevice.objects.filter(user=wpa).count() == 1

    response = client.post(OTP_URL, {"token": code_for(device.bin_key, device)})
    assert path_of(response) == "/"
    assert client.get("/").status_code == 200


def test_without_required_2fa_the_password_alone_signs_in(client, wpa):
    with override_settings(REQUIRE_2FA=False):
        response = password_step(client, "wpa")
        assert path_of(response) == "/"
        home = client.get("/")
        assert home.status_code == 200
        assert "Welcome, wpa" in home.content.decode()
        assert client.get("/incidents/").status_code == 200
    assert not TOTPDevice.objects.filter(user=wpa).exists()
    assert "auth.login_password" in actions(wpa)


def test_after_login_the_user_returns_to_the_page_first_asked_for(client, wpa):
    """A link to a page, opened while signed out, leads there once password and code are given."""
    asked = client.get("/incidents/")
    assert asked.status_code == 302
    assert asked["Location"] == f"{LOGIN_URL}?next=/incidents/"

    response = password_step(client, "wpa", next="/incidents/")
    assert path_of(response) == OTP_URL
    otp_page = response["Location"]
    key = key_from_page(client.get(otp_page).content.decode())
    response = client.post(otp_page, {"token": code_for(key, TOTPDevice.objects.get(user=wpa))})
    assert response.status_code == 302
    assert response["Location"] == "/incidents/"


@pytest.mark.parametrize("target", ["https://evil.example/phish", "//evil.example/phish"])
def test_second_factor_page_does_not_redirect_to_another_site(client, wpa, target):
    password_step(client, "wpa")
    crafted = f"{OTP_URL}?{urlencode({'next': target})}"
    key = key_from_page(client.get(crafted).content.decode())

    response = client.post(crafted, {"token": code_for(key, TOTPDevice.objects.get(user=wpa))})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"].startswith("/")
    assert not response["Location"].startswith("//")


# --- lockout ----------------------------------------------------------------------------------------------------


def test_fewer_failures_than_the_limit_do_not_lock_the_account(client, wpa):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        failed = password_step(client, "wpa", password="not-the-password")
        assert failed.status_code == 200
        assert "Please enter a correct username and password" in failed.content.decode()
    assert path_of(password_step(client, "wpa")) == OTP_URL


def test_repeated_failures_lock_the_account_even_against_the_right_password(client, wpa, hro):
    if not os.environ.get("AXES_FAILURE_LIMIT"):
        assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_step(client, "wpa", password="not-the-password")

    response = password_step(client, "wpa")
    html = response.content.decode()
    assert response.status_code == 429
    assert "Account locked" in html
    assert LOCKED_TEXT in html
    assert "_auth_user_id" not in client.session
    assert path_of(client.get("/")) == LOGIN_URL
    assert not TOTPDevice.objects.filter(user=wpa).exists()

    # Locked for this account from this address only: a colleague behind the same address still signs in.
    assert path_of(password_step(client, "hro")) == OTP_URL


# --- idle expiry and logout -------------------------------------------------------------------------------------


def test_session_lifetime_is_the_idle_timeout_renewed_on_every_request():
    if not os.environ.get("SESSION_IDLE_SECONDS"):
        assert settings.SESSION_IDLE_SECONDS == 1800
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_SECONDS
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def _stored_session(client):
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_activity_pushes_the_idle_expiry_forward(client, wpa):
    enrol(client, wpa)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(seconds=60))

    assert client.get("/").status_code == 200
    renewed = _stored_session(client).expire_date
    assert renewed > timezone.now() + datetime.timedelta(seconds=settings.SESSION_IDLE_SECONDS - 60)


def test_idle_session_expires_and_no_longer_reaches_home(client, wpa):
    enrol(client, wpa)
    assert client.get("/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    past = timezone.now() - datetime.timedelta(seconds=1)
    updated = Session.objects.filter(session_key=key).update(expire_date=past)
    assert updated == 1

    assert path_of(client.get("/")) == LOGIN_URL
    assert client.get("/api/v1/incidents/").status_code in (401, 403)


def test_logout_ends_the_session(client, wpa):
    enrol(client, wpa)
    assert client.get("/").status_code == 200

    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[0] == (LOGIN_URL, 302)
    assert "You are signed out." in response.content.decode()
    assert path_of(client.get("/")) == LOGIN_URL
    assert path_of(client.get("/incidents/")) == LOGIN_URL
    assert "auth.logout" in actions(wpa)


def test_logout_is_post_only(client, wpa):
    enrol(client, wpa)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200

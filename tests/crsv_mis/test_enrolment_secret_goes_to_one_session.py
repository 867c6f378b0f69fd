"""The authenticator secret of a first sign-in goes to one session, once. Whoever knows a new account's
first password (the administrator who set it, anyone it was passed on to) can open the enrolment page
before the owner: what they read there must not be the secret the owner then enrols, and the owner's
enrolment ends their session and the account's API tokens."""

import pytest
from axes.utils import reset as axes_reset
from django.test import Client

from crsv_mis.models import ApiToken, TOTPDevice
from tests.crsv_mis.test_login import OTP_URL, code_for, key_from_page, password_step, path_of

pytestmark = pytest.mark.django_db
LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def clean_axes(db):
    axes_reset()
    yield
    axes_reset()


def enrolment_key(client, username="wpa"):
    """Password, then the key the enrolment page shows to this session."""
    assert path_of(password_step(client, username)) == OTP_URL
    return key_from_page(client.get(OTP_URL).content.decode())


def send_code(client, key):
    device = TOTPDevice.objects.filter(user__username="wpa").first()
    return client.post(OTP_URL, {"token": code_for(key, device)})


def verified(client):
    return client.get("/incidents/").status_code == 200


def test_it_shows_the_owner_another_secret_than_the_one_an_earlier_session_read(users):
    insider, owner = Client(), Client()
    read_early = enrolment_key(insider)

    enrolled = enrolment_key(owner)

    assert enrolled != read_early
    assert path_of(send_code(owner, enrolled)) == "/"
    assert verified(owner)


def test_it_leaves_the_earlier_reader_no_working_code_once_the_owner_enrols(users):
    insider, owner = Client(), Client()
    read_early = enrolment_key(insider)
    assert path_of(send_code(owner, enrolment_key(owner))) == "/"

    assert path_of(insider.get(OTP_URL)) == LOGIN_URL  # their session ended with the enrolment

    again = Client()
    assert path_of(password_step(again, "wpa")) == OTP_URL
    answer = send_code(again, read_early)
    assert answer.status_code == 200 and "That code is not valid" in answer.content.decode()
    assert not verified(again)
    assert TOTPDevice.objects.filter(user=users["WPA"]).count() == 1


def test_it_refuses_a_code_of_a_secret_another_session_replaced(users):
    insider, owner = Client(), Client()
    read_early = enrolment_key(insider)
    enrolment_key(owner)

    answer = send_code(insider, read_early)

    assert answer.status_code == 200 and "replaced by a newer one" in answer.content.decode()
    assert not verified(insider)
    assert not TOTPDevice.objects.filter(user=users["WPA"], confirmed=True).exists()


def test_it_makes_a_new_secret_each_time_the_page_opens_and_shows_it_once(users):
    client = Client()
    first = enrolment_key(client)
    page = client.get(OTP_URL).content.decode()
    second = key_from_page(page)
    assert second != first
    assert TOTPDevice.objects.filter(user=users["WPA"]).count() == 1

    device = TOTPDevice.objects.get(user=users["WPA"])
    assert code_for(first, device) != code_for(second, device)
    refused = send_code(client, first).content.decode()
    assert "That code is not valid" in refused
    assert 'id="totp-secret"' not in refused and "<svg" not in refused
    assert not verified(client)


def test_it_ends_the_accounts_other_sessions_and_api_tokens_on_enrolment(users):
    insider, owner, colleague = Client(), Client(), Client()
    enrolment_key(insider)
    _token, raw = ApiToken.issue(users["WPA"], days=30)
    assert Client().get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    assert path_of(password_step(colleague, "hro")) == OTP_URL

    assert path_of(send_code(owner, enrolment_key(owner))) == "/"

    assert path_of(insider.get(OTP_URL)) == LOGIN_URL
    assert Client().get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    assert verified(owner)
    assert colleague.get(OTP_URL).status_code == 200  # another account's session is left alone

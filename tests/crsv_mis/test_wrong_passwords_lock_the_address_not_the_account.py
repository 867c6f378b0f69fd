"""Wrong passwords lock the account from the address they came from, for a cool-off: someone guessing
stops there, but nobody can lock a colleague (the SWPA, the auditor) out of their own account by
typing wrong passwords for it, and no lock lasts until an administrator lifts it."""

import datetime

import pytest
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN_URL = "/accounts/login/"
OTP_URL = "/accounts/2fa/"
ATTACKER = "198.51.100.7"
OWNER = "203.0.113.25"


@pytest.fixture(autouse=True)
def clean_axes(db):
    axes_reset()
    yield
    axes_reset()


def sign_in(client, username, address, password=PASSWORD, **headers):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def reaches_the_code_page(response):
    return response.status_code == 302 and response["Location"].startswith(OTP_URL)


def locked(response):
    return response.status_code == 429 and "Too many failed sign-in attempts" in response.content.decode()


def guess_until_locked(client, username, address, **headers):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, username, address, password="not-the-password", **headers).status_code == 200
    assert locked(sign_in(client, username, address, password="not-the-password", **headers))
    assert locked(sign_in(client, username, address, **headers))


@pytest.mark.parametrize("role", ["SWPA", "AUDITOR", "ADMIN"])
def test_it_lets_the_person_sign_in_from_their_own_address_while_a_guesser_is_locked(role, users, client):
    username = users[role].username
    guess_until_locked(client, username, ATTACKER)

    assert reaches_the_code_page(sign_in(client.__class__(), username, OWNER))
    assert locked(sign_in(client.__class__(), username, ATTACKER))


def test_it_ends_the_guessers_lock_after_the_cool_off(users, client):
    guess_until_locked(client, "swpa", ATTACKER)
    assert settings.AXES_COOLOFF_TIME and settings.AXES_COOLOFF_TIME <= datetime.timedelta(hours=1)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"Try again in {minutes} minutes." in sign_in(client, "swpa", ATTACKER).content.decode()

    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time
                                 - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1))

    assert reaches_the_code_page(sign_in(client.__class__(), "swpa", ATTACKER))


def test_it_keeps_the_guesser_locked_whatever_forwarded_address_they_claim(users, client):
    """Without a proxy of ours in front (TRUSTED_PROXY_COUNT 0), X-Forwarded-For is the caller's own
    text: changing it does not make a new address."""
    assert settings.TRUSTED_PROXY_COUNT == 0
    guess_until_locked(client, "swpa", ATTACKER)

    for forged in ("192.0.2.1", "192.0.2.2", f"{OWNER}, 192.0.2.3"):
        assert locked(sign_in(client, "swpa", ATTACKER, HTTP_X_FORWARDED_FOR=forged)), forged


def test_it_locks_each_address_behind_our_proxies_on_its_own(users, client, settings):
    """Behind our own proxy every request comes from the proxy's address: the lock follows the
    address the proxy saw, as the audit trail does, not the proxy's."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    guess_until_locked(client, "swpa", proxy, HTTP_X_FORWARDED_FOR=ATTACKER)

    assert reaches_the_code_page(sign_in(client.__class__(), "swpa", proxy, HTTP_X_FORWARDED_FOR=OWNER))
    assert locked(sign_in(client.__class__(), "swpa", proxy, HTTP_X_FORWARDED_FOR=f"{OWNER}, {ATTACKER}"))

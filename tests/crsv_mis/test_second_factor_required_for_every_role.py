"""The second factor is required of every role, not only of those who read survivor data: production
settings force it on, and with it on (as production has it) a session past the password alone reaches
no page, no API route and not the Django admin, whatever the role."""

import subprocess
import sys

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings

from crsv_mis.models import Role
from tests.conftest import PASSWORD, make_user
from tests.crsv_mis.test_production_settings import FIELD_KEY, SECRET, production_env

pytestmark = pytest.mark.django_db
OTP_URL = "/accounts/2fa/"
PAGES = ["/", "/incidents/", "/mara/", "/reports/", "/referrals/", "/alerts/new/", "/help/", "/django-admin/",
         "/django-admin/crsv_mis/user/"]
API = ["/api/v1/incidents/", "/api/v1/locations/", "/api/v1/stats/trends/"]
SETUP = ("import django; django.setup(); from django.conf import settings as s; "
         "print(s.REQUIRE_2FA, 'crsv_mis.middleware.SecondFactorRequiredMiddleware' in s.MIDDLEWARE)")


@pytest.fixture(autouse=True)
def clean_axes(db):
    axes_reset()
    yield
    axes_reset()


def test_it_is_forced_on_with_its_middleware_in_production_settings():
    env = production_env(SECRET_KEY=SECRET, FIELD_ENCRYPTION_KEYS=FIELD_KEY, REQUIRE_2FA="0")

    result = subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=settings.BASE_DIR,  # noqa: S603
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


@pytest.mark.parametrize("role", Role.values)
def test_a_password_only_session_of_the_role_reaches_nothing_but_the_code_page(role, client, mission, stations):
    assert settings.REQUIRE_2FA is True
    make_user("someone", role, mission, [stations["north"]])

    response = client.post("/accounts/login/", {"username": "someone", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(OTP_URL)

    for page in PAGES:
        answer = client.get(page)
        assert answer.status_code == 302 and answer["Location"].startswith(OTP_URL), (role, page)
    for route in API:
        answer = client.get(route)
        assert answer.status_code == 401, (role, route)
        assert "Two-factor" in answer.json()["detail"]
    assert client.get(OTP_URL).status_code == 200

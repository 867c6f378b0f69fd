"""Deactivating an account ends its sessions and revokes its API tokens, however it is deactivated
(the admin site, a service saving the account): reactivated later, the account starts with none of
them, and a session or token taken from it before stays dead."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from crsv_mis.models import ApiToken
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db
API = "/api/v1/locations/"


def signed_in(user):
    client = verified_login(Client(), user)
    assert client.get("/").status_code == 200
    return client


def signed_out(client):
    home = client.get("/")
    return home.status_code == 302 and home["Location"].startswith("/accounts/login/")


def with_token(raw):
    return Client().get(API, HTTP_AUTHORIZATION=f"Token {raw}").status_code


def deactivate_in_the_admin_site(admin, user):
    response = admin.post(f"/django-admin/crsv_mis/user/{user.pk}/change/", {
        "username": user.username, "first_name": "", "last_name": "", "email": "", "language": "en",
        "role": user.role, "mission": user.mission_id, "duty_stations": [s.pk for s in user.duty_stations.all()],
    })  # is_active left unticked
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active


def reactivate(user):
    user.is_active = True
    user.save()


def test_it_keeps_the_sessions_of_a_reactivated_account_ended(users):
    office, phone = signed_in(users["SWPA"]), signed_in(users["SWPA"])
    colleague = signed_in(users["HRO"])

    deactivate_in_the_admin_site(signed_in(users["ADMIN"]), users["SWPA"])
    reactivate(users["SWPA"])

    assert signed_out(office) and signed_out(phone)
    assert colleague.get("/").status_code == 200


def test_it_deletes_the_stored_sessions_of_a_deactivated_account(users):
    signed_in(users["WPA"])
    sessions_before = Session.objects.count()

    users["WPA"].is_active = False
    users["WPA"].save()

    assert Session.objects.count() == sessions_before - 1


def test_it_keeps_the_api_tokens_of_a_reactivated_account_revoked(users):
    _token, raw = ApiToken.issue(users["WPA"], days=30)
    _other, colleague_raw = ApiToken.issue(users["HRO"], days=30)
    assert with_token(raw) == 200

    users["WPA"].is_active = False
    users["WPA"].save()
    reactivate(users["WPA"])

    assert with_token(raw) == 401
    assert with_token(colleague_raw) == 200
    _new, fresh = ApiToken.issue(users["WPA"], days=30)
    assert with_token(fresh) == 200


def test_it_leaves_the_sessions_alone_when_an_active_account_is_saved(users):
    office = signed_in(users["WPA"])
    _token, raw = ApiToken.issue(users["WPA"], days=30)

    users["WPA"].first_name = "Testname"
    users["WPA"].save()

    assert office.get("/").status_code == 200
    assert with_token(raw) == 200

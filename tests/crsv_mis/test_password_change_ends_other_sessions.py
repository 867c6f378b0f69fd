"""Changing a password signs the account out everywhere else: every session keeps a hash of the
password it was opened with (Django's session auth hash), so a session opened before the change no
longer reaches a page or the API. The administrator's own change keeps the session that made it."""

import pytest
from django.test import Client

from crsv_mis.models import ApiToken, AuditEvent
from tests.conftest import PASSWORD, verified_login

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Lantern-okapi-river-2027"


def signed_in(user):
    client = verified_login(Client(), user)
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/locations/").status_code == 200
    return client


def signed_out(client):
    home = client.get("/")
    return home.status_code == 302 and home["Location"].startswith("/accounts/login/") \
        and client.get("/api/v1/locations/").status_code in (401, 403)


def reset_by_admin(admin_client, user, password=NEW_PASSWORD):
    return admin_client.post(f"/django-admin/crsv_mis/user/{user.pk}/password/",
                             {"password1": password, "password2": password, "usable_password": "true"})


def test_it_ends_every_session_of_a_person_whose_password_an_administrator_resets(users):
    office, phone = signed_in(users["WPA"]), signed_in(users["WPA"])
    colleague = signed_in(users["HRO"])

    response = reset_by_admin(signed_in(users["ADMIN"]), users["WPA"])

    assert response.status_code == 302, response.content.decode()[:2000]
    assert signed_out(office) and signed_out(phone)
    assert colleague.get("/").status_code == 200
    users["WPA"].refresh_from_db()
    assert users["WPA"].check_password(NEW_PASSWORD)


def test_it_records_the_reset_in_the_audit_trail_without_the_password(users):
    reset_by_admin(signed_in(users["ADMIN"]), users["WPA"])

    event = AuditEvent.objects.get(action="user.password_set")
    assert event.user == users["ADMIN"]
    assert event.object_id == str(users["WPA"].pk)
    assert NEW_PASSWORD not in str(event.detail)


def test_it_refuses_a_weak_password_and_leaves_the_sessions_alone(users):
    office = signed_in(users["WPA"])

    response = reset_by_admin(signed_in(users["ADMIN"]), users["WPA"], password="short1")

    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert office.get("/").status_code == 200
    users["WPA"].refresh_from_db()
    assert users["WPA"].check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_set").exists()


def test_it_keeps_the_administrators_own_session_and_ends_their_others(users):
    here, elsewhere = signed_in(users["ADMIN"]), signed_in(users["ADMIN"])

    response = here.post("/django-admin/password_change/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 302, response.content.decode()[:2000]
    assert here.get("/django-admin/").status_code == 200
    assert signed_out(elsewhere)


def test_it_ends_the_sessions_of_a_password_changed_outside_the_admin_site(users):
    """Any way a password changes (a command, a service) goes through set_password: same effect."""
    office = signed_in(users["MARA_CHAIR"])

    users["MARA_CHAIR"].set_password(NEW_PASSWORD)
    users["MARA_CHAIR"].save()

    assert signed_out(office)


def test_it_ends_the_sessions_of_a_deactivated_account(users):
    office = signed_in(users["SWPA"])

    users["SWPA"].is_active = False
    users["SWPA"].save()

    assert signed_out(office)


def test_it_revokes_the_api_tokens_of_a_person_whose_password_changes(users, client):
    _old, raw = ApiToken.issue(users["WPA"], days=30)
    _other, colleague_raw = ApiToken.issue(users["HRO"], days=30)
    assert client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200

    reset_by_admin(signed_in(users["ADMIN"]), users["WPA"])

    assert client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401
    assert client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {colleague_raw}").status_code == 200
    _new, fresh = ApiToken.issue(users["WPA"], days=30)
    assert client.get("/api/v1/locations/", HTTP_AUTHORIZATION=f"Token {fresh}").status_code == 200

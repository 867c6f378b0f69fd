"""The ADMIN role manages accounts and reference data in the Django admin, and nothing else."""

import pytest

from crsv_mis.models import AuditEvent, Role, User


@pytest.mark.django_db
def test_it_lets_an_admin_manage_users_and_reference_data(login, users):
    client = login(users["ADMIN"])
    for url in ["/django-admin/", "/django-admin/crsv_mis/user/", "/django-admin/crsv_mis/user/add/",
                "/django-admin/crsv_mis/dutystation/", "/django-admin/crsv_mis/location/",
                "/django-admin/incidents/party/"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_it_offers_no_survivor_data_in_the_admin_site(login, users, make_incident):
    make_incident()
    client = login(users["ADMIN"])
    index = client.get("/django-admin/").content.decode()
    for model in ("incident", "victim", "consent", "perpetrator", "auditevent"):
        assert f"/django-admin/incidents/{model}/" not in index
        assert client.get(f"/django-admin/incidents/{model}/").status_code == 404


@pytest.mark.django_db
def test_it_creates_a_user_with_a_role_and_audits_it(login, users, stations):
    client = login(users["ADMIN"])
    response = client.post("/django-admin/crsv_mis/user/add/", {
        "username": "new_lead", "password1": "a-long-passphrase-2026", "password2": "a-long-passphrase-2026",
        "usable_password": "true", "role": Role.LEADERSHIP, "mission": users["ADMIN"].mission_id,
        "duty_stations": [stations["south"].pk],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="new_lead")
    assert created.role == Role.LEADERSHIP and not created.is_superuser and not created.is_staff
    assert created.mission == users["ADMIN"].mission
    assert AuditEvent.objects.filter(action="user.create", object_id=str(created.pk)).exists()


@pytest.mark.django_db
def test_it_keeps_other_roles_out_of_the_admin_site(login, users):
    for role in ("SWPA", "WPA", "MARA_CHAIR", "LEADERSHIP", "AUDITOR"):
        client = login(users[role])
        assert client.get("/django-admin/crsv_mis/user/").status_code == 302, role

"""An administrator cannot give anyone, themself included, a role that reads survivor data: the
Django admin and the command line only ask; an SWPA of the mission, other than the requester and
the person, approves on the role requests page; both steps are audited; the models refuse any save
that skips it."""

import pytest
from django.db import transaction

from crsv_mis import access, roles
from crsv_mis.models import AuditEvent, GrantState, Mission, Role, RoleGrant, RoleNeedsApproval, User
from tests.conftest import make_user

PASSPHRASE = "a-long-passphrase-2026"


def _add_in_admin(client, username, role, stations):
    return client.post("/django-admin/crsv_mis/user/add/", {
        "username": username, "password1": PASSPHRASE, "password2": PASSPHRASE, "usable_password": "true",
        "role": role, "duty_stations": [s.pk for s in stations]})


def _change_in_admin(client, user, role, stations):
    return client.post(f"/django-admin/crsv_mis/user/{user.pk}/change/", {
        "username": user.username, "first_name": "", "last_name": "", "email": "", "language": "en",
        "role": role, "mission": user.mission_id, "duty_stations": [s.pk for s in stations], "is_active": "on"})


@pytest.mark.django_db
def test_it_keeps_a_data_role_created_in_the_django_admin_waiting_for_approval(login, users, stations,
                                                                                make_incident):
    make_incident()
    response = _add_in_admin(login(users["ADMIN"]), "helper", Role.WPA, [stations["north"]])

    assert response.status_code == 302
    helper = User.objects.get(username="helper")
    assert helper.role == "" and not helper.duty_stations.exists()
    assert not access.incidents_visible_to(helper).exists()
    grant = RoleGrant.objects.get(user=helper)
    assert (grant.role, grant.state, grant.requested_by) == (Role.WPA, GrantState.PENDING, users["ADMIN"])
    request = AuditEvent.objects.get(action="role.request")
    assert (request.user, request.object_id, request.detail["role"]) == (users["ADMIN"], str(helper.pk), "WPA")


@pytest.mark.django_db
def test_it_keeps_an_admin_who_gives_themself_the_swpa_role_an_admin(login, users, make_incident):
    make_incident()
    admin = users["ADMIN"]

    response = _change_in_admin(login(admin), admin, Role.SWPA, [])

    assert response.status_code == 302
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert not access.incidents_visible_to(admin).exists()
    assert RoleGrant.objects.get(user=admin).state == GrantState.PENDING


@pytest.mark.django_db
def test_it_asks_approval_for_another_duty_station_and_narrows_at_once(login, users, stations):
    wpa, client = users["WPA"], login(users["ADMIN"])

    _change_in_admin(client, wpa, Role.WPA, [stations["north"], stations["south"]])
    assert list(wpa.duty_stations.all()) == [stations["north"]]
    assert list(RoleGrant.objects.get(user=wpa, state=GrantState.PENDING).duty_stations.all()) == [
        stations["north"], stations["south"]]

    _change_in_admin(client, wpa, Role.WPA, [])
    assert not wpa.duty_stations.exists()
    assert RoleGrant.objects.get(user=wpa).state == GrantState.WITHDRAWN


@pytest.mark.django_db
def test_it_refuses_a_data_role_saved_any_other_way(users, stations, mission):
    with pytest.raises(RoleNeedsApproval):
        User.objects.create_user(username="direct", password=PASSPHRASE, role=Role.HRO, mission=mission)
    admin = users["ADMIN"]
    admin.role = Role.SWPA
    with pytest.raises(RoleNeedsApproval):
        admin.save()
    with pytest.raises(RoleNeedsApproval), transaction.atomic():
        users["WPA"].duty_stations.add(stations["south"])
    with pytest.raises(RoleNeedsApproval), transaction.atomic():
        stations["south"].officers.add(users["HRO"])
    other = Mission.objects.create(code="ELSE", name="Elsewhere")
    hro = users["HRO"]
    hro.mission = other
    with pytest.raises(RoleNeedsApproval):
        hro.save()
    assert User.objects.get(pk=admin.pk).role == Role.ADMIN
    assert list(users["WPA"].duty_stations.all()) == [stations["north"]]


@pytest.mark.django_db
def test_it_gives_the_role_when_an_swpa_approves_it_and_audits_both_steps(login, users, stations):
    _add_in_admin(login(users["ADMIN"]), "helper", Role.HRO, [stations["south"]])
    grant = RoleGrant.objects.get(user__username="helper")
    client = login(users["SWPA"])
    assert "helper" in client.get("/accounts/role-requests/").content.decode()

    response = client.post("/accounts/role-requests/", {"grant": grant.pk, "decision": "approve"})

    assert response.status_code == 302
    helper = User.objects.get(username="helper")
    assert helper.role == Role.HRO and list(helper.duty_stations.all()) == [stations["south"]]
    approval = AuditEvent.objects.get(action="role.approve")
    assert (approval.user, approval.detail["requested_by"]) == (users["SWPA"], "admin")
    assert AuditEvent.objects.filter(action="role.request", object_id=str(helper.pk)).exists()


@pytest.mark.django_db
def test_it_leaves_a_declined_role_ungiven(login, users, stations):
    _add_in_admin(login(users["ADMIN"]), "helper", Role.MARA_MEMBER, [])
    grant = RoleGrant.objects.get(user__username="helper")

    login(users["SWPA"]).post("/accounts/role-requests/", {"grant": grant.pk, "decision": "decline"})

    assert User.objects.get(username="helper").role == ""
    assert AuditEvent.objects.get(action="role.decline").user == users["SWPA"]


@pytest.mark.django_db
def test_it_lets_neither_the_requester_nor_the_person_approve(users, stations, mission):
    swpa = users["SWPA"]
    asked_by_swpa = roles.assign(users["LEADERSHIP"], role=Role.WPA, mission=mission,
                                 duty_stations=[stations["north"]], by=swpa)
    for_swpa_herself = roles.assign(swpa, role=Role.SWPA, mission=mission,
                                    duty_stations=[stations["north"]], by=users["ADMIN"])

    for grant in (asked_by_swpa, for_swpa_herself):
        with pytest.raises(ValueError):
            roles.approve(grant, by=swpa)
    assert User.objects.get(pk=users["LEADERSHIP"].pk).role == Role.LEADERSHIP
    assert not swpa.duty_stations.exists()

    second = make_user("swpa_two", Role.SWPA, mission)
    roles.approve(for_swpa_herself, by=second)
    assert list(swpa.duty_stations.all()) == [stations["north"]]


@pytest.mark.django_db
def test_it_keeps_an_swpa_of_another_mission_and_other_roles_from_deciding(login, users, stations):
    _add_in_admin(login(users["ADMIN"]), "helper", Role.WPA, [stations["north"]])
    grant = RoleGrant.objects.get(user__username="helper")
    far_swpa = make_user("far_swpa", Role.SWPA, Mission.objects.create(code="FAR", name="Far mission"))

    assert login(far_swpa).post("/accounts/role-requests/",
                                {"grant": grant.pk, "decision": "approve"}).status_code == 400
    for role in ("ADMIN", "WPA", "HRO", "AUDITOR"):
        assert login(users[role]).post("/accounts/role-requests/",
                                       {"grant": grant.pk, "decision": "approve"}).status_code == 403
    assert User.objects.get(username="helper").role == ""

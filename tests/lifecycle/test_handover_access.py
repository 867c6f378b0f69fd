"""Who may open a station's handover page and hand work over: the station's WPA and HRO (their own
work, their own stations) and the mission's SWPA (anyone's, every station). Other roles get 403; a
station outside the person's scope, or of another mission, 404."""

import pytest

from crsv_mis.models import DutyStation, Mission, Role
from tests.conftest import make_user
from tests.lifecycle.handover_fixtures import held_by, post_confirm, post_preview

pytestmark = pytest.mark.django_db

NO_HANDOVER_ROLES = ["MARA_CHAIR", "MARA_MEMBER", "REFERRAL_FOCAL_POINT", "LEADERSHIP", "FIELD_REPORTER", "ADMIN",
                     "AUDITOR"]


def test_it_answers_403_to_roles_without_a_handover_page(login, users, stations, new_officer):
    for role in NO_HANDOVER_ROLES:
        client = login(users[role])

        assert client.get("/handover/").status_code == 403, role
        assert client.get("/handover/north/").status_code == 403, role
        assert post_preview(client, stations["north"], users["WPA"], new_officer).status_code == 403, role
        assert client.post("/handover/north/confirm/", {"outgoing": users["WPA"].pk, "incoming": new_officer.pk,
                                                        "fingerprint": "x"}).status_code == 403, role


def test_it_answers_404_for_a_station_the_officer_is_not_posted_to(login, users, stations, new_officer):
    client = login(users["WPA"])

    assert client.get("/handover/north/").status_code == 200
    assert client.get("/handover/south/").status_code == 404
    assert post_preview(client, stations["south"], users["WPA"], new_officer).status_code == 404
    assert login(users["HRO_SOUTH"]).get("/handover/north/").status_code == 404


def test_it_answers_404_to_the_swpa_of_another_mission(login, users, gazetteer):
    other = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    DutyStation.objects.create(mission=other, code="east", name="East office", location=gazetteer["south"])
    their_swpa = make_user("other_swpa", Role.SWPA, other)

    client = login(their_swpa)

    assert client.get("/handover/north/").status_code == 404
    assert client.get("/handover/east/").status_code == 200


def test_the_swpa_opens_every_station_of_the_mission(login, users):
    client = login(users["SWPA"])

    assert client.get("/handover/north/").status_code == 200
    assert client.get("/handover/south/").status_code == 200
    assert client.get("/handover/").status_code == 200


def test_an_officer_may_not_hand_over_a_colleagues_work(login, users, stations, work, new_officer):
    before = held_by(users["HRO"]), held_by(users["WPA"])
    client = login(users["WPA"])

    preview = post_preview(client, stations["north"], users["HRO"], new_officer)
    confirm = post_confirm(client, stations["north"], users["HRO"], new_officer, by=users["SWPA"])

    assert preview.status_code == 400 and confirm.status_code == 400
    assert (held_by(users["HRO"]), held_by(users["WPA"])) == before
    assert held_by(new_officer) == {kind: set() for kind in before[0]}


def test_the_swpa_hands_over_an_officers_work(login, users, stations, work, new_officer):
    response = post_confirm(login(users["SWPA"]), stations["north"], users["WPA"], new_officer, by=users["SWPA"])

    assert response.status_code == 302
    assert held_by(new_officer) == {
        "incidents": {work["open_incident"].pk, work["under_verification"].pk},
        "referrals": {work["open_referral"].pk, work["quiet_referral"].pk},
        "action_points": {work["overdue_point"].pk, work["later_point"].pk}}

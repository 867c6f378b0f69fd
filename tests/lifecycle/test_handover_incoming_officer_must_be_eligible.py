"""The incoming officer must be able to take the work: an active WPA or HRO of the same mission
posted to the station (or the SWPA). Anyone else is refused with a reason, and nothing moves."""

import pytest

from crsv_mis.models import Mission, Role
from tests.conftest import make_user
from tests.lifecycle.handover_fixtures import held_by, post_confirm, post_preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidates(users, stations, mission, gazetteer):
    other = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    gone = make_user("wpa_gone", Role.WPA, mission, [stations["north"]])
    gone.is_active = False
    gone.save()
    return {
        "inactive": (gone, "account is not active"),
        "other_mission": (make_user("wpa_other", Role.WPA, other), "Choose an officer of this mission"),
        "not_posted": (users["HRO_SOUTH"], "is not posted to North office"),
        "wrong_role": (users["MARA_MEMBER"], "role cannot take casework over"),
        "field_reporter_posted_here": (users["FIELD_REPORTER"], "role cannot take casework over"),
        "the_outgoing_officer": (users["WPA"], "other than the outgoing one"),
    }


@pytest.mark.parametrize("case", ["inactive", "other_mission", "not_posted", "wrong_role",
                                  "field_reporter_posted_here", "the_outgoing_officer"])
def test_it_refuses_an_ineligible_incoming_officer_with_the_reason(login, users, stations, work, candidates, case):
    incoming, reason = candidates[case]
    held = held_by(users["WPA"])
    client = login(users["SWPA"])

    preview = post_preview(client, stations["north"], users["WPA"], incoming)
    confirm = post_confirm(client, stations["north"], users["WPA"], incoming, by=users["SWPA"])

    for response in (preview, confirm):
        assert response.status_code == 400
        assert reason in response.content.decode()
    assert held_by(users["WPA"]) == held


def test_it_accepts_the_stations_hro_and_the_swpa(login, users, stations, work):
    client = login(users["SWPA"])

    assert post_preview(client, stations["north"], users["WPA"], users["HRO"]).status_code == 200
    assert post_preview(client, stations["north"], users["WPA"], users["SWPA"]).status_code == 200

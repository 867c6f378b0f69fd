"""MARA action points have no duty station (a meeting is the mission's, with no link to an incident
or a station): a handover moves all of the outgoing officer's open action points and no one else's,
and both the station page and the preview say so."""

import re

import pytest

from crsv_mis.models import Role
from lifecycle import handover
from tests.conftest import make_user
from tests.lifecycle.handover_fixtures import TODAY, action_point, post_confirm, post_preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_station_officer(mission, stations, meeting):
    """An HRO posted to both offices, following up one point (that no model ties to either office)."""
    officer = make_user("hro_both", Role.HRO, mission, [stations["north"], stations["south"]])
    return officer, action_point(meeting, officer, due=TODAY(), description="Synthetic point of hro_both")


def test_the_page_and_the_preview_say_action_points_follow_the_officer(login, users, stations, work):
    client = login(users["WPA"])

    page = client.get("/handover/north/").content.decode()
    preview = post_preview(client, stations["north"], users["WPA"], users["HRO"]).content.decode()

    assert "not to a duty station" in re.search(r'id="action-points-scope">(.*?)</p>', page, re.S).group(1)
    assert "not tied to a duty station" in re.search(r'id="action-points-scope">(.*?)</p>', preview,
                                                     re.S).group(1)


def test_an_officer_of_two_stations_has_her_points_on_both_pages(login, users, two_station_officer):
    officer, point = two_station_officer
    client = login(users["SWPA"])

    for code in ("north", "south"):
        section = re.search(r'id="action-points">(.*?)</section>', client.get(f"/handover/{code}/").content.decode(),
                            re.S).group(1)
        assert point.description in section, code


def test_a_handover_moves_the_outgoing_officers_points_only(login, users, stations, work, two_station_officer):
    officer, point = two_station_officer
    incoming = users["HRO"]

    post_confirm(login(users["SWPA"]), stations["south"], officer, users["HRO_SOUTH"], by=users["SWPA"])

    point.refresh_from_db()
    assert point.assigned_to == users["HRO_SOUTH"]  # handed over at the south office, though not "of" it
    for name in ("overdue_point", "later_point"):  # the WPA's points stay hers
        work[name].refresh_from_db()
        assert work[name].assigned_to == users["WPA"]
    work["south_point"].refresh_from_db()
    assert work["south_point"].assigned_to == users["HRO_SOUTH"]
    assert handover.preview(users["SWPA"], stations["north"], users["WPA"], incoming)[0]["action_points"] == 2

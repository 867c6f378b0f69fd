"""The preview shows how many items of each kind will move, and moves nothing; a change between
the preview and the confirmation is refused and moves nothing either."""

import re

import pytest

from lifecycle import handover
from tests.lifecycle.handover_fixtures import action_point, held_by, post_preview

pytestmark = pytest.mark.django_db


def counts_on(page):
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', page))


def test_it_shows_the_counts_of_each_kind_before_anything_moves(login, users, stations, work, new_officer):
    held = held_by(users["WPA"])

    response = post_preview(login(users["WPA"]), stations["north"], users["WPA"], new_officer)

    assert response.status_code == 200
    assert counts_on(response.content.decode()) == {
        "Incidents awaiting verification": "2", "Open referrals and follow-ups": "2",
        "Unacknowledged alerts routed to the incoming officer": "1", "Open MARA action points": "2"}
    assert held_by(users["WPA"]) == held
    assert held_by(new_officer) == {kind: set() for kind in held}


def test_it_refuses_a_confirmation_when_the_work_changed_since_the_preview(login, users, stations, work, meeting,
                                                                          new_officer):
    client = login(users["WPA"])
    preview = post_preview(client, stations["north"], users["WPA"], new_officer).content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]+)"', preview).group(1)
    action_point(meeting, users["WPA"], due=work["overdue_point"].due_date)  # given to her meanwhile
    held = held_by(users["WPA"])

    response = client.post("/handover/north/confirm/", {"outgoing": users["WPA"].pk, "incoming": new_officer.pk,
                                                        "fingerprint": fingerprint}, follow=True)

    assert "changed since the preview" in response.content.decode()
    assert held_by(users["WPA"]) == held
    assert held_by(new_officer) == {kind: set() for kind in held}


def test_it_says_there_is_nothing_to_hand_over(login, users, stations, new_officer):
    response = post_preview(login(users["SWPA"]), stations["north"], users["HRO"], new_officer)

    assert response.status_code == 200
    assert "There is nothing to hand over." in response.content.decode()
    assert 'action="/handover/north/confirm/"' not in response.content.decode()
    assert handover.preview(users["SWPA"], stations["north"], users["HRO"], new_officer)[0] == {
        kind: 0 for kind in handover.KINDS}

"""After a handover the incoming officer (and the outgoing one) is told, in-app, with a link to the
station's handover page that she can open."""

import pytest

from crsv_mis.models import Notification
from tests.lifecycle.handover_fixtures import post_confirm

pytestmark = pytest.mark.django_db


def test_it_notifies_the_incoming_officer_with_a_link_she_can_open(client, login, users, stations, work,
                                                                  new_officer):
    post_confirm(login(users["SWPA"]), stations["north"], users["WPA"], new_officer, by=users["SWPA"])

    note = Notification.objects.get(user=new_officer, event_key__startswith="handover:")
    assert note.event_key.endswith(":in")
    assert "North office" in note.text and "2 incidents" in note.text and "1 alert" in note.text
    assert note.action == "Open the handover page" and note.url == "/handover/north/"
    client.logout()
    assert login(new_officer).get(note.url).status_code == 200


def test_it_tells_the_outgoing_officer_too(login, users, stations, work, new_officer):
    post_confirm(login(users["WPA"]), stations["north"], users["WPA"], new_officer, by=users["WPA"])

    note = Notification.objects.get(user=users["WPA"], event_key__startswith="handover:")
    assert note.event_key.endswith(":out") and "wpa_new" in note.text

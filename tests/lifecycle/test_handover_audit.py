"""A handover leaves one audit event per item moved (kind, from, to) and one summary event with the
counts, and none of them holds survivor information."""

import pytest

from crsv_mis.models import AuditEvent
from tests.conftest import victim_data
from tests.lifecycle.handover_fixtures import post_confirm, refer

pytestmark = pytest.mark.django_db

MARKERS = {
    "narrative": "Zorvexnarrative synthetic account",
    "name": "Testname Zorvexname",
    "contact": "+000 555 0123 zorvexcontact",
    "coordinates": "7.7777,8.8888",
}


@pytest.fixture
def marked(make_incident, users, clinic, gazetteer):
    gazetteer["hamlet"].name = "Zorvexhamlet"
    gazetteer["hamlet"].save()
    incident = make_incident(narrative=MARKERS["narrative"], coordinates=MARKERS["coordinates"],
                             victims=[victim_data(name=MARKERS["name"], contact=MARKERS["contact"])])
    refer(users, incident, clinic)
    return incident


def test_it_records_one_event_per_item_and_a_summary(login, users, stations, work, new_officer):
    response = post_confirm(login(users["WPA"]), stations["north"], users["WPA"], new_officer, by=users["WPA"])

    assert response.status_code == 302
    moved = AuditEvent.objects.filter(action="handover.reassign")
    assert sorted((e.object_type, int(e.object_id)) for e in moved) == sorted(
        [("incidents.incident", work["open_incident"].pk), ("incidents.incident", work["under_verification"].pk),
         ("referrals.referral", work["open_referral"].pk), ("referrals.referral", work["quiet_referral"].pk),
         ("incidents.alert", work["open_alert"].pk),
         ("mara.actionpoint", work["overdue_point"].pk), ("mara.actionpoint", work["later_point"].pk)])
    for event in moved:
        assert event.user == users["WPA"]
        assert event.detail["from"] == users["WPA"].pk and event.detail["to"] == new_officer.pk
    summary = AuditEvent.objects.get(action="handover.summary")
    assert summary.object_type == "crsv_mis.dutystation" and summary.object_id == str(stations["north"].pk)
    assert summary.detail["counts"] == {"incidents": 2, "referrals": 2, "alerts": 1, "action_points": 2}


def test_its_audit_events_hold_no_survivor_information(login, users, stations, marked, new_officer):
    post_confirm(login(users["WPA"]), stations["north"], users["WPA"], new_officer, by=users["WPA"])

    events = AuditEvent.objects.filter(action__startswith="handover.")
    assert events.filter(action="handover.reassign").count() == 2  # the incident and its referral
    text = " ".join(f"{e.object_ref} {e.reason} {e.detail} {e.object_type} {e.object_id}" for e in events)
    for marker in (*MARKERS.values(), "Zorvexhamlet", "Zorvex"):
        assert marker not in text

"""A disclosure from request to sent, on the pages: a WPA asks, another person (the SWPA) approves,
the file is made and recorded as sent, downloaded; every step is audited, the download with the
checksum of the stored file."""

import hashlib

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent
from reporting.models import Disclosure, DisclosureState
from tests.reporting.disclosure_fixtures import REQUEST, consenting, sheets

BASE = "/reports/disclosures/"


@pytest.fixture
def incident(make_incident):
    return make_incident(victims=[consenting()])


def actions(disclosure):
    return list(AuditEvent.objects.filter(object_type="reporting.disclosure", object_id=str(disclosure.pk))
                .order_by("id").values_list("action", "username"))


def test_a_request_goes_from_the_wpa_to_the_swpa_and_out_with_every_step_audited(users, login, client, incident):
    login(users["WPA"])
    response = client.post(BASE + "new/", {**REQUEST, "items": ["SUMMARY", "VICTIM_PROFILE"],
                                           "incidents": incident.reference})
    disclosure = Disclosure.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BASE}{disclosure.pk}/"
    assert disclosure.state == DisclosureState.REQUESTED and disclosure.requested_by == users["WPA"]
    page = client.get(f"{BASE}{disclosure.pk}/").content.decode()
    assert incident.reference in page and "Consented: goes into the file" in page
    assert f'action="/reports/disclosures/{disclosure.pk}/approve/"' not in page  # a WPA does not decide

    login(users["SWPA"])
    response = client.post(f"{BASE}{disclosure.pk}/approve/", {"version": 1, "note": "Within the consent."})
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert (disclosure.state, disclosure.decided_by, disclosure.version) == (DisclosureState.APPROVED,
                                                                            users["SWPA"], 2)

    login(users["WPA"])
    response = client.post(f"{BASE}{disclosure.pk}/send/", {"version": 2, "sent_on": timezone.localdate().isoformat(),
                                                            "channel": "HAND"})
    assert response.status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.state == DisclosureState.SENT and disclosure.sent_channel == "HAND"
    page = client.get(f"{BASE}{disclosure.pk}/").content.decode()
    assert disclosure.file.sha256 in page

    download = client.get(f"{BASE}{disclosure.pk}/download/")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == disclosure.file.sha256 == download["X-Content-SHA256"]
    rows = sheets(download.content)
    assert [r["Incident reference"] for r in rows["Incidents"]] == [incident.reference]
    assert len(rows["Victims"]) == 1

    assert actions(disclosure) == [
        ("disclosure.request", "wpa"), ("disclosure.view", "wpa"), ("disclosure.approve", "swpa"),
        ("disclosure.send", "wpa"), ("disclosure.view", "wpa"), ("disclosure.download", "wpa")]
    sent = AuditEvent.objects.get(action="disclosure.send")
    assert sent.detail["sha256"] == disclosure.file.sha256
    assert sent.detail["included"] == [incident.victims.get().code]
    assert AuditEvent.objects.get(action="disclosure.download").detail["sha256"] == disclosure.file.sha256
    # The incident's own access log says it was disclosed, and where the record is.
    logged = AuditEvent.objects.get(action="incident.disclose")
    assert (logged.object_ref, logged.detail["disclosure"]) == (incident.reference, disclosure.reference)


def test_the_list_shows_the_request_and_the_state(users, login, client, incident):
    login(users["HRO"])
    client.post(BASE + "new/", {**REQUEST, "items": ["SUMMARY"], "incidents": incident.reference})
    page = client.get(BASE).content.decode()
    assert "Office of the prosecutor, Northmark" in page and "Requested, waiting for the SWPA" in page
    assert AuditEvent.objects.filter(action="disclosure.list", username="hro").exists()


def test_a_request_without_what_is_asked_keeps_what_was_typed_and_says_why(users, login, client, incident):
    login(users["WPA"])
    response = client.post(BASE + "new/", {**REQUEST, "incidents": incident.reference})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Office of the prosecutor, Northmark" in page and "This field is required." in page
    assert not Disclosure.objects.exists()


def test_a_refusal_needs_a_reason_and_is_shown_to_the_requester(users, login, client, incident):
    login(users["WPA"])
    client.post(BASE + "new/", {**REQUEST, "items": ["SUMMARY"], "incidents": incident.reference})
    disclosure = Disclosure.objects.get()
    login(users["SWPA"])
    assert client.post(f"{BASE}{disclosure.pk}/refuse/", {"version": 1, "reason": ""}).status_code == 400
    assert client.post(f"{BASE}{disclosure.pk}/refuse/", {"version": 1, "reason": "Outside the mandate."}
                       ).status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.state == DisclosureState.REFUSED
    login(users["WPA"])
    page = client.get(f"{BASE}{disclosure.pk}/").content.decode()
    assert "Outside the mandate." in page and "Make the file" not in page
    assert AuditEvent.objects.filter(action="disclosure.refuse", username="swpa").exists()


def test_the_requester_can_cancel_before_it_is_sent(users, login, client, incident):
    login(users["WPA"])
    client.post(BASE + "new/", {**REQUEST, "items": ["SUMMARY"], "incidents": incident.reference})
    disclosure = Disclosure.objects.get()
    assert client.post(f"{BASE}{disclosure.pk}/cancel/", {"version": 1, "reason": "Request withdrawn by the body."}
                       ).status_code == 302
    disclosure.refresh_from_db()
    assert disclosure.state == DisclosureState.CANCELLED
    assert client.get(f"{BASE}{disclosure.pk}/download/").status_code == 404
    assert AuditEvent.objects.filter(action="disclosure.cancel", username="wpa").exists()

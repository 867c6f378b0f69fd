"""Reading the audit trail reads no survivor data: events made by officers reading and changing
records whose identifying fields hold marker strings, then the auditor's page, CSV export and API
hold none of them: who, when, what and which reference only. No survivor code reaches the auditor,
nor the reference of a record received under an information-sharing protocol (not even inside the
detail of an event listing it), nor a reason typed by a person."""

import pytest
from django.test import Client
from django.utils import timezone

from crsv_mis.models import ApiToken
from referrals import services as referrals
from referrals.models import Provider, ProviderService
from tests.conftest import verified_login, victim_data

pytestmark = pytest.mark.django_db

MARKERS = {"narrative": "MkAudNarrative7q", "summary": "MkAudSummary7q", "name": "MkAudVictimName7q",
           "contact": "MkAudVictimContact7q", "previously_interviewed_by": "MkAudSeenBy7q"}


def test_it_sends_the_auditor_no_marker_of_a_record_in_the_page_the_csv_or_the_api(users, make_incident):
    survivor = victim_data(name=MARKERS["name"], contact=MARKERS["contact"],
                           previously_interviewed_by=MARKERS["previously_interviewed_by"])
    incident = make_incident(narrative=MARKERS["narrative"], summary=MARKERS["summary"], victims=[survivor])
    officer = verified_login(Client(), users["WPA"])
    for url in (f"/incidents/{incident.reference}/", "/incidents/", f"/incidents/?q={incident.reference}",
                f"/api/v1/incidents/{incident.reference}/", "/api/v1/incidents/"):
        assert officer.get(url).status_code == 200, url
    verified_login(Client(), users["SWPA"]).get(f"/incidents/{incident.reference}/")

    auditor = verified_login(Client(), users["AUDITOR"])
    page = auditor.get("/audit/").content.decode()
    csv_text = b"".join(auditor.get("/audit/export.csv").streaming_content).decode()
    _token, raw = ApiToken.issue(users["AUDITOR"], days=1)
    api_text = Client(HTTP_AUTHORIZATION=f"Token {raw}").get("/api/v1/audit-events/").content.decode()

    # The events were there to read, with the reference they name...
    for text in (page, csv_text, api_text):
        assert "incident.view" in text and incident.reference in text
    # ...and nothing the record says.
    for text in (page, csv_text, api_text):
        assert [m for m in MARKERS.values() if m in text] == []


REASON = "MkAudReasonNamedWitness7q"


def _auditor_reads(users):
    auditor = verified_login(Client(), users["AUDITOR"])
    _token, raw = ApiToken.issue(users["AUDITOR"], days=1)
    return {"page": auditor.get("/audit/").content.decode(),
            "csv": b"".join(auditor.get("/audit/export.csv").streaming_content).decode(),
            "api": Client(HTTP_AUTHORIZATION=f"Token {raw}").get("/api/v1/audit-events/").content.decode()}


def test_it_sends_the_auditor_no_survivor_code_no_isp_reference_and_no_typed_reason(users, make_incident):
    recorded = make_incident()
    received = make_incident(shared_under_isp=True, source_type="HUMANITARIAN_PARTNER")
    victim = recorded.victims.first()
    provider = Provider.objects.create(mission=recorded.mission, name="Clinic (synthetic)",
                                       provider_type="HEALTH_FACILITY")
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    referral = referrals.create_referral(
        by=users["WPA"], victim=victim, service="MEDICAL", provider=provider, urgency="EMERGENCY", note="x",
        send=True, consent_given=True, consent_date=timezone.localdate(), consent_given_by="SURVIVOR")
    officer = verified_login(Client(), users["WPA"])
    # A list naming both records, a referral read, a status changed with a reason naming someone.
    assert officer.get("/incidents/").status_code == 200
    assert officer.get(f"/referrals/{referral.pk}/").status_code == 200
    referrals.change_status(referral, by=users["WPA"], to="LOST_TO_FOLLOW_UP", reason=REASON)

    read = _auditor_reads(users)

    codes = [v.code for v in recorded.victims.all()] + [v.code for v in received.victims.all()]
    for where, text in read.items():
        # The events are there (the list, the referral, its status), with the ordinary reference...
        assert "incident.list" in text and "referral.status" in text and recorded.reference in text, where
        # ...and nothing naming the survivor, the protected record, or typed by the officer.
        assert [value for value in (received.reference, *codes, REASON) if value in text] == [], where

"""Reading the audit trail reads no survivor data: events made by officers reading and changing
records whose identifying fields hold marker strings, then the auditor's page, CSV export and API
hold none of them (who, when, what and which reference only; survivor codes, pseudonyms of records
that some events name, are the trail's subject like references)."""

import pytest
from django.test import Client

from crsv_mis.models import ApiToken
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

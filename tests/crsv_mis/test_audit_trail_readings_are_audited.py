"""Every reading of the audit trail is itself an audit event: the page (audit.view, with the filters
asked), the CSV export (audit.export) and the API (audit.view, api)."""

import pytest
from django.test import Client

from crsv_mis.models import ApiToken, AuditEvent
from tests.crsv_mis import audit_trail_events

pytestmark = pytest.mark.django_db


def _last(action):
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def test_it_records_each_viewing_of_the_page_with_its_filters(users, make_incident):
    audit_trail_events.build(users, make_incident)
    client = audit_trail_events.auditor_client(users)
    client.get("/audit/", {"action": "incident.update", "role": "HRO", "page": "1"})
    event = _last("audit.view")
    assert (event.username, event.role) == ("auditor", "AUDITOR")
    assert event.detail["filters"] == {"action": "incident.update", "role": "HRO"}
    assert event.detail["page"] == 1 and event.detail["count"] == 1
    client.get("/audit/")
    assert AuditEvent.objects.filter(action="audit.view").count() == 2


def test_it_records_each_export_with_its_filters(users, make_incident):
    audit_trail_events.build(users, make_incident)
    client = audit_trail_events.auditor_client(users)
    b"".join(client.get("/audit/export.csv", {"action": "incident.view"}).streaming_content)
    event = _last("audit.export")
    assert event.username == "auditor" and event.detail == {"filters": {"action": "incident.view"}}


def test_it_records_each_reading_through_the_api(users):
    _token, raw = ApiToken.issue(users["AUDITOR"], days=1)
    Client(HTTP_AUTHORIZATION=f"Token {raw}").get("/api/v1/audit-events/", {"role": "WPA"})
    event = _last("audit.view")
    assert event.username == "auditor" and event.detail["api"] is True
    assert event.detail["filters"] == {"role": "WPA"}

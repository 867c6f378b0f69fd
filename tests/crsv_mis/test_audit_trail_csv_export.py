"""The CSV export holds the events of the filters asked, one row each, every cell neutralised so that
a spreadsheet runs no formula a cell may hold."""

import csv
import io

import pytest

from crsv_mis import audit
from incidents.models import Incident
from tests.crsv_mis import audit_trail_events

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("x.invalid","open")'


def _rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_exports_the_filtered_events_as_csv(users, make_incident):
    world = audit_trail_events.build(users, make_incident)
    second = world["second"].reference
    rows = _rows(audit_trail_events.auditor_client(users).get("/audit/export.csv", {"record": second}))
    header, *events = rows
    assert header[:4] == ["at", "person", "role", "action"]
    assert sorted((r[1], r[3], r[6]) for r in events) == [
        ("hro", "incident.create", second), ("hro", "incident.update", second), ("swpa", "incident.archive", second)]


def test_it_neutralises_every_cell_that_a_spreadsheet_would_run(users, make_incident):
    incident = make_incident()
    Incident.objects.filter(pk=incident.pk).update(reference=FORMULA)
    incident.refresh_from_db()
    audit.record("incident.archive", user=users["SWPA"], obj=incident)
    rows = _rows(audit_trail_events.auditor_client(users).get("/audit/export.csv", {"action": "incident.archive"}))
    (event,) = rows[1:]
    assert event[6] == "'" + FORMULA

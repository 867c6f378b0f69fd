"""UN personnel as alleged perpetrator is SEA: intake says so, routes it away, and keeps nothing."""

import datetime
import json

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from crsv_mis.models import AuditEvent
from incidents.models import Consent, Incident, Perpetrator, Victim

NEW_URL = "/incidents/new/"
SEA_NAME = "Testname Sealwort"
SEA_NARRATIVE = "Synthetic narrative Marigoldine: a peacekeeper offered food in exchange for sex."
SEA_CONTACT = "+000 555 0199"


def iso(day):
    return day.isoformat()


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "1", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def sea_post(station, location, perpetrators):
    data = {
        "duty_station": str(station.pk), "incident_date_precision": "DAY", "incident_date": iso(days_ago(10)),
        "incident_date_end": "", "reported_date": iso(days_ago(3)), "location": str(location.pk),
        "site_type": "IDP_OR_POC_SITE", "coordinates": "1.2345,2.3456", "forms": ["OTHER_COMPARABLE"],
        "conflict_nexus": "OTHER", "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE",
        "source_reliability": "B", "source_credibility": "2",
        "summary": "One woman reported sexual exploitation in Ashdale territory.", "narrative": SEA_NARRATIVE,
    }
    data.update(formset("victims", [{
        "id": "", "sex": "FEMALE", "age_years": "24", "age_group": "18-24", "displacement": "IDP",
        "disability": "NO", "name": SEA_NAME, "contact": SEA_CONTACT, "previously_interviewed_by": "",
        "consent_kinds": ["RECORD"], "consent_date": iso(days_ago(2)), "consent_given_by": "SURVIVOR",
        "consent_decided_by": "",
    }]))
    data.update(formset("perpetrators", perpetrators))
    return data


UN = {"party": "", "party_type": "UN_PERSONNEL", "number": "1", "sex": "MALE"}
ARMED = {"party": "", "party_type": "NON_STATE_ARMED_GROUP", "number": "2", "sex": "MALE"}


def counts():
    return (Incident.objects.count(), Victim.objects.count(), Consent.objects.count(), Perpetrator.objects.count())


def assert_sea_page(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert "This is sexual exploitation and abuse (SEA)" in html
    assert "Conduct and Discipline" in html
    assert "Nothing you entered has been stored." in html
    # Nothing typed is echoed back either.
    assert SEA_NAME not in html and "Marigoldine" not in html


def tables_containing(*secrets):
    """Read every table raw (no decryption): which of them hold any of these words."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names come from introspection
            for row in cursor.fetchall():
                text = " ".join(str(cell) for cell in row)
                found += [(table, s) for s in secrets if s in text]
    return found


def assert_stored_nowhere(*secrets):
    """Neither the tables nor the audit trail hold the typed words."""
    assert tables_containing(*secrets) == []
    for event in AuditEvent.objects.all():
        text = json.dumps(event.detail) + event.reason + event.object_ref
        assert not [s for s in secrets if s in text], event.action


@pytest.mark.parametrize("perpetrators", [[UN], [ARMED, UN]], ids=["only-un", "un-in-second-row"])
def test_new_incident_with_un_personnel_is_routed_to_conduct_and_discipline(
        client, users, login, stations, gazetteer, make_incident, perpetrators):
    make_incident()  # an existing CRSV record, which must stay as it is
    before = counts()
    login(users["WPA"])

    response = client.post(NEW_URL, sea_post(stations["north"], gazetteer["hamlet"], perpetrators))

    assert_sea_page(response)
    assert counts() == before
    assert_stored_nowhere(SEA_NAME, "Sealwort", "Marigoldine", SEA_CONTACT)
    # The scan does see plain text that is stored: the existing record's de-identified summary.
    stored = "attack by armed men in Ashdale"
    assert ("incidents_incident", stored) in tables_containing(stored)
    # The page stays usable: the officer can still record a CRSV incident afterwards.
    assert client.get(NEW_URL).status_code == 200


def test_field_reporter_is_routed_too(client, users, login, stations, gazetteer):
    login(users["FIELD_REPORTER"])

    response = client.post(NEW_URL, sea_post(stations["north"], gazetteer["hamlet"], [UN]))

    assert_sea_page(response)
    assert counts() == (0, 0, 0, 0)
    assert_stored_nowhere(SEA_NAME, "Marigoldine")


def test_edit_naming_un_personnel_is_routed_and_changes_nothing(client, users, login, make_incident):
    incident = make_incident()
    victim = incident.victims.get()
    before = counts()
    login(users["WPA"])
    url = reverse("incident_edit", args=[incident.reference])
    assert client.get(url).status_code == 200
    data = {
        "version": "1", "duty_station": str(incident.duty_station_id), "incident_date_precision": "DAY",
        "incident_date": iso(incident.incident_date), "incident_date_end": "",
        "reported_date": iso(incident.reported_date), "location": str(incident.location_id),
        "site_type": incident.site_type, "coordinates": "", "forms": ["RAPE"], "conflict_nexus": "OTHER",
        "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE", "source_reliability": "B",
        "source_credibility": "2", "summary": "Changed summary in Ashdale territory.", "narrative": SEA_NARRATIVE,
    }
    data.update(formset("victims", [{
        "id": str(victim.pk), "sex": "FEMALE", "age_years": "30", "age_group": "25-39", "displacement": "IDP",
        "disability": "NO", "name": SEA_NAME, "contact": SEA_CONTACT, "previously_interviewed_by": "",
        "consent_kinds": ["RECORD"], "consent_date": iso(days_ago(2)), "consent_given_by": "SURVIVOR",
        "consent_decided_by": "",
    }], initial=1))
    data.update(formset("perpetrators", [UN], initial=1))

    response = client.post(url, data)

    assert_sea_page(response)
    assert counts() == before
    incident.refresh_from_db()
    victim.refresh_from_db()
    assert incident.version == 1
    assert incident.narrative == "Synthetic narrative text for tests only."
    assert incident.summary == "One woman reported an attack by armed men in Ashdale territory."
    assert victim.name == "Testname Alpha"
    assert incident.perpetrators.get().party_type == "NON_STATE_ARMED_GROUP"
    assert victim.consents.filter(withdrawn_at__isnull=False).count() == 0
    assert not AuditEvent.objects.filter(action="incident.change").exists()
    assert_stored_nowhere(SEA_NAME, "Sealwort", "Marigoldine", SEA_CONTACT)

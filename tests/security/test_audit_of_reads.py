"""Every view and change of an incident leaves an audit event: who, in which role, what, from where.

The SWPA sees on the record who has viewed or changed it; nobody else does. The audit trail
itself never holds survivor data (codes, field names and counts only).
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from crsv_mis.models import AuditEvent
from incidents.models import Incident
from tests.conftest import victim_data

NARRATIVE = "Synthetic narrative Audittest: fictional text that must never reach the audit trail."
NAME = "Testname Audittest"
CONTACT = "+000 555 0177"
SUMMARY = "A woman was assaulted at a checkpoint in Ashdale territory."
SECTION = "Who has viewed or changed this record"



@pytest.fixture
def incident(make_incident):
    # Recorded by the HRO so that the WPA's username appears on the page only through the audit section.
    return make_incident(by="HRO", narrative=NARRATIVE, summary=SUMMARY, victims=[victim_data(name=NAME)])


def days_ago(days):
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def page_form(stations, gazetteer, party, *, incident=None, **overrides):
    """The intake page's POST: incident fields, one victim row and one perpetrator row."""
    data = {
        "duty_station": stations["north"].pk, "incident_date_precision": "DAY", "incident_date": days_ago(6),
        "incident_date_end": "", "reported_date": days_ago(2), "location": gazetteer["hamlet"].pk,
        "site_type": "CHECKPOINT", "coordinates": "", "forms": ["RAPE"], "conflict_nexus": "PERPETRATOR_ARMED_ACTOR",
        "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE", "source_reliability": "B",
        "source_credibility": "2", "summary": SUMMARY, "narrative": NARRATIVE,
        "victims-TOTAL_FORMS": "1", "victims-INITIAL_FORMS": "0", "victims-MIN_NUM_FORMS": "1",
        "victims-MAX_NUM_FORMS": "1000", "victims-0-id": "", "victims-0-sex": "FEMALE", "victims-0-age_years": "31",
        "victims-0-age_group": "", "victims-0-displacement": "", "victims-0-disability": "",
        "victims-0-name": NAME, "victims-0-contact": CONTACT, "victims-0-previously_interviewed_by": "",
        "victims-0-consent_kinds": ["RECORD"], "victims-0-consent_date": days_ago(2),
        "victims-0-consent_given_by": "SURVIVOR", "victims-0-consent_decided_by": "",
        "perpetrators-TOTAL_FORMS": "1", "perpetrators-INITIAL_FORMS": "0", "perpetrators-MIN_NUM_FORMS": "1",
        "perpetrators-MAX_NUM_FORMS": "1000", "perpetrators-0-party": party.pk, "perpetrators-0-party_type": "",
        "perpetrators-0-number": "2", "perpetrators-0-sex": "MALE",
    }
    if incident is not None:
        victim = incident.victims.get()
        data.update({"version": incident.version, "victims-INITIAL_FORMS": "1", "victims-0-id": victim.pk})
    data.update(overrides)
    return data


def api_payload(party, **overrides):
    data = {
        "duty_station": "north", "incident_date": days_ago(6), "reported_date": days_ago(2), "location": "TL0101",
        "site_type": "CHECKPOINT", "forms": ["RAPE"], "conflict_nexus": "PERPETRATOR_ARMED_ACTOR",
        "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE", "source_reliability": "B",
        "source_credibility": "2", "summary": SUMMARY, "narrative": NARRATIVE,
        "victims": [{"sex": "FEMALE", "age_years": 31, "name": NAME, "contact": CONTACT,
                     "consent_kinds": ["RECORD"], "consent_date": days_ago(2)}],
        "perpetrators": [{"party": party.pk, "number": 2, "sex": "MALE"}],
    }
    data.update(overrides)
    return data


# ---- views


def test_viewing_an_incident_page_records_who_what_and_from_where(incident, users, login):
    client = login(users["WPA"])

    response = client.get(f"/incidents/{incident.reference}/", REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 200
    (event,) = events("incident.view")
    assert event.user == users["WPA"]
    assert event.username == "wpa"
    assert event.role == "WPA"
    assert event.object_ref == incident.reference
    assert event.object_type == "incidents.incident"
    assert event.object_id == str(incident.pk)
    assert event.ip == "192.0.2.44"


def test_each_view_is_recorded_again(incident, users, login):
    client = login(users["WPA"])

    client.get(f"/incidents/{incident.reference}/")
    client.get(f"/incidents/{incident.reference}/")

    assert len(events("incident.view")) == 2


def test_a_mara_members_view_of_the_de_identified_record_is_recorded(incident, users, login):
    client = login(users["MARA_MEMBER"])

    client.get(f"/incidents/{incident.reference}/")

    (event,) = events("incident.view")
    assert (event.username, event.role, event.object_ref) == ("mara_member", "MARA_MEMBER", incident.reference)


def test_the_api_detail_records_a_view(incident, users, login):
    client = login(users["SWPA"])

    response = client.get(f"/api/v1/incidents/{incident.reference}/", REMOTE_ADDR="192.0.2.45")

    assert response.status_code == 200
    (event,) = events("incident.view")
    assert (event.username, event.role, event.object_ref, event.ip) == (
        "swpa", "SWPA", incident.reference, "192.0.2.45")


def test_a_refused_view_reads_nothing_and_records_no_view(incident, users, login):
    client = login(users["HRO_SOUTH"])

    assert client.get(f"/incidents/{incident.reference}/").status_code == 404
    assert events("incident.view") == []


def test_a_forged_forwarded_for_header_does_not_replace_the_recorded_address(incident, users, login):
    """The left-most X-Forwarded-For entry is whatever the client typed; a proxy appends the real
    address at the right. Whatever the deployment (behind one proxy or none), the forged entry
    must not become the "from where" of the audit trail."""
    client = login(users["WPA"])

    response = client.get(f"/incidents/{incident.reference}/", REMOTE_ADDR="10.0.0.5",
                          HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7")

    assert response.status_code == 200
    (event,) = events("incident.view")
    assert event.ip != "203.0.113.66"
    assert event.ip in ("10.0.0.5", "198.51.100.7")


def test_a_malformed_forwarded_for_header_neither_breaks_the_page_nor_the_trail(incident, users, login):
    client = login(users["WPA"])

    response = client.get(f"/incidents/{incident.reference}/", REMOTE_ADDR="10.0.0.5",
                          HTTP_X_FORWARDED_FOR="not-an-address")

    assert response.status_code == 200
    (event,) = events("incident.view")
    assert event.ip in (None, "10.0.0.5")


def test_behind_a_trusted_proxy_the_address_it_added_is_recorded(incident, users, login, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = login(users["WPA"])

    client.get(f"/incidents/{incident.reference}/", REMOTE_ADDR="10.0.0.5",
               HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.7")

    (event,) = events("incident.view")
    assert event.ip == "198.51.100.7"


# ---- changes


def test_creating_on_the_page_records_incident_create(users, stations, gazetteer, party, login):
    client = login(users["WPA"])

    response = client.post("/incidents/new/", page_form(stations, gazetteer, party))

    assert response.status_code == 302, response.content.decode()[-2000:]
    incident = Incident.objects.get()
    (event,) = events("incident.create")
    assert (event.username, event.role, event.object_ref) == ("wpa", "WPA", incident.reference)
    assert event.ip == "127.0.0.1"


def test_creating_through_the_api_records_incident_create(users, party, login):
    client = login(users["WPA"])

    response = client.post("/api/v1/incidents/", api_payload(party), content_type="application/json")

    assert response.status_code == 201
    (event,) = events("incident.create")
    assert (event.username, event.role, event.object_ref) == ("wpa", "WPA", response.json()["reference"])


def test_editing_on_the_page_records_incident_change(incident, users, stations, gazetteer, party, login):
    client = login(users["WPA"])

    response = client.post(f"/incidents/{incident.reference}/edit/",
                           page_form(stations, gazetteer, party, incident=incident, site_type="ROAD_OR_ROUTE"))

    assert response.status_code == 302, response.content.decode()[-2000:]
    (event,) = events("incident.change")
    assert (event.username, event.role, event.object_ref) == ("wpa", "WPA", incident.reference)
    assert "site_type" in event.detail["fields"]


def test_editing_through_the_api_records_incident_change(incident, users, party, login):
    client = login(users["SWPA"])
    victim_id = incident.victims.get().pk
    data = api_payload(party, version=incident.version, summary="A woman was assaulted at a checkpoint.",
                       victims=[{"id": victim_id, "sex": "FEMALE", "age_years": 30, "name": NAME}])

    response = client.put(f"/api/v1/incidents/{incident.reference}/", data, content_type="application/json")

    assert response.status_code == 200, response.content
    (event,) = events("incident.change")
    assert (event.username, event.role, event.object_ref) == ("swpa", "SWPA", incident.reference)
    assert "summary" in event.detail["fields"]
    assert event.detail["version"] == incident.version + 1


# ---- the SWPA's access log on the record


def section_of(page):
    return page[page.index(SECTION):]


def test_the_swpa_sees_who_viewed_the_record(incident, users, login):
    login(users["WPA"]).get(f"/incidents/{incident.reference}/")
    swpa = login(users["SWPA"])

    page = swpa.get(f"/incidents/{incident.reference}/").content.decode()

    assert SECTION in page
    assert "<td>wpa</td><td>WPA</td><td>incident.view</td>" in section_of(page)
    assert "<td>hro</td><td>HRO</td><td>incident.create</td>" in section_of(page)


@pytest.mark.parametrize("role", ["WPA", "HRO", "MARA_CHAIR"])
def test_other_readers_do_not_see_the_access_log(role, incident, users, login):
    login(users["SWPA"]).get(f"/incidents/{incident.reference}/")
    client = login(users[role])

    response = client.get(f"/incidents/{incident.reference}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert SECTION not in page
    assert "swpa" not in page


# ---- no survivor data in the trail


def test_audit_events_never_hold_the_victim_name_or_narrative(incident, users, stations, gazetteer, party, login):
    wpa = login(users["WPA"])
    wpa.post("/incidents/new/", page_form(stations, gazetteer, party))
    wpa.post("/api/v1/incidents/", api_payload(party), content_type="application/json")
    wpa.get("/incidents/")
    wpa.get("/api/v1/incidents/")
    wpa.get(f"/incidents/{incident.reference}/")
    wpa.get(f"/api/v1/incidents/{incident.reference}/")
    wpa.get(f"/incidents/{incident.reference}/edit/")
    wpa.post(f"/incidents/{incident.reference}/edit/",
             page_form(stations, gazetteer, party, incident=incident, narrative=NARRATIVE + " Edited."))
    # Routed to SEA: nothing stored, but the redirection is audited.
    wpa.post("/api/v1/incidents/", api_payload(party, perpetrators=[{"party_type": "UN_PERSONNEL", "sex": "MALE"}]),
             content_type="application/json")
    wpa.post("/incidents/new/", page_form(stations, gazetteer, party, **{"perpetrators-0-party_type": "UN_PERSONNEL"}))
    login(users["MARA_CHAIR"]).get(f"/incidents/{incident.reference}/")
    admin = login(users["ADMIN"])
    admin.post(f"/api/v1/incidents/{incident.reference}/archive/", {"reason": "Duplicate record."},
               content_type="application/json")
    login(users["SWPA"]).post("/incidents/archive/requests/", {
        "request": incident.archive_requests.get().pk, "decision": "confirm"})
    assert {"incident.create", "incident.view", "incident.change", "incident.list", "incident.archive_request",
            "incident.archive", "incident.sea_redirected"} <= set(AuditEvent.objects.values_list("action", flat=True))

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM crsv_mis_auditevent")
        rows = [" ".join(str(value) for value in row) for row in cursor.fetchall()]
    for event in AuditEvent.objects.all():
        rows.append(f"{event.reason} {event.detail}")
    for text in rows:
        for secret in (NAME, "Audittest", CONTACT, NARRATIVE, "must never reach"):
            assert secret not in text

"""Who reads which incident record, on the pages and through the API.

The rules (docs/domain.md "Survivor safety rules", crsv_mis/access.py), as the tables below spell out:

- WPA and HRO read the incidents of their own duty stations, with identifying data (layer A).
  Another office's incident answers 404, so its existence does not leak.
- The SWPA reads every incident of the mission, with identifying data.
- The MARA chair and members read de-identified records only (layer B): never a name, contact,
  narrative, coordinates or locality; and only incidents where every victim consented to sharing
  with the MARA and that did not come under an information-sharing protocol. Anything else is 404.
- Leadership, field reporters, referral focal points, administrators and auditors read no incident
  record at all: detail 404, list page 403, API list refused or empty. A field reporter submits
  incidents but reads nothing back.
- An incident of another mission is 404 for everyone.
- Anonymous visitors are sent to the login page; the API answers 401/403.
- Only the owning office's WPA/HRO and the SWPA open the edit page.

Fixture users: WPA, HRO and FIELD_REPORTER are on the "north" duty station, HRO_SOUTH on "south";
every other role has no duty station.
"""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import DutyStation, Mission, Role
from incidents import services
from incidents.models import Incident
from tests.conftest import incident_fields, make_user, victim_data

# Identifying values the conftest factory writes into every incident (victim_data, incident_fields).
VICTIM_NAME = "Testname Alpha"
VICTIM_CONTACT = "+000 555 0100"
NARRATIVE = "Synthetic narrative text for tests only."
COORDINATES = "1.2345,2.3456"
LOCALITY = "Quillby"
SUMMARY = "One woman reported an attack by armed men in Ashdale territory."
IDENTIFYING = {"victim name": VICTIM_NAME, "contact": VICTIM_CONTACT, "narrative": NARRATIVE,
               "coordinates": COORDINATES, "locality": LOCALITY}

NO_RECORD_ROLES = ["LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR"]
ALL_ROLES = ["WPA", "HRO", "HRO_SOUTH", "SWPA", "MARA_CHAIR", "MARA_MEMBER", *NO_RECORD_ROLES]



@pytest.fixture
def records(make_incident, users, gazetteer):
    """Named incidents; each role's expectation below refers to these names."""
    other_mission = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    other_station = DutyStation.objects.create(mission=other_mission, code="east", name="East office",
                                               location=gazetteer["north"])
    other_swpa = make_user("other_swpa", Role.SWPA, other_mission)
    other = services.create_incident(
        by=other_swpa, mission=other_mission, fields=incident_fields(other_station, gazetteer["hamlet"]),
        form_codes=["RAPE"], victims=[victim_data()],
        perpetrators=[{"party": None, "party_type": "UNKNOWN", "number": None, "sex": "UNKNOWN"}],
    )
    return {
        # Every victim consented to MARA sharing, not under a protocol: MARA reads these, de-identified.
        "north": make_incident("north"),
        "south": make_incident("south", by="HRO_SOUTH"),
        # One of two victims did not consent to sharing with the MARA.
        "north_without_mara_consent": make_incident(
            "north", victims=[victim_data(), victim_data(name="Testname Beta", consent_kinds=["RECORD"])]),
        # Came from a humanitarian partner under an information-sharing protocol.
        "north_under_isp": make_incident("north", shared_under_isp=True),
        "other_mission": other,
    }


def detail_page(ref):
    return f"/incidents/{ref}/"


def edit_page(ref):
    return f"/incidents/{ref}/edit/"


def api_detail(ref):
    return f"/api/v1/incidents/{ref}/"


def text_of(response):
    return response.content.decode()


# ---- reading one incident: (role, incident, expected status), the same on the page and in the API

READ_ONE = [
    # The owning office reads its own incidents, not another office's.
    ("WPA", "north", 200),
    ("WPA", "south", 404),
    ("WPA", "north_without_mara_consent", 200),
    ("WPA", "north_under_isp", 200),
    ("HRO", "north", 200),
    ("HRO", "south", 404),
    ("HRO_SOUTH", "south", 200),
    ("HRO_SOUTH", "north", 404),
    # The SWPA reads the whole mission.
    ("SWPA", "north", 200),
    ("SWPA", "south", 200),
    ("SWPA", "north_without_mara_consent", 200),
    ("SWPA", "north_under_isp", 200),
    # The MARA reads consented records from any office, and nothing else.
    ("MARA_CHAIR", "north", 200),
    ("MARA_CHAIR", "south", 200),
    ("MARA_CHAIR", "north_without_mara_consent", 404),
    ("MARA_CHAIR", "north_under_isp", 404),
    ("MARA_MEMBER", "north", 200),
    ("MARA_MEMBER", "south", 200),
    ("MARA_MEMBER", "north_without_mara_consent", 404),
    ("MARA_MEMBER", "north_under_isp", 404),
    # No incident records at all, even on their own duty station (the field reporter is on "north").
    ("LEADERSHIP", "north", 404),
    ("FIELD_REPORTER", "north", 404),
    ("REFERRAL_FOCAL_POINT", "north", 404),
    ("ADMIN", "north", 404),
    ("AUDITOR", "north", 404),
]


def read_one_id(row):
    return f"{row[0]}-{row[1]}-{row[2]}"


@pytest.mark.parametrize(("role", "incident", "expected"), READ_ONE, ids=[read_one_id(r) for r in READ_ONE])
def test_it_scopes_the_incident_detail_page(role, incident, expected, records, users, login):
    client = login(users[role])
    ref = records[incident].reference

    response = client.get(detail_page(ref))

    assert response.status_code == expected
    if expected == 200:
        assert ref in text_of(response)
    else:
        assert SUMMARY not in text_of(response)


@pytest.mark.parametrize(("role", "incident", "expected"), READ_ONE, ids=[read_one_id(r) for r in READ_ONE])
def test_it_scopes_the_incident_api_detail(role, incident, expected, records, users, login):
    client = login(users[role])
    ref = records[incident].reference

    response = client.get(api_detail(ref))

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["reference"] == ref
    else:
        assert SUMMARY not in text_of(response)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_an_incident_of_another_mission_is_404_for_everyone(role, records, users, login):
    client = login(users[role])
    ref = records["other_mission"].reference

    answers = {url: client.get(url).status_code for url in (detail_page(ref), edit_page(ref), api_detail(ref))}

    assert answers == {detail_page(ref): 404, edit_page(ref): 404, api_detail(ref): 404}


# ---- lists: which references each role finds in the list page and the API list

LISTS = [
    ("WPA", {"north", "north_without_mara_consent", "north_under_isp"}),
    ("HRO", {"north", "north_without_mara_consent", "north_under_isp"}),
    ("HRO_SOUTH", {"south"}),
    ("SWPA", {"north", "south", "north_without_mara_consent", "north_under_isp"}),
    ("MARA_CHAIR", {"north", "south"}),
    ("MARA_MEMBER", {"north", "south"}),
]


@pytest.mark.parametrize(("role", "listed"), LISTS, ids=[r[0] for r in LISTS])
def test_it_lists_exactly_the_incidents_in_scope_on_the_list_page(role, listed, records, users, login):
    client = login(users[role])

    response = client.get("/incidents/")

    assert response.status_code == 200
    page = text_of(response)
    for name, incident in records.items():
        assert (incident.reference in page) == (name in listed), name


@pytest.mark.parametrize(("role", "listed"), LISTS, ids=[r[0] for r in LISTS])
def test_it_lists_exactly_the_incidents_in_scope_in_the_api(role, listed, records, users, login):
    client = login(users[role])

    response = client.get("/api/v1/incidents/")

    assert response.status_code == 200
    body = response.json()
    assert {r["reference"] for r in body["results"]} == {records[name].reference for name in listed}
    assert body["count"] == len(listed)


@pytest.mark.parametrize("role", NO_RECORD_ROLES)
def test_roles_without_record_access_get_403_on_the_list_page(role, records, users, login):
    client = login(users[role])

    response = client.get("/incidents/")

    assert response.status_code == 403
    assert records["north"].reference not in text_of(response)


@pytest.mark.parametrize("role", NO_RECORD_ROLES)
def test_roles_without_record_access_receive_no_incident_from_the_api_list(role, records, users, login):
    client = login(users[role])

    response = client.get("/api/v1/incidents/")

    # The code refuses the list outright (403); an empty page would be as safe.
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert response.json()["results"] == []
    for incident in records.values():
        assert incident.reference not in text_of(response)


# ---- the MARA's de-identified view


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER"])
def test_the_mara_detail_page_never_shows_identifying_data(role, records, users, login):
    incident = records["north"]
    client = login(users[role])

    page = text_of(client.get(detail_page(incident.reference)))

    for what, value in IDENTIFYING.items():
        assert value not in page, what
    assert SUMMARY in page
    assert incident.victims.get().code in page


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER"])
def test_the_mara_api_detail_never_carries_identifying_data(role, records, users, login):
    incident = records["north"]
    client = login(users[role])

    response = client.get(api_detail(incident.reference))

    body = response.json()
    raw = text_of(response)
    for what, value in IDENTIFYING.items():
        assert value not in raw, what
    assert body["summary"] == SUMMARY
    assert [v["code"] for v in body["victims"]] == [incident.victims.get().code]
    for key in ("narrative", "coordinates", "location"):
        assert key not in body
    for key in ("name", "contact", "previously_interviewed_by", "age_years", "consents"):
        assert key not in body["victims"][0]


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER"])
def test_the_mara_list_page_never_shows_the_locality(role, records, users, login):
    client = login(users[role])

    page = text_of(client.get("/incidents/"))

    assert records["north"].reference in page
    assert LOCALITY not in page


def test_the_mara_loses_the_record_when_a_survivor_withdraws_mara_consent(records, users, login):
    incident = records["north"]
    consent = incident.victims.get().consents.get(kind="SHARE_MARA")
    consent.withdrawn_at = timezone.localdate()
    consent.save()
    services.refresh_mara_shareable(incident)
    client = login(users["MARA_MEMBER"])

    assert client.get(detail_page(incident.reference)).status_code == 404
    assert client.get(api_detail(incident.reference)).status_code == 404


@pytest.mark.parametrize("role", ["WPA", "SWPA"])
def test_the_owning_office_and_the_swpa_see_the_identifying_data(role, records, users, login):
    """The other side of the MARA tests: the same values are on the page for layer A readers."""
    incident = records["north"]
    client = login(users[role])

    page = text_of(client.get(detail_page(incident.reference)))
    body = client.get(api_detail(incident.reference)).json()

    for what, value in IDENTIFYING.items():
        assert value in page, what
    assert body["narrative"] == NARRATIVE
    assert body["coordinates"] == COORDINATES
    assert body["location"]["name"] == LOCALITY
    assert body["victims"][0]["name"] == VICTIM_NAME
    assert body["victims"][0]["contact"] == VICTIM_CONTACT


def test_hro_gets_404_for_incident_of_another_duty_station(records, users, login):
    client = login(users["HRO_SOUTH"])

    response = client.get(detail_page(records["north"].reference))

    assert response.status_code == 404
    assert VICTIM_NAME not in text_of(response)


def test_it_answers_an_unknown_reference_and_an_out_of_scope_one_alike(records, users, login):
    """404 for both, so an officer cannot probe which references exist in another office."""
    client = login(users["WPA"])
    out_of_scope = records["south"].reference
    unknown = "DEMO-1999-99999"

    assert client.get(detail_page(out_of_scope)).status_code == client.get(detail_page(unknown)).status_code == 404
    assert client.get(api_detail(out_of_scope)).status_code == client.get(api_detail(unknown)).status_code == 404


def test_an_archived_incident_disappears_for_the_owning_office_but_stays_for_the_swpa(records, users, login):
    incident = records["north"]
    Incident.objects.filter(pk=incident.pk).update(archived_at=timezone.now(), archive_reason="duplicate")

    assert login(users["WPA"]).get(detail_page(incident.reference)).status_code == 404
    assert login(users["MARA_CHAIR"]).get(detail_page(incident.reference)).status_code == 404
    assert login(users["SWPA"]).get(detail_page(incident.reference)).status_code == 200


# ---- the edit page

EDIT = [
    ("WPA", "north", 200),
    ("WPA", "south", 404),
    ("HRO", "north", 200),
    ("HRO", "south", 404),
    ("HRO_SOUTH", "south", 200),
    ("HRO_SOUTH", "north", 404),
    ("SWPA", "north", 200),
    ("SWPA", "south", 200),
    # The MARA reads the de-identified record but never edits it.
    ("MARA_CHAIR", "north", 404),
    ("MARA_MEMBER", "north", 404),
    ("LEADERSHIP", "north", 404),
    ("FIELD_REPORTER", "north", 404),
    ("REFERRAL_FOCAL_POINT", "north", 404),
    ("ADMIN", "north", 404),
    ("AUDITOR", "north", 404),
]


@pytest.mark.parametrize(("role", "incident", "expected"), EDIT, ids=[read_one_id(r) for r in EDIT])
def test_it_scopes_the_edit_page(role, incident, expected, records, users, login):
    client = login(users[role])

    response = client.get(edit_page(records[incident].reference))

    assert response.status_code == expected
    if expected == 200:
        # The form is filled with the record, identifying fields included.
        assert NARRATIVE in text_of(response)
    else:
        assert NARRATIVE not in text_of(response)


# ---- the field reporter submits but reads nothing back


def page_post_data(station, location, party):
    today = timezone.localdate()
    return {
        "duty_station": station.pk, "incident_date_precision": "DAY",
        "incident_date": (today - datetime.timedelta(days=5)).isoformat(), "incident_date_end": "",
        "reported_date": (today - datetime.timedelta(days=1)).isoformat(), "location": location.pk,
        "site_type": "ROAD_OR_ROUTE", "coordinates": COORDINATES, "forms": ["RAPE"],
        "conflict_nexus": "PERPETRATOR_ARMED_ACTOR", "source_type": "MILITARY_PATROL", "source_sex": "MALE",
        "source_reliability": "C", "source_credibility": "3", "summary": SUMMARY, "narrative": NARRATIVE,
        "victims-TOTAL_FORMS": "1", "victims-INITIAL_FORMS": "0", "victims-MIN_NUM_FORMS": "1",
        "victims-MAX_NUM_FORMS": "1000", "victims-0-sex": "FEMALE", "victims-0-age_years": "30",
        "victims-0-age_group": "", "victims-0-displacement": "", "victims-0-disability": "",
        "victims-0-name": VICTIM_NAME, "victims-0-contact": VICTIM_CONTACT,
        "victims-0-previously_interviewed_by": "", "victims-0-consent_kinds": ["RECORD", "SHARE_MARA"],
        "victims-0-consent_date": (today - datetime.timedelta(days=1)).isoformat(),
        "victims-0-consent_given_by": "SURVIVOR", "victims-0-consent_decided_by": "",
        "perpetrators-TOTAL_FORMS": "1", "perpetrators-INITIAL_FORMS": "0", "perpetrators-MIN_NUM_FORMS": "1",
        "perpetrators-MAX_NUM_FORMS": "1000", "perpetrators-0-party": party.pk, "perpetrators-0-party_type": "",
        "perpetrators-0-number": "2", "perpetrators-0-sex": "MALE",
    }


def api_post_data(party):
    today = timezone.localdate()
    return {
        "duty_station": "north", "incident_date": (today - datetime.timedelta(days=5)).isoformat(),
        "reported_date": (today - datetime.timedelta(days=1)).isoformat(), "location": "TL010101",
        "coordinates": COORDINATES, "site_type": "ROAD_OR_ROUTE", "forms": ["RAPE"],
        "conflict_nexus": "PERPETRATOR_ARMED_ACTOR", "source_type": "MILITARY_PATROL", "source_sex": "MALE",
        "source_reliability": "C", "source_credibility": "3", "summary": SUMMARY, "narrative": NARRATIVE,
        "victims": [{"sex": "FEMALE", "age_years": 30, "name": VICTIM_NAME, "contact": VICTIM_CONTACT,
                     "consent_kinds": ["RECORD"], "consent_date": today.isoformat()}],
        "perpetrators": [{"party": party.pk, "number": 2, "sex": "MALE"}],
    }


def test_the_field_reporter_submits_on_the_page_and_gets_only_the_reference(users, stations, gazetteer, party,
                                                                            login):
    client = login(users["FIELD_REPORTER"])

    response = client.post("/incidents/new/", page_post_data(stations["north"], gazetteer["hamlet"], party))

    assert response.status_code == 200
    incident = Incident.objects.get()
    page = text_of(response)
    assert incident.reference in page
    for what, value in IDENTIFYING.items():
        assert value not in page, what
    assert client.get(detail_page(incident.reference)).status_code == 404
    assert client.get(edit_page(incident.reference)).status_code == 404
    assert client.get("/incidents/").status_code == 403


def test_the_field_reporter_submits_through_the_api_and_reads_nothing_back(users, stations, party, login):
    client = login(users["FIELD_REPORTER"])

    response = client.post("/api/v1/incidents/", api_post_data(party), content_type="application/json")

    assert response.status_code == 201
    incident = Incident.objects.get()
    assert response.json() == {"reference": incident.reference}
    read_back = client.get(api_detail(incident.reference))
    assert read_back.status_code in (403, 404)
    assert NARRATIVE not in text_of(read_back)
    listing = client.get("/api/v1/incidents/")
    assert incident.reference not in text_of(listing)


# ---- anonymous visitors


@pytest.mark.parametrize("path", ["/incidents/", "/incidents/new/", "detail", "edit"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(path, records, client):
    ref = records["north"].reference
    url = {"detail": detail_page(ref), "edit": edit_page(ref)}.get(path, path)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", ["list", "detail"])
def test_an_anonymous_api_caller_is_refused(path, records, client):
    ref = records["north"].reference
    url = api_detail(ref) if path == "detail" else "/api/v1/incidents/"

    response = client.get(url)

    assert response.status_code in (401, 403)
    assert SUMMARY not in text_of(response)
    assert VICTIM_NAME not in text_of(response)

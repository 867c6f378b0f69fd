"""The incident REST API under /api/v1/: create, edit with a version, archive, list and filter,
reference data (parties, gazetteer) and the OpenAPI schema and docs.

Requests are JSON, enums are the codes of docs/domain.md; the location is a pcode, the duty station a
code, the forms a list of codes. Bad input answers 400 with errors per field.
"""

import datetime
import re

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.pagination import PageNumberPagination

from crsv_mis.models import ApiToken, Mission
from incidents import services
from incidents.models import Incident, Party, Victim

INCIDENTS = "/api/v1/incidents/"
NARRATIVE = "Synthetic narrative Apitest: fictional text for the API tests."
SUMMARY = "A woman was attacked by armed men on a road in Ashdale territory."
VICTIM_NAME = "Testname Gamma"
VICTIM_CONTACT = "+000 555 0199"



def days_ago(days):
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def victim(**overrides):
    data = {
        "sex": "FEMALE", "age_years": 27, "age_group": "25-39", "displacement": "IDP", "disability": "NO",
        "name": VICTIM_NAME, "contact": VICTIM_CONTACT, "previously_interviewed_by": "",
        "consent_kinds": ["RECORD", "SHARE_MARA"], "consent_date": days_ago(1),
    }
    data.update(overrides)
    return data


@pytest.fixture
def payload(party):
    def _payload(**overrides):
        data = {
            "duty_station": "north", "incident_date": days_ago(10), "incident_date_precision": "DAY",
            "reported_date": days_ago(3), "location": "TL010101", "coordinates": "4.5678,5.6789",
            "site_type": "ROAD_OR_ROUTE", "forms": ["RAPE", "SEXUAL_SLAVERY"],
            "conflict_nexus": "PERPETRATOR_ARMED_ACTOR", "source_type": "SURVIVOR_INTERVIEW",
            "source_sex": "FEMALE", "source_reliability": "B", "source_credibility": "2",
            "shared_under_isp": False, "narrative": NARRATIVE, "summary": SUMMARY,
            "victims": [victim()],
            "perpetrators": [{"party": party.pk, "number": 3, "sex": "MALE"}],
        }
        data.update(overrides)
        return data
    return _payload


def post(client, data, url=INCIDENTS):
    return client.post(url, data, content_type="application/json")


def put(client, reference, data):
    return client.put(f"{INCIDENTS}{reference}/", data, content_type="application/json")


def references(response):
    assert response.status_code == 200, response.content
    return [r["reference"] for r in response.json()["results"]]


# ---- create


def test_it_creates_an_incident_and_answers_201_with_a_mission_reference(payload, users, party, login):
    client = login(users["WPA"])
    data = payload()

    response = post(client, data)

    assert response.status_code == 201, response.content
    body = response.json()
    year = datetime.date.fromisoformat(data["reported_date"]).year
    assert body["reference"] == f"DEMO-{year}-00001"
    assert body["narrative"] == NARRATIVE
    assert body["location"]["pcode"] == "TL010101"
    assert body["duty_station"] == "north"
    assert sorted(body["forms"]) == ["RAPE", "SEXUAL_SLAVERY"]
    assert body["version"] == 1
    assert body["victims"][0]["name"] == VICTIM_NAME
    assert re.fullmatch(r"SV-[A-Z2-9]{8}", body["victims"][0]["code"])
    assert body["perpetrators"][0]["party_name"] == party.name
    incident = Incident.objects.get(reference=body["reference"])
    assert incident.created_by == users["WPA"]
    assert incident.admin1.pcode == "TL01"
    assert incident.victims.get().victim_group == "WOMEN"


def test_references_are_numbered_in_sequence(payload, users, login):
    client = login(users["WPA"])

    first = post(client, payload()).json()["reference"]
    second = post(client, payload()).json()["reference"]

    assert first.endswith("-00001")
    assert second.endswith("-00002")


def test_it_stores_the_identifying_fields_encrypted(payload, users, login):
    client = login(users["WPA"])

    reference = post(client, payload()).json()["reference"]

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, narrative, coordinates FROM incidents_incident WHERE reference = %s",
                       [reference])
        incident_id, narrative, coordinates = cursor.fetchone()
        cursor.execute("SELECT name, contact FROM incidents_victim WHERE incident_id = %s", [incident_id])
        name, contact = cursor.fetchone()
    for raw, clear in ((narrative, NARRATIVE), (coordinates, "4.5678,5.6789"), (name, VICTIM_NAME),
                       (contact, VICTIM_CONTACT)):
        assert raw.startswith("enc:")
        assert clear not in raw


def test_a_token_authenticates_an_api_client(payload, users, client):
    _token, raw = ApiToken.issue(users["WPA"], days=1)
    auth = {"HTTP_AUTHORIZATION": f"Token {raw}"}

    created = client.post(INCIDENTS, payload(), content_type="application/json", **auth)
    listed = client.get(INCIDENTS, **auth)

    assert created.status_code == 201
    assert references(listed) == [created.json()["reference"]]


# ---- bad input: 400, errors per field, nothing stored


def without_forms(data):
    data["forms"] = []


def incident_in_the_future(data):
    data["incident_date"] = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()


def incident_after_reported(data):
    data["incident_date"], data["reported_date"] = days_ago(2), days_ago(5)


def victim_without_sex(data):
    del data["victims"][0]["sex"]


def age_contradicting_age_group(data):
    data["victims"][0].update(age_years=30, age_group="12-17")


def field_errors(body, path):
    """The messages at `path`; a nested list's errors are keyed by the row's index."""
    for key in path:
        body = body[str(key)] if isinstance(key, int) and isinstance(body, dict) else body[key]
    return " ".join(body).lower()


BAD_INPUT = [
    (without_forms, ["forms"], "at least one form"),
    (incident_in_the_future, ["incident_date"], "future"),
    (incident_after_reported, ["incident_date"], "after it was reported"),
    (victim_without_sex, ["victims", 0, "sex"], "required"),
    (age_contradicting_age_group, ["victims", 0, "age_group"], "not in the age group"),
]


@pytest.mark.parametrize(("spoil", "path", "message"), BAD_INPUT, ids=[b[0].__name__ for b in BAD_INPUT])
def test_it_answers_400_with_the_error_on_the_field(spoil, path, message, payload, users, login):
    client = login(users["WPA"])
    data = payload()
    spoil(data)

    response = post(client, data)

    assert response.status_code == 400
    assert message in field_errors(response.json(), path)
    assert Incident.objects.count() == 0
    assert Victim.objects.count() == 0


def test_un_personnel_as_perpetrator_is_routed_to_sea_and_nothing_is_stored(payload, users, make_incident, login):
    make_incident()
    client = login(users["WPA"])
    data = payload(perpetrators=[{"party_type": "UN_PERSONNEL", "number": 1, "sex": "MALE"}])

    response = post(client, data)

    assert response.status_code == 400
    assert "sexual exploitation and abuse" in field_errors(response.json(), ["perpetrators"])
    assert Incident.objects.count() == 1
    assert not any(v.name == VICTIM_NAME for v in Victim.objects.all())


def test_it_refuses_a_duty_station_the_officer_is_not_on(payload, users, login):
    client = login(users["WPA"])  # on "north" only

    response = post(client, payload(duty_station="south"))

    assert response.status_code == 400
    assert "duty station" in field_errors(response.json(), ["duty_station"])
    assert Incident.objects.count() == 0


def test_the_swpa_records_for_any_duty_station_of_the_mission(payload, users, login):
    client = login(users["SWPA"])

    response = post(client, payload(duty_station="south"))

    assert response.status_code == 201
    assert Incident.objects.get().duty_station.code == "south"


# ---- edit with a version number


def edit_payload(payload, incident, **overrides):
    """What a client sends back after reading the record: the same victim, with its id."""
    victim_id = incident.victims.get().pk
    return payload(victims=[victim(id=victim_id)], **overrides)


def test_a_put_with_the_current_version_saves_and_increments_the_version(payload, users, make_incident, login):
    incident = make_incident()
    code = incident.victims.get().code
    client = login(users["WPA"])
    version = client.get(f"{INCIDENTS}{incident.reference}/").json()["version"]

    response = put(client, incident.reference,
                   edit_payload(payload, incident, version=version, summary="Edited de-identified summary."))

    assert response.status_code == 200, response.content
    assert response.json()["version"] == version + 1
    assert response.json()["summary"] == "Edited de-identified summary."
    incident.refresh_from_db()
    assert incident.version == version + 1
    assert incident.summary == "Edited de-identified summary."
    assert incident.victims.get().code == code  # the same survivor keeps the same code


def test_a_put_with_a_stale_version_answers_409_and_changes_nothing(payload, users, make_incident, login):
    incident = make_incident()
    # Both read version 1; the SWPA saves first.
    swpa_client = login(users["SWPA"])
    assert put(swpa_client, incident.reference,
               edit_payload(payload, incident, version=1, narrative="The SWPA's edit.")).status_code == 200
    wpa_client = login(users["WPA"])

    response = put(wpa_client, incident.reference,
                   edit_payload(payload, incident, version=1, narrative="The WPA's late edit.",
                                summary="The WPA's late summary.", forms=["FORCED_MARRIAGE"]))

    assert response.status_code == 409
    assert "someone else" in response.json()["detail"].lower()
    incident.refresh_from_db()
    assert incident.version == 2
    assert incident.narrative == "The SWPA's edit."
    assert incident.summary == SUMMARY
    assert sorted(incident.forms.values_list("code", flat=True)) == ["RAPE", "SEXUAL_SLAVERY"]


def test_a_put_without_version_answers_400_and_changes_nothing(payload, users, make_incident, login):
    incident = make_incident()
    client = login(users["WPA"])

    response = put(client, incident.reference, edit_payload(payload, incident, summary="No version sent."))

    assert response.status_code == 400
    assert "version" in response.json()
    incident.refresh_from_db()
    assert incident.version == 1
    assert incident.summary != "No version sent."


ROLES_ON_THE_INCIDENT_API = ["WPA", "HRO", "SWPA", "MARA_CHAIR", "MARA_MEMBER"]
ROLES_OFF_THE_INCIDENT_API = ["LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR"]


@pytest.mark.parametrize("role", ROLES_ON_THE_INCIDENT_API)
def test_delete_is_not_a_method_of_the_incident_api(role, users, make_incident, login):
    incident = make_incident()
    client = login(users[role])

    response = client.delete(f"{INCIDENTS}{incident.reference}/")

    assert response.status_code == 405
    assert Incident.objects.filter(pk=incident.pk, archived_at__isnull=True).exists()


@pytest.mark.parametrize("role", ROLES_OFF_THE_INCIDENT_API)
def test_roles_without_incident_access_cannot_delete_either(role, users, make_incident, login):
    """The permission check runs before the method check, so these roles get 403 rather than 405:
    either way nothing is deleted, and the answer is the same as for every other incident request."""
    incident = make_incident()
    client = login(users[role])

    response = client.delete(f"{INCIDENTS}{incident.reference}/")

    assert response.status_code in (403, 405)
    assert Incident.objects.filter(pk=incident.pk, archived_at__isnull=True).exists()


# ---- archive


def archive(client, reference, data):
    return post(client, data, url=f"{INCIDENTS}{reference}/archive/")


def test_an_admin_asks_to_archive_and_the_incident_leaves_the_officers_list_when_the_swpa_confirms(
        users, make_incident, login):
    incident = make_incident()
    kept = make_incident()
    admin = login(users["ADMIN"])

    response = archive(admin, incident.reference, {"reason": "Duplicate of another record."})

    assert response.status_code == 202, response.content
    assert response.json()["reference"] == incident.reference
    assert response.json()["requested_at"]
    incident.refresh_from_db()
    assert incident.archived_at is None
    wpa = login(users["WPA"])
    assert set(references(wpa.get(INCIDENTS))) == {kept.reference, incident.reference}

    services.confirm_archive(incident.archive_requests.get(), by=users["SWPA"])

    incident.refresh_from_db()
    assert incident.archived_by == users["SWPA"]
    assert incident.archive_reason == "Duplicate of another record."
    wpa = login(users["WPA"])
    assert references(wpa.get(INCIDENTS)) == [kept.reference]
    assert wpa.get(f"{INCIDENTS}{incident.reference}/").status_code == 404


def test_the_archive_answer_does_not_carry_the_record(users, make_incident, login):
    incident = make_incident()
    admin = login(users["ADMIN"])

    response = archive(admin, incident.reference, {"reason": "Entered by mistake."})

    assert set(response.json()) == {"reference", "requested_at"}


def test_archiving_without_a_reason_answers_400(users, make_incident, login):
    incident = make_incident()
    admin = login(users["ADMIN"])

    response = archive(admin, incident.reference, {"reason": ""})

    assert response.status_code == 400
    assert "reason" in response.json()
    incident.refresh_from_db()
    assert incident.archived_at is None
    assert references(login(users["WPA"]).get(INCIDENTS)) == [incident.reference]


@pytest.mark.parametrize("role", ["SWPA", "WPA"])
def test_only_an_admin_asks_to_archive_through_the_api(role, users, make_incident, login):
    incident = make_incident()
    client = login(users[role])

    response = archive(client, incident.reference, {"reason": "Trying to hide a record."})

    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.archived_at is None


# ---- list: pagination and filters


def test_the_list_is_paginated_with_count_next_previous_results(users, make_incident, login, monkeypatch):
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    made = [make_incident(reported_date=timezone.localdate() - datetime.timedelta(days=d)) for d in (3, 2, 1)]
    client = login(users["WPA"])

    first = client.get(INCIDENTS).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 3
    assert first["previous"] is None
    assert [r["reference"] for r in first["results"]] == [made[2].reference, made[1].reference]
    second = client.get(first["next"]).json()
    assert [r["reference"] for r in second["results"]] == [made[0].reference]
    assert second["next"] is None
    assert second["previous"] is not None


def test_list_rows_carry_no_identifying_field(users, make_incident, login):
    make_incident()
    client = login(users["WPA"])

    response = client.get(INCIDENTS)

    row = response.json()["results"][0]
    assert row["victim_count"] == 1
    for key in ("narrative", "coordinates", "victims", "location"):
        assert key not in row
    assert "Testname Alpha" not in response.content.decode()


def test_it_filters_by_status(users, make_incident, login):
    verified = make_incident()
    make_incident()
    Incident.objects.filter(pk=verified.pk).update(status="VERIFIED")
    client = login(users["WPA"])

    assert references(client.get(INCIDENTS, {"status": "VERIFIED"})) == [verified.reference]
    assert len(references(client.get(INCIDENTS))) == 2


def test_it_filters_by_form(users, make_incident, login):
    slavery = make_incident(forms=("SEXUAL_SLAVERY", "RAPE"))
    make_incident(forms=("ATTEMPTED_RAPE",))
    client = login(users["WPA"])

    assert references(client.get(INCIDENTS, {"form": "SEXUAL_SLAVERY"})) == [slavery.reference]
    assert len(references(client.get(INCIDENTS, {"form": "RAPE"}))) == 1


def test_it_filters_by_incident_date_range(users, make_incident, login):
    today = timezone.localdate()
    old = make_incident(incident_date=today - datetime.timedelta(days=60))
    recent = make_incident(incident_date=today - datetime.timedelta(days=10))
    client = login(users["WPA"])

    older = {"date_from": (today - datetime.timedelta(days=90)).isoformat(),
             "date_to": (today - datetime.timedelta(days=30)).isoformat()}
    newer = {"date_from": (today - datetime.timedelta(days=20)).isoformat()}

    assert references(client.get(INCIDENTS, older)) == [old.reference]
    assert references(client.get(INCIDENTS, newer)) == [recent.reference]


def test_it_filters_by_admin1(users, gazetteer, make_incident, login):
    make_incident(location=gazetteer["hamlet"])  # Northmark
    south = make_incident(location=gazetteer["south_b"])  # Southmark, recorded by the north office
    client = login(users["WPA"])

    assert references(client.get(INCIDENTS, {"admin1": gazetteer["south"].pk})) == [south.reference]
    assert len(references(client.get(INCIDENTS, {"admin1": gazetteer["north"].pk}))) == 1


def test_it_filters_by_party(users, mission, party, make_incident, login):
    other_party = Party.objects.create(mission=mission, name="River Militia", party_type="COMMUNITY_MILITIA")
    make_incident()  # by the conftest party
    by_militia = make_incident(perpetrators=[{"party": other_party, "party_type": other_party.party_type,
                                              "number": None, "sex": "UNKNOWN"}])
    client = login(users["WPA"])

    assert references(client.get(INCIDENTS, {"party": other_party.pk})) == [by_militia.reference]
    assert len(references(client.get(INCIDENTS, {"party": party.pk}))) == 1


# ---- parties


def test_it_lists_the_missions_parties_with_their_aliases(users, party, gazetteer, login):
    other_mission = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    Party.objects.create(mission=other_mission, name="Faraway Army", party_type="STATE_ARMED_FORCES")
    client = login(users["WPA"])

    response = client.get("/api/v1/parties/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["name"], r["aliases"]) for r in rows] == [("Test Front", ["TF"])]
    assert rows[0]["party_type"] == "NON_STATE_ARMED_GROUP"


def test_an_admin_adds_a_party_with_aliases(users, mission, login):
    client = login(users["ADMIN"])

    response = post(client, {"name": "Hill Brigade", "party_type": "NON_STATE_ARMED_GROUP",
                             "aliases": ["HB", "Brigade des collines"]}, url="/api/v1/parties/")

    assert response.status_code == 201, response.content
    party = Party.objects.get(name="Hill Brigade")
    assert party.mission == mission
    assert sorted(a.name for a in party.aliases.all()) == ["Brigade des collines", "HB"]
    listed = {r["name"]: r["aliases"] for r in client.get("/api/v1/parties/").json()["results"]}
    assert sorted(listed["Hill Brigade"]) == ["Brigade des collines", "HB"]


def test_a_wpa_cannot_add_a_party(users, login):
    client = login(users["WPA"])

    response = post(client, {"name": "Hill Brigade", "party_type": "NON_STATE_ARMED_GROUP", "aliases": ["HB"]},
                    url="/api/v1/parties/")

    assert response.status_code == 403
    assert not Party.objects.filter(name="Hill Brigade").exists()


# ---- gazetteer


def test_it_lists_the_gazetteer(users, gazetteer, login):
    client = login(users["WPA"])

    rows = client.get("/api/v1/locations/").json()["results"]

    assert {r["pcode"] for r in rows} == {loc.pcode for loc in gazetteer.values()}
    quillby = next(r for r in rows if r["pcode"] == "TL010101")
    assert quillby == {"id": gazetteer["hamlet"].pk, "pcode": "TL010101", "name": "Quillby", "level": 3,
                       "parent": "TL0101"}


def test_it_filters_the_gazetteer_by_level(users, gazetteer, login):
    client = login(users["WPA"])

    rows = client.get("/api/v1/locations/", {"level": 1}).json()["results"]

    assert sorted(r["name"] for r in rows) == ["Northmark", "Southmark"]


# ---- schema and docs


def test_the_schema_is_an_openapi_document(users, login):
    client = login(users["WPA"])

    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/incidents/" in schema["paths"]
    assert "/api/v1/incidents/{reference}/archive/" in schema["paths"]
    assert "delete" not in schema["paths"]["/api/v1/incidents/{reference}/"]


def test_the_docs_page_loads_scripts_from_files_only(users, login):
    client = login(users["WPA"])

    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I)
    assert scripts, "the docs page loads Swagger UI scripts"
    for attributes, body in scripts:
        assert "src=" in attributes, attributes
        assert body.strip() == ""
    assert "cdn" not in html.lower()

"""The statistics API: GET /api/v1/stats/trends/?from=YYYY-MM&to=YYYY-MM&group_by=...[&unit=...]

Counts per month of the incident date and per key, over the incidents the caller may count (the
same scope and the same function as the dashboard). The MARA room only (MARA chair and
members, SWPA); 403 for every other role, leadership included. Bad input answers 400 per field.
Token or session authentication, like the rest of the API.
"""

import datetime

import pytest

from crsv_mis.models import ApiToken, AuditEvent
from tests.conftest import victim_data

URL = "/api/v1/stats/trends/"


@pytest.fixture
def incidents(make_incident, gazetteer):
    return [
        make_incident(incident_date=datetime.date(2026, 1, 20), forms=("RAPE",)),
        make_incident(incident_date=datetime.date(2026, 3, 5), forms=("RAPE", "SEXUAL_SLAVERY"),
                      victims=[victim_data(), victim_data(), victim_data(sex="MALE", age_years=12)]),
        make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 9),
                      location=gazetteer["south_b"], forms=("SEXUAL_SLAVERY",)),
        make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 10),
                      location=gazetteer["south_b"], shared_under_isp=True),
    ]


def get(client, **params):
    return client.get(URL, params)


def test_the_answer_gives_the_period_grouping_unit_and_rows(users, login, incidents):
    response = get(login(users["MARA_CHAIR"]), **{"from": "2026-01", "to": "2026-03", "group_by": "form"})
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("from", "to", "group_by", "unit")} == {
        "from": "2026-01", "to": "2026-03", "group_by": "form", "unit": "incidents"}
    assert body["results"] == [
        {"month": "2026-01", "key": "RAPE", "label": "Rape (including gang rape)", "count": 1},
        {"month": "2026-03", "key": "RAPE", "label": "Rape (including gang rape)", "count": 1},
        {"month": "2026-03", "key": "SEXUAL_SLAVERY", "label": "Sexual slavery", "count": 2},
    ]


def test_victims_are_counted_when_asked(users, login, incidents):
    body = get(login(users["MARA_MEMBER"]), **{"from": "2026-03", "to": "2026-03", "group_by": "victim_group",
                                              "unit": "victims"}).json()
    assert body["unit"] == "victims"
    assert {r["key"]: r["count"] for r in body["results"]} == {"WOMEN": 3, "BOYS": 1}
    incidents_body = get(login(users["MARA_MEMBER"]), **{"from": "2026-03", "to": "2026-03",
                                                        "group_by": "victim_group"}).json()
    assert {r["key"]: r["count"] for r in incidents_body["results"]} == {"WOMEN": 2, "BOYS": 1}


def test_the_swpa_counts_information_under_a_protocol_and_the_mara_does_not(users, login, incidents):
    params = {"from": "2026-03", "to": "2026-03", "group_by": "admin1"}
    mara = get(login(users["MARA_MEMBER"]), **params).json()["results"]
    swpa = get(login(users["SWPA"]), **params).json()["results"]
    assert {r["key"]: r["count"] for r in mara} == {"TL01": 1, "TL02": 1}
    assert {r["key"]: r["count"] for r in swpa} == {"TL01": 1, "TL02": 2}


def test_a_token_is_accepted_and_the_call_is_audited(users, client, incidents):
    _token, raw = ApiToken.issue(users["MARA_CHAIR"], days=1)
    response = client.get(URL, {"from": "2026-01", "to": "2026-03", "group_by": "party_type"},
                          HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200
    assert {r["key"] for r in response.json()["results"]} == {"NON_STATE_ARMED_GROUP"}
    event = AuditEvent.objects.get(action="stats.trends_view")
    assert event.username == "mara_chair"
    assert event.detail == {"api": True, "from": "2026-01", "to": "2026-03", "group_by": "party_type",
                            "unit": "incidents"}


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-13", "to": "2026-03", "group_by": "form"}, "from"),
    ({"from": "January", "to": "2026-03", "group_by": "form"}, "from"),
    ({"from": "2026-01", "to": "2026-3", "group_by": "form"}, "to"),
    ({"from": "2026-03", "to": "2026-01", "group_by": "form"}, "to"),
    ({"from": "2021-03", "to": "2026-03", "group_by": "form"}, "to"),
    ({"from": "2026-01", "to": "2026-03", "group_by": "victim_name"}, "group_by"),
    ({"from": "2026-01", "to": "2026-03", "group_by": "admin2"}, "group_by"),
    ({"from": "2026-01", "to": "2026-03", "group_by": "form", "unit": "survivors"}, "unit"),
    ({"to": "2026-03", "group_by": "form"}, "from"),
    ({"from": "2026-01", "to": "2026-03"}, "group_by"),
])
def test_bad_input_answers_400_with_the_error_on_its_field(params, field, users, login):
    response = get(login(users["MARA_CHAIR"]), **params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_sixty_months_are_allowed(users, login):
    response = get(login(users["MARA_CHAIR"]), **{"from": "2021-04", "to": "2026-03", "group_by": "site_type"})
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("role", ["WPA", "HRO", "LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN",
                                  "AUDITOR"])
def test_roles_outside_the_mara_room_get_403(role, users, login, incidents):
    response = get(login(users[role]), **{"from": "2026-01", "to": "2026-03", "group_by": "form"})
    assert response.status_code == 403
    assert "results" not in response.json()


def test_anonymous_callers_are_refused(client):
    response = client.get(URL, {"from": "2026-01", "to": "2026-03", "group_by": "form"})
    assert response.status_code in (401, 403)


def test_the_endpoint_is_described_in_the_openapi_schema(users, login):
    schema = login(users["SWPA"]).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/stats/trends/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "group_by", "unit"}
    assert {"200", "400", "403"} <= set(operation["responses"])
    row = schema["components"]["schemas"]["TrendRow"]
    assert set(row["properties"]) == {"month", "key", "label", "count"}


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_month_out_of_range_answers_400_with_the_field(users, login, month):
    response = login(users["MARA_CHAIR"]).get("/api/v1/stats/trends/", {"from": month, "to": month,
                                                                         "group_by": "form"})
    assert response.status_code == 400
    assert "from" in response.json()

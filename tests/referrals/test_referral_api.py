"""/api/v1/referrals/ (read-only, scoped by access.referrals_visible_to, one form per audience)
and /api/v1/stats/referrals/ (the MARA room and the SWPA)."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent
from referrals.models import Provider, Referral

NOTE = "Synthetic note for the provider: needs a female clinician."
REFERRER_FIELDS = {"id", "victim_code", "incident_reference", "service", "provider", "urgency", "status",
                   "created_at", "referred_at", "service_provided_at", "closed_at", "consent_active", "note"}
FOCAL_FIELDS = {"id", "victim_code", "service", "urgency", "status", "created_at", "referred_at",
                "service_provided_at", "closed_at", "note"}


@pytest.fixture
def clinic(mission):
    return Provider.objects.create(mission=mission, name="API Clinic", provider_type="HEALTH_FACILITY",
                                   contact="+000 555 0142")


@pytest.fixture
def legal_aid(mission):
    return Provider.objects.create(mission=mission, name="API Legal Aid", provider_type="NGO")


@pytest.fixture
def refer(users, clinic):
    def _refer(incident, service="MEDICAL", status="REFERRED", by="WPA", provider=clinic):
        now = timezone.now()
        return Referral.objects.create(
            incident=incident, victim=incident.victims.first(), service=service, provider=provider, note=NOTE,
            referred_by=users[by], status=status, referred_at=None if status == "PROPOSED" else now,
            consent_given=True, consent_date=now.date(), consent_given_by="SURVIVOR", consent_taken_by=users[by])
    return _refer


@pytest.fixture
def referrals(make_incident, refer, legal_aid):
    north = make_incident()
    south = make_incident(station="south", by="SWPA")
    return {
        "medical": refer(north),
        "legal": refer(north, service="LEGAL", status="ACCEPTED", provider=legal_aid),
        "proposed": refer(north, service="PSYCHOSOCIAL", status="PROPOSED"),
        "south": refer(south, by="SWPA", provider=legal_aid),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def views_of(referral):
    return AuditEvent.objects.filter(action="referral.view", object_type="referrals.referral",
                                     object_id=str(referral.pk))


def test_wpa_reads_their_stations_referrals_in_full(users, login, referrals):
    client = login(users["WPA"])

    assert ids(client.get("/api/v1/referrals/")) == {referrals[k].pk for k in ("medical", "legal", "proposed")}
    response = client.get(f"/api/v1/referrals/{referrals['medical'].pk}/")

    assert response.status_code == 200
    data = response.json()
    assert set(data) == REFERRER_FIELDS
    assert data["incident_reference"] == referrals["medical"].incident.reference
    assert data["victim_code"] == referrals["medical"].victim.code
    assert data["provider"] == "API Clinic" and data["note"] == NOTE and data["consent_active"] is True
    assert "+000 555 0142" not in response.content.decode()
    assert views_of(referrals["medical"]).count() == 1
    assert client.get(f"/api/v1/referrals/{referrals['south'].pk}/").status_code == 404
    assert views_of(referrals["south"]).count() == 0


def test_swpa_reads_the_missions_referrals(users, login, referrals):
    assert ids(login(users["SWPA"]).get("/api/v1/referrals/")) == {r.pk for r in referrals.values()}


def test_filters_by_status_and_service(users, login, referrals):
    client = login(users["SWPA"])
    assert ids(client.get("/api/v1/referrals/?status=ACCEPTED")) == {referrals["legal"].pk}
    assert ids(client.get("/api/v1/referrals/?service=MEDICAL")) == {referrals["medical"].pk, referrals["south"].pk}
    assert ids(client.get("/api/v1/referrals/?service=MEDICAL&status=ACCEPTED")) == set()
    assert client.get("/api/v1/referrals/?status=NOPE").status_code == 400


def test_list_is_paginated(users, login, referrals):
    data = login(users["SWPA"]).get("/api/v1/referrals/").json()
    assert data["count"] == 4 and {"next", "previous", "results"} <= set(data)


def test_focal_point_reads_only_their_providers_referrals_once_sent_in_the_reduced_form(
        users, login, referrals, clinic):
    focal = users["REFERRAL_FOCAL_POINT"]
    clinic.focal_points.set([focal])
    client = login(focal)

    assert ids(client.get("/api/v1/referrals/")) == {referrals["medical"].pk}
    response = client.get(f"/api/v1/referrals/{referrals['medical'].pk}/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == FOCAL_FIELDS and data["note"] == NOTE
    body = response.content.decode()
    assert referrals["medical"].incident.reference not in body and "API Clinic" not in body
    assert views_of(referrals["medical"]).count() == 1
    # Never while PROPOSED, never another provider's.
    assert client.get(f"/api/v1/referrals/{referrals['proposed'].pk}/").status_code == 404
    assert client.get(f"/api/v1/referrals/{referrals['legal'].pk}/").status_code == 404


def test_focal_point_loses_the_note_when_consent_is_withdrawn(users, login, referrals, clinic):
    focal = users["REFERRAL_FOCAL_POINT"]
    referral = referrals["medical"]
    clinic.focal_points.set([focal])
    Referral.objects.filter(pk=referral.pk).update(consent_withdrawn_at=timezone.localdate())
    client = login(focal)

    detail = client.get(f"/api/v1/referrals/{referral.pk}/").json()
    listed = client.get("/api/v1/referrals/").json()["results"][0]

    assert detail["note"] is None and listed["note"] is None
    assert NOTE not in client.get("/api/v1/referrals/").content.decode()
    # The referrer side still reads it, with consent_active false.
    wpa = login(users["WPA"]).get(f"/api/v1/referrals/{referral.pk}/").json()
    assert wpa["consent_active"] is False


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "ADMIN", "AUDITOR", "FIELD_REPORTER",
                                  "REFERRAL_FOCAL_POINT"])
def test_everyone_else_gets_nothing(users, login, referrals, role):
    client = login(users[role])
    assert ids(client.get("/api/v1/referrals/")) == set()
    for referral in referrals.values():
        assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


def test_anonymous_is_refused(client, referrals):
    assert client.get("/api/v1/referrals/").status_code in (401, 403)
    assert client.get("/api/v1/stats/referrals/?from=2026-01&to=2026-02").status_code in (401, 403)


# ---- /api/v1/stats/referrals/


@pytest.fixture
def month_data(make_incident, refer):
    incident = make_incident(incident_date=datetime.date(2026, 3, 2))
    referral = refer(incident)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=datetime.datetime(2026, 3, 3, tzinfo=datetime.UTC),
        referred_at=datetime.datetime(2026, 3, 3, 12, tzinfo=datetime.UTC),
        service_provided_at=datetime.datetime(2026, 3, 4, tzinfo=datetime.UTC), status="SERVICE_PROVIDED")
    return referral


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER", "SWPA"])
def test_mara_room_and_swpa_read_the_figures(users, login, month_data, role):
    response = login(users[role]).get("/api/v1/stats/referrals/?from=2026-01&to=2026-04")

    assert response.status_code == 200
    # One referral: its own share and times are the SWPA's (layer A) to read, not the MARA's.
    one_referral = (100.0, 36.0, 12.0) if role == "SWPA" else (None, None, None)
    assert response.json() == {"from": "2026-01", "to": "2026-04", "results": [{
        "month": "2026-03", "duty_station": "north", "duty_station_name": "North office", "referrals": 1,
        "survivors_referred": 1, "by_service_status": [{"service": "MEDICAL", "status": "SERVICE_PROVIDED",
                                                        "count": 1}],
        **dict(zip(("service_provided_percent", "median_hours_incident_to_medical_referral",
                    "median_hours_referral_to_service"), one_referral, strict=True)),
    }]}
    assert NOTE not in response.content.decode() and month_data.victim.code not in response.content.decode()
    assert AuditEvent.objects.filter(action="stats.referrals_view", user=users[role]).count() == 1


@pytest.mark.parametrize("role", ["WPA", "HRO", "LEADERSHIP", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR",
                                  "FIELD_REPORTER"])
def test_others_are_refused_the_figures(users, login, month_data, role):
    assert login(users[role]).get("/api/v1/stats/referrals/?from=2026-01&to=2026-04").status_code == 403


@pytest.mark.parametrize("query, field", [
    ("", "from"),
    ("from=2026-01", "to"),
    ("from=2026-13&to=2026-12", "from"),
    ("from=2026-1&to=2026-02", "from"),
    ("from=2026-01&to=jan", "to"),
    ("from=2026-05&to=2026-04", "to"),
    ("from=2020-01&to=2025-01", "to"),  # 61 months
])
def test_bad_periods_are_refused(users, login, query, field):
    response = login(users["MARA_CHAIR"]).get(f"/api/v1/stats/referrals/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_sixty_months_is_allowed(users, login):
    response = login(users["SWPA"]).get("/api/v1/stats/referrals/?from=2021-01&to=2025-12")
    assert response.status_code == 200 and response.json()["results"] == []

"""Service gaps by area (docs/domain.md, "Referrals": "gaps (no medical service in a district) show").

- One row per admin1 of the mission's country, followed by its admin2 areas.
- A territory is covered by an available provider with the service active covering it or its
  province; a province by one covering the province or any of its territories.
- Beside each row: the incidents of the last 12 complete months there, counted over
  access.incidents_countable_by (WPA/HRO: the mission's active records outside any protocol);
  outside the MARA room (leadership, WPA, HRO) small counts read "<5".
- Rows with incidents but no medical provider are highlighted.
- Readers: SWPA, MARA chair and members, leadership, WPA, HRO; everyone else gets 403.
"""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import Location, LocationLevel, Mission
from incidents.services import archive_incident
from referrals.models import Provider, ProviderService

READERS = ["SWPA", "MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "WPA", "HRO"]
OUTSIDERS = ["ADMIN", "AUDITOR", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT"]
LAST_MONTH = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
ALL = ["MEDICAL", "PSYCHOSOCIAL", "LEGAL", "SAFETY_SHELTER", "SOCIO_ECONOMIC", "OTHER"]


def provider(mission, name, areas, services, *, available=True, inactive=()):
    p = Provider.objects.create(mission=mission, name=name, provider_type="NGO", available=available)
    p.areas.set(areas)
    for code in services:
        ProviderService.objects.create(provider=p, service=code, active=True)
    for code in inactive:
        ProviderService.objects.create(provider=p, service=code, active=False)
    return p


@pytest.fixture
def cedarholm(gazetteer):
    return Location.objects.create(level=LocationLevel.ADMIN2, name="Cedarholm", pcode="TL0202",
                                   parent=gazetteer["south"])


@pytest.fixture
def directory(mission, gazetteer, cedarholm):
    provider(mission, "North Clinic", [gazetteer["north"]], ["MEDICAL", "PSYCHOSOCIAL"])
    provider(mission, "Ashdale Shelter", [gazetteer["north_a"]], ["SAFETY_SHELTER"])
    provider(mission, "Birchford Law", [gazetteer["south_b"]], ["LEGAL"], inactive=["MEDICAL"])
    provider(mission, "South Hospital", [gazetteer["south"]], ["MEDICAL"], available=False)
    elsewhere = Mission.objects.create(code="ELSE", name="Elsewhere", country=gazetteer["country"])
    provider(elsewhere, "Foreign Clinic", [gazetteer["south"]], ["MEDICAL", "OTHER"])


@pytest.fixture
def incidents(make_incident, gazetteer, users):
    """Ashdale: 2 last month + 1 archived; Birchford: 1 last month, 1 older than 12 months, 1 under a
    protocol. (The window is the last 12 complete months: this month is not in it.)"""
    today = timezone.localdate()
    make_incident(incident_date=LAST_MONTH)
    make_incident(incident_date=LAST_MONTH)
    archive_incident(make_incident(incident_date=LAST_MONTH), by=users["SWPA"],
                     reason="Duplicate of another reference.")
    make_incident("south", by="HRO_SOUTH", location=gazetteer["south_b"], incident_date=LAST_MONTH)
    make_incident("south", by="HRO_SOUTH", location=gazetteer["south_b"],
                  incident_date=today - datetime.timedelta(days=400))
    make_incident("south", by="HRO_SOUTH", location=gazetteer["south_b"], shared_under_isp=True,
                  incident_date=LAST_MONTH)


def rows_of(response):
    return [(r["area"].name, r["missing_codes"], r["incidents"], r["no_medical_with_incidents"])
            for r in response.context["rows"]]


def missing(*covered):
    return [code for code in ALL if code not in covered]


def test_gaps_are_computed_per_province_and_territory(users, login, directory, incidents):
    response = login(users["MARA_CHAIR"]).get("/referrals/providers/gaps/")

    assert response.status_code == 200
    assert rows_of(response) == [
        ("Northmark", missing("MEDICAL", "PSYCHOSOCIAL", "SAFETY_SHELTER"), 2, False),
        ("Ashdale", missing("MEDICAL", "PSYCHOSOCIAL", "SAFETY_SHELTER"), 2, False),
        ("Southmark", missing("LEGAL"), 1, True),
        ("Birchford", missing("LEGAL"), 1, True),
        ("Cedarholm", ALL, 0, False),
    ]
    html = response.content.decode()
    assert html.count('class="u-urgent"') == 2 and "no medical care" in html


def test_the_swpa_counts_information_received_under_a_protocol(users, login, directory, incidents):
    rows = rows_of(login(users["SWPA"]).get("/referrals/providers/gaps/"))

    assert [(name, count) for name, _m, count, _h in rows] == [
        ("Northmark", 2), ("Ashdale", 2), ("Southmark", 2), ("Birchford", 2), ("Cedarholm", 0)]


@pytest.mark.parametrize("role", ["LEADERSHIP", "WPA", "HRO"])
def test_outside_the_mara_room_small_counts_read_below_the_threshold(users, login, directory, incidents, role):
    response = login(users[role]).get("/referrals/providers/gaps/")

    assert [(name, count) for name, _m, count, _h in rows_of(response)] == [
        ("Northmark", "<5"), ("Ashdale", "<5"), ("Southmark", "<5"), ("Birchford", "<5"), ("Cedarholm", 0)]
    assert "&lt;5" in response.content.decode()


def test_leadership_sees_counts_at_or_above_the_threshold(users, login, directory, make_incident):
    for _ in range(5):
        make_incident(incident_date=LAST_MONTH)

    rows = rows_of(login(users["LEADERSHIP"]).get("/referrals/providers/gaps/"))
    assert rows[0][2] == 5 and rows[1][2] == 5


@pytest.mark.parametrize("role", READERS)
def test_readers_open_the_gaps(users, login, directory, role):
    assert login(users[role]).get("/referrals/providers/gaps/").status_code == 200


@pytest.mark.parametrize("role", OUTSIDERS)
def test_everyone_else_is_refused_the_gaps(users, login, directory, role):
    assert login(users[role]).get("/referrals/providers/gaps/").status_code == 403

"""The MARA room counts exactly what it may read.

Attack: the MARA chair reads every figure route for a month (the dashboard, the trends API, the
referral figures, the monthly analysis, the commitments' party counts, the quarterly report's MARA
room edition) and the MARA's own incident list. Had the figures counted an incident whose survivor
did not consent to sharing with the MARA, or one received under an information-sharing protocol, the
count minus the list would rebuild its profile month by month (place, site, forms, party, victims).
Every figure must equal the one computed from the list alone. A median over one referral would give
that referral's own time (and its incident's date) away: outside layer A it is not shown.
"""

import datetime

import pytest
from django.utils import timezone

from incidents import services, stats
from incidents.models import Incident, Party
from referrals.models import Provider, Referral
from reporting import quarterly
from reporting import services as report_services
from reporting.api import API_GROUP_BY
from tests.conftest import incident_fields, victim_data
from tests.reporting.report_fixtures import generate


def last_month():
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


MONTH = last_month()
KEY = stats.month_key(MONTH)
WITHOUT_MARA = ["RECORD", "REFER", "FOLLOW_UP"]


@pytest.fixture
def the_month(make_incident, users, mission, gazetteer):
    """Three incidents of one month with profiles of their own: the MARA reads only the first."""
    other = Party.objects.create(mission=mission, name="Synthetic Militia", party_type="COMMUNITY_MILITIA")

    def dated(day, **overrides):
        return make_incident(incident_date=MONTH + datetime.timedelta(days=day),
                             reported_date=MONTH + datetime.timedelta(days=day + 2), **overrides)

    readable = dated(3)
    withheld = dated(
        6, station="south", by="HRO_SOUTH", location=gazetteer["south_b"], site_type="MINING_SITE",
        forms=("SEXUAL_SLAVERY",), victims=[victim_data(sex="MALE", age_years=12, age_group="12-17",
                                                        consent_kinds=WITHOUT_MARA)],
        perpetrators=[{"party": other, "party_type": "COMMUNITY_MILITIA", "number": 1, "sex": "MALE"}])
    under_protocol = dated(
        9, station="south", by="HRO_SOUTH", location=gazetteer["south_b"], site_type="CHECKPOINT",
        forms=("FORCED_MARRIAGE",), shared_under_isp=True,
        perpetrators=[{"party": other, "party_type": "COMMUNITY_MILITIA", "number": 3, "sex": "MALE"}])
    provider = Provider.objects.create(mission=mission, name="Synthetic Clinic", provider_type="NGO")
    for incident, hours in ((readable, 30), (withheld, 20), (under_protocol, 40)):
        created = datetime.datetime.combine(incident.incident_date, datetime.time(9), tzinfo=datetime.UTC)
        Referral.objects.create(
            incident=incident, victim=incident.victims.first(), service="MEDICAL", provider=provider,
            referred_by=users["SWPA"], status="SERVICE_PROVIDED", created_at=created,
            referred_at=created + datetime.timedelta(hours=hours - 9),
            service_provided_at=created + datetime.timedelta(hours=hours), consent_given=True,
            consent_date=created.date(), consent_given_by="SURVIVOR")
    return {"readable": readable, "withheld": withheld, "under_protocol": under_protocol}


def listed(client):
    """The MARA's own incident list, as it reads it, back as the incidents it names."""
    body = client.get("/api/v1/incidents/", {"page_size": 500}).json()
    references = [row["reference"] for row in body["results"]]
    assert body["count"] == len(references)
    return Incident.objects.filter(reference__in=references)


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER"])
def test_it_lists_only_the_consented_incident(users, login, the_month, role):
    assert list(listed(login(users[role]))) == [the_month["readable"]]


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER"])
def test_it_gives_trends_that_the_list_alone_accounts_for(users, login, the_month, role):
    client = login(users[role])
    incidents = listed(client)
    for group_by in API_GROUP_BY:
        for unit in stats.UNITS:
            body = client.get("/api/v1/stats/trends/", {"from": KEY, "to": KEY, "group_by": group_by,
                                                        "unit": unit}).json()
            expected = stats.monthly_counts(incidents, start=MONTH, end=MONTH, group_by=group_by, unit=unit)
            assert body["results"] == expected, (group_by, unit)


def test_it_shows_a_dashboard_that_the_list_alone_accounts_for(users, login, the_month):
    client = login(users["MARA_CHAIR"])
    incidents = listed(client)
    shown = client.get("/mara/dashboard/", {"month": KEY}).context["figures"]
    assert shown["totals"] == stats.totals(incidents, start=MONTH, end=MONTH) == {"incidents": 1, "victims": 1}
    for breakdown in shown["breakdowns"]:
        assert breakdown["rows"] == stats.period_counts(incidents, start=MONTH, end=MONTH,
                                                        group_by=breakdown["key"]), breakdown["key"]
    assert shown["trend"] == stats.trend(incidents, end_month=MONTH)
    hotspots = stats.hotspots(incidents, start=MONTH, end=MONTH)
    assert shown["hotspots"]["most_incidents"] == hotspots["most_incidents"]
    assert shown["hotspots"]["sharpest_rise"] == hotspots["sharpest_rise"]
    by_group = {row["label"]: (row["incidents"], row["victims"]) for row in shown["groups"]}
    assert {label: n for label, n in by_group.items() if n != (0, 0)} == {"Women": (1, 1)}


def test_it_gives_referral_figures_over_the_listed_incidents_only_without_a_median_of_one(
        users, login, the_month):
    client = login(users["MARA_CHAIR"])
    incidents = listed(client)
    body = client.get("/api/v1/stats/referrals/", {"from": KEY, "to": KEY}).json()
    counted = Referral.objects.filter(incident__in=incidents).count()
    assert sum(row["referrals"] for row in body["results"]) == counted == 1
    assert [row["duty_station"] for row in body["results"]] == ["north"]
    (row,) = body["results"]
    # One referral behind each figure: its own times (and its incident's date) would show.
    assert row["median_hours_incident_to_medical_referral"] is None
    assert row["median_hours_referral_to_service"] is None
    assert row["service_provided_percent"] is None


def test_the_swpa_reads_every_referral_figure_of_her_records(users, login, the_month):
    body = login(users["SWPA"]).get("/api/v1/stats/referrals/", {"from": KEY, "to": KEY}).json()
    assert sum(row["referrals"] for row in body["results"]) == 3
    north = next(row for row in body["results"] if row["duty_station"] == "north")
    assert north["median_hours_incident_to_medical_referral"] == 30.0


@pytest.mark.parametrize("role", ["MARA_CHAIR", "SWPA"])
def test_it_drafts_the_monthly_analysis_beside_figures_the_list_alone_accounts_for(users, login, the_month, role):
    mara_list = listed(login(users["MARA_CHAIR"]))
    shown = login(users[role]).get(f"/mara/analysis/{KEY}/").context["figures"]
    expected = stats.month_figures(mara_list, MONTH)
    assert shown["totals"] == expected["totals"] == {"incidents": 1, "victims": 1}
    assert shown["breakdowns"] == [
        {"title": b["title"], "rows": expected["incidents_by"][key]}
        for key, b in zip(("form", "admin1", "admin2", "party_type", "party", "site_type", "verification_status"),
                          shown["breakdowns"], strict=True)]
    assert shown["hotspots"] == expected["hotspots"]["most_incidents"]


def test_it_counts_parties_over_the_listed_incidents_only(users, login, the_month):
    client = login(users["MARA_CHAIR"])
    incidents = listed(client)
    rows = {row["party"].name: row["total"] for row in client.get("/mara/commitments/").context["rows"]}
    assert rows == {"Test Front": incidents.filter(perpetrators__party__name="Test Front").count(),
                    "Synthetic Militia": incidents.filter(perpetrators__party__name="Synthetic Militia").count()}
    assert rows["Synthetic Militia"] == 0


def test_it_counts_every_record_for_the_swpa(users, login, the_month):
    body = login(users["SWPA"]).get("/api/v1/stats/trends/", {"from": KEY, "to": KEY,
                                                             "group_by": "admin1"}).json()
    assert {row["key"]: row["count"] for row in body["results"]} == {"TL01": 1, "TL02": 2}


def test_it_stops_counting_an_incident_once_its_survivor_withdraws_consent(users, login, stations, gazetteer,
                                                                            the_month):
    client = login(users["MARA_CHAIR"])
    params = {"from": KEY, "to": KEY, "group_by": "admin1"}
    assert client.get("/api/v1/stats/trends/", params).json()["results"][0]["count"] == 1  # rollup counted
    incident = Incident.objects.get(pk=the_month["readable"].pk)
    services.update_incident(
        incident, by=users["WPA"], expected_version=incident.version,
        fields=incident_fields(stations["north"], gazetteer["hamlet"], incident_date=incident.incident_date,
                               reported_date=incident.reported_date),
        form_codes=["RAPE"], victims=[victim_data(id=incident.victims.get().pk, consent_kinds=WITHOUT_MARA)],
        perpetrators=[{"party": None, "party_type": "UNKNOWN", "number": None, "sex": "UNKNOWN"}])
    assert list(listed(client)) == []
    assert client.get("/api/v1/stats/trends/", params).json()["results"] == []


def test_it_reports_the_quarter_over_the_listed_incidents_only(users, login, mission, the_month):
    """The quarterly report's MARA room edition shows full counts to the chair: by month (the trend),
    province, territory (hotspots), form, party and victim group."""
    client = login(users["MARA_CHAIR"])
    incidents = listed(client)
    year, quarter = quarterly.quarter_of(MONTH)
    start, end = quarterly.quarter_months(year, quarter)
    generate(mission, by=users["MARA_CHAIR"], year=year, quarter=quarter)
    report = report_services.reports_of(users["MARA_CHAIR"]).get(year=year, quarter=quarter)
    assert report_services.reading_edition(users["MARA_CHAIR"], report) == "MARA_ROOM"
    shown = report.figures
    assert shown["totals"] == stats.totals(incidents, start=start, end=end) == {"incidents": 1, "victims": 1}
    for group_by, rows in shown["by"].items():
        assert {r["key"]: r["incidents"] for r in rows} == {
            r["key"]: r["count"] for r in stats.period_counts(incidents, start=start, end=end, group_by=group_by)
        }, group_by
    assert [(r["month"], r["incidents"]) for r in shown["trend"]] == [
        (r["month"], r["incidents"]) for r in stats.trend(incidents, end_month=end, months=quarterly.TREND_MONTHS)]
    assert shown["hotspots"]["admin2"]["most_incidents"] == stats.hotspots(
        incidents, start=start, end=end)["most_incidents"]
    referrals = shown["referrals"]
    assert referrals["referrals"] == Referral.objects.filter(incident__in=incidents).count() == 1
    assert referrals["median_hours_incident_to_medical_referral"] is None
    assert referrals["median_hours_referral_to_service"] is None

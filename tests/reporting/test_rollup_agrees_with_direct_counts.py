"""The rollup (reporting.figures) and a direct count (incidents.stats) give the same figures, for
every dimension and unit, after creates, edits that move an incident to another month, verification
decisions and archiving; for the MARA room (no ISP information) and the SWPA (with it)."""

import datetime

import pytest

from crsv_mis import access
from incidents import services, stats
from incidents.models import Incident
from mara.services.verification import decide_verification
from reporting import figures, rollup
from reporting.models import RollupCell, StaleMonth
from tests.conftest import incident_fields, victim_data

FIRST, LAST = datetime.date(2025, 1, 1), datetime.date(2026, 6, 1)
WOMAN = victim_data(sex="FEMALE", age_years=30)
GIRL = victim_data(sex="FEMALE", age_years=15)
MAN = victim_data(sex="MALE", age_years=40)
BOY = victim_data(sex="MALE", age_years=10)
UNKNOWN = victim_data(sex="UNKNOWN", age_years=None, age_group="UNKNOWN")


@pytest.fixture
def data(make_incident, gazetteer, party):
    two_rows = [{"party": party, "party_type": party.party_type, "number": 2, "sex": "MALE"},
                {"party": party, "party_type": party.party_type, "number": 1, "sex": "MALE"}]
    unknown = [{"party": None, "party_type": "UNKNOWN", "number": None, "sex": "UNKNOWN"}]
    return {
        "A": make_incident(incident_date=datetime.date(2026, 3, 5), forms=("RAPE", "SEXUAL_SLAVERY"),
                           victims=[WOMAN, WOMAN, GIRL], perpetrators=two_rows),
        "B": make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 20),
                           location=gazetteer["south_b"], site_type="MARKET", victims=[MAN], perpetrators=unknown),
        "C": make_incident(incident_date=datetime.date(2026, 2, 10), forms=("ATTEMPTED_RAPE",),
                           victims=[BOY, UNKNOWN]),
        "D": make_incident(incident_date=datetime.date(2025, 3, 15), victims=[WOMAN]),
        "E": make_incident(incident_date=datetime.date(2026, 3, 10), forms=("RAPE", "FORCED_MARRIAGE")),
        "F": make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 12),
                           location=gazetteer["south_b"], shared_under_isp=True, victims=[WOMAN, GIRL]),
    }


def assert_agree(user):
    incidents = access.incidents_countable_by(user)
    scope = figures.scope_for(user)
    for group_by in stats.GROUP_BY:
        for unit in stats.UNITS:
            assert figures.monthly_counts(scope, start=FIRST, end=LAST, group_by=group_by, unit=unit) == \
                stats.monthly_counts(incidents, start=FIRST, end=LAST, group_by=group_by, unit=unit), (group_by, unit)
            assert figures.period_counts(scope, start=FIRST, end=LAST, group_by=group_by, unit=unit) == \
                stats.period_counts(incidents, start=FIRST, end=LAST, group_by=group_by, unit=unit), (group_by, unit)
    for month in stats.month_list(datetime.date(2026, 1, 1), LAST):
        assert figures.month_figures(scope, month) == stats.month_figures(incidents, month)
    assert figures.period_figures(scope, start=FIRST, end=LAST) == \
        stats.period_figures(incidents, start=FIRST, end=LAST)
    assert figures.trend(scope, end_month=LAST, months=18) == stats.trend(incidents, end_month=LAST, months=18)
    assert figures.totals(scope, start=FIRST, end=LAST) == stats.totals(incidents, start=FIRST, end=LAST)


@pytest.mark.parametrize("role", ["MARA_CHAIR", "SWPA"])
def test_it_agrees_after_creates(data, users, role):
    assert_agree(users[role])


@pytest.mark.parametrize("role", ["MARA_CHAIR", "SWPA"])
def test_it_agrees_after_an_edit_moves_an_incident_to_another_month(data, users, stations, gazetteer, role):
    assert_agree(users[role])  # counted once before the edit: the edit must mark both months
    incident = Incident.objects.get(pk=data["A"].pk)
    services.update_incident(
        incident, by=users["WPA"], expected_version=incident.version,
        fields=incident_fields(stations["north"], gazetteer["hamlet"], incident_date=datetime.date(2025, 11, 2)),
        form_codes=["SEXUAL_SLAVERY"], victims=[MAN, BOY], perpetrators=[
            {"party": None, "party_type": "STATE_ARMED_FORCES", "number": 3, "sex": "MALE"}])
    assert {m for _mission, m in rollup.stale_months()} == {datetime.date(2026, 3, 1), datetime.date(2025, 11, 1)}
    assert_agree(users[role])


@pytest.mark.parametrize("role", ["MARA_CHAIR", "SWPA"])
def test_it_agrees_after_verification_decisions(data, users, role):
    assert_agree(users[role])
    decide_verification(data["A"], by=users["MARA_CHAIR"], decision="UNDER_VERIFICATION", rationale="Checking.")
    decide_verification(Incident.objects.get(pk=data["A"].pk), by=users["MARA_CHAIR"], decision="VERIFIED",
                        rationale="Two independent sources.")
    decide_verification(data["C"], by=users["MARA_CHAIR"], decision="UNDER_VERIFICATION", rationale="Checking.")
    assert_agree(users[role])
    verified = figures.period_counts(figures.scope_for(users[role]), start=FIRST, end=LAST,
                                     group_by="verification_status")
    assert {r["key"]: r["count"] for r in verified}["VERIFIED"] == 1


@pytest.mark.parametrize("role", ["MARA_CHAIR", "SWPA"])
def test_it_agrees_after_archiving(data, users, role):
    assert_agree(users[role])
    services.archive_incident(data["E"], by=users["SWPA"], reason="Duplicate of another record.")
    services.archive_incident(data["F"], by=users["SWPA"], reason="Entered in error.")
    assert_agree(users[role])
    assert figures.totals(figures.scope_for(users[role]), start=FIRST, end=LAST)["incidents"] == 4


def test_a_change_marks_its_month_stale_in_its_own_transaction(data, users):
    StaleMonth.objects.all().delete()
    services.archive_incident(data["D"], by=users["SWPA"], reason="Entered twice.")
    assert rollup.stale_months() == [(data["D"].mission_id, datetime.date(2025, 3, 1))]


def test_refreshing_twice_gives_the_same_cells_and_clears_the_marks(data):
    mission_id = data["A"].mission_id
    march = datetime.date(2026, 3, 1)
    columns = ("dimension", "key", "status", "shared_under_isp", "incidents", "victims")
    rollup.refresh_month(mission_id, march)
    first = sorted(RollupCell.objects.filter(month=march).values_list(*columns))
    rollup.refresh_month(mission_id, march)
    assert sorted(RollupCell.objects.filter(month=march).values_list(*columns)) == first
    assert ("total", "", "REPORTED", False, 3, 5) in first  # A, B and E; F is the ISP row
    assert ("total", "", "REPORTED", True, 1, 2) in first
    assert not StaleMonth.objects.filter(month=march).exists()


def test_the_nightly_pass_recounts_months_without_marks(data, party):
    rollup.refresh_stale()
    party.name = "Renamed Front"
    party.save()  # no mark: names live in the cells until the next recount
    rollup.recheck_recent(data["A"].mission_id, months=24, today=datetime.date(2026, 6, 30))
    labels = set(RollupCell.objects.filter(dimension="party", key=str(party.pk)).values_list("label", flat=True))
    assert labels == {"Renamed Front"}


def test_the_sg_crosstab_counts_verified_incidents_by_party_form_and_victim_group(data, users, party):
    for incident in (data["A"], data["D"]):
        decide_verification(incident, by=users["MARA_CHAIR"], decision="VERIFIED", rationale="Verified.")
    rows = figures.party_crosstab(figures.scope_for(users["MARA_CHAIR"]), start=FIRST, end=LAST)
    assert rows == [{"key": str(party.pk), "label": "Test Front", "incidents": 2, "victims": 4,
                     "forms": {"RAPE": 2, "SEXUAL_SLAVERY": 1}, "victim_groups": {"WOMEN": 3, "GIRLS": 1}}]

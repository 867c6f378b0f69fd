"""The counting functions behind every figure (incidents/stats.py), against hand counts.

A handful of incidents in March 2026, February 2026 and March 2025 (the same month a year before):

    A  2026-03-05  Ashdale (Northmark)   RAPE + SEXUAL_SLAVERY   two women and a girl
                   two perpetrator rows of the same party (Test Front, non-state armed group)
    B  2026-03-20  Birchford (Southmark) RAPE, at a market       one man; perpetrator of unknown type, no party
    C  2026-02-10  Ashdale (Northmark)   ATTEMPTED_RAPE          a boy and a victim of unknown sex and age
    D  2025-03-15  Ashdale (Northmark)   RAPE                    one woman
    E  2026-03-10  archived: never counted
    F  2026-03-12  received under an information-sharing protocol: counted for the SWPA only
"""

import datetime
import json

import pytest

from crsv_mis import access
from incidents import services, stats
from incidents.models import Incident
from tests.conftest import victim_data

MARCH = datetime.date(2026, 3, 1)
FEBRUARY = datetime.date(2026, 2, 1)
MARCH_BEFORE = datetime.date(2025, 3, 1)

WOMAN = victim_data(sex="FEMALE", age_years=30)
GIRL = victim_data(sex="FEMALE", age_years=15)
MAN = victim_data(sex="MALE", age_years=40)
BOY = victim_data(sex="MALE", age_years=10)
UNKNOWN = victim_data(sex="UNKNOWN", age_years=None, age_group="UNKNOWN")


@pytest.fixture
def data(make_incident, gazetteer, party, users):
    same_party_twice = [{"party": party, "party_type": party.party_type, "number": 2, "sex": "MALE"},
                        {"party": party, "party_type": party.party_type, "number": 1, "sex": "MALE"}]
    unknown_perpetrator = [{"party": None, "party_type": "UNKNOWN", "number": None, "sex": "UNKNOWN"}]
    incidents = {
        "A": make_incident(incident_date=datetime.date(2026, 3, 5), forms=("RAPE", "SEXUAL_SLAVERY"),
                           victims=[WOMAN, WOMAN, GIRL], perpetrators=same_party_twice),
        "B": make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 20),
                           location=gazetteer["south_b"], site_type="MARKET", victims=[MAN],
                           perpetrators=unknown_perpetrator),
        "C": make_incident(incident_date=datetime.date(2026, 2, 10), forms=("ATTEMPTED_RAPE",), victims=[BOY, UNKNOWN]),
        "D": make_incident(incident_date=datetime.date(2025, 3, 15), victims=[WOMAN]),
        "E": make_incident(incident_date=datetime.date(2026, 3, 10)),
        "F": make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 12),
                           location=gazetteer["south_b"], shared_under_isp=True, victims=[WOMAN]),
    }
    services.archive_incident(incidents["E"], by=users["SWPA"], reason="Duplicate of another record.")
    return incidents


@pytest.fixture
def mara(users):
    return access.incidents_countable_by(users["MARA_CHAIR"])


@pytest.fixture
def swpa(users):
    return access.incidents_countable_by(users["SWPA"])


def counts(rows):
    return {(r.get("month"), r["key"]): r["count"] for r in rows}


def test_incidents_are_counted_per_month_of_the_incident_date_and_per_form(data, mara):
    rows = stats.monthly_counts(mara, start=FEBRUARY, end=MARCH, group_by="form")
    assert counts(rows) == {("2026-02", "ATTEMPTED_RAPE"): 1, ("2026-03", "RAPE"): 2,
                            ("2026-03", "SEXUAL_SLAVERY"): 1}
    assert rows[0] == {"month": "2026-02", "key": "ATTEMPTED_RAPE", "label": "Attempted rape", "count": 1}


def test_rows_are_sorted_by_month_then_key(data, mara):
    rows = stats.monthly_counts(mara, start=FEBRUARY, end=MARCH, group_by="form")
    assert [(r["month"], r["key"]) for r in rows] == [
        ("2026-02", "ATTEMPTED_RAPE"), ("2026-03", "RAPE"), ("2026-03", "SEXUAL_SLAVERY")]


def test_one_query_per_call_whatever_the_number_of_months(data, mara, django_assert_num_queries):
    with django_assert_num_queries(1):
        stats.monthly_counts(mara, start=datetime.date(2022, 1, 1), end=MARCH, group_by="party", unit="victims")


def test_victims_and_incidents_are_counted_separately_per_victim_group(data, mara):
    incidents = stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="victim_group")
    victims = stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="victim_group", unit="victims")
    assert counts(incidents) == {("2026-03", "WOMEN"): 1, ("2026-03", "GIRLS"): 1, ("2026-03", "MEN"): 1}
    assert counts(victims) == {("2026-03", "WOMEN"): 2, ("2026-03", "GIRLS"): 1, ("2026-03", "MEN"): 1}


def test_victims_per_form_are_all_victims_of_the_incidents_with_that_form(data, mara):
    rows = stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="form", unit="victims")
    assert counts(rows) == {("2026-03", "RAPE"): 4, ("2026-03", "SEXUAL_SLAVERY"): 3}


def test_two_perpetrators_of_one_party_count_the_incident_and_its_victims_once(data, mara, party):
    by_type = stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="party_type")
    by_party = stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="party")
    victims = stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="party_type", unit="victims")
    assert counts(by_type) == {("2026-03", "NON_STATE_ARMED_GROUP"): 1, ("2026-03", "UNKNOWN"): 1}
    assert counts(by_party) == {("2026-03", str(party.pk)): 1, ("2026-03", None): 1}
    assert {r["key"]: r["label"] for r in by_party} == {str(party.pk): "Test Front", None: "No named party"}
    assert counts(victims) == {("2026-03", "NON_STATE_ARMED_GROUP"): 3, ("2026-03", "UNKNOWN"): 1}


def test_places_status_and_site_are_counted_with_codes_and_names(data, mara):
    by_admin1 = stats.monthly_counts(mara, start=FEBRUARY, end=MARCH, group_by="admin1")
    assert {(r["month"], r["key"], r["label"], r["count"]) for r in by_admin1} == {
        ("2026-02", "TL01", "Northmark", 1), ("2026-03", "TL01", "Northmark", 1), ("2026-03", "TL02", "Southmark", 1)}
    by_site = stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="site_type")
    assert counts(by_site) == {("2026-03", "FIELD_OR_FARM"): 1, ("2026-03", "MARKET"): 1}
    by_status = stats.monthly_counts(mara, start=FEBRUARY, end=MARCH, group_by="verification_status")
    assert counts(by_status) == {("2026-02", "REPORTED"): 1, ("2026-03", "REPORTED"): 2}
    assert by_status[0]["label"] == "Reported"


def test_archived_incidents_are_never_counted(data, mara, swpa):
    for base in (mara, swpa):
        rows = stats.monthly_counts(base, start=MARCH, end=MARCH, group_by="verification_status")
        assert data["E"].pk not in base.values_list("pk", flat=True)
        assert sum(r["count"] for r in rows) == (2 if base is mara else 3)


def test_isp_incidents_are_counted_for_the_swpa_but_not_for_the_mara(data, mara, swpa):
    assert counts(stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="admin1")) == {
        ("2026-03", "TL01"): 1, ("2026-03", "TL02"): 1}
    assert counts(stats.monthly_counts(swpa, start=MARCH, end=MARCH, group_by="admin1")) == {
        ("2026-03", "TL01"): 1, ("2026-03", "TL02"): 2}
    assert stats.totals(swpa, start=MARCH, end=MARCH) == {"incidents": 3, "victims": 5}
    assert stats.totals(mara, start=MARCH, end=MARCH) == {"incidents": 2, "victims": 4}


def test_roles_without_aggregates_count_nothing(data, users):
    for role in ("WPA", "HRO", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR"):
        base = access.incidents_countable_by(users[role])
        assert stats.monthly_counts(base, start=FEBRUARY, end=MARCH, group_by="form") == []


def test_a_base_filtered_through_victims_still_counts_every_group_of_its_incidents(data, mara):
    with_a_girl = mara.filter(victims__victim_group="GIRLS")
    rows = stats.monthly_counts(with_a_girl, start=MARCH, end=MARCH, group_by="victim_group", unit="victims")
    assert counts(rows) == {("2026-03", "WOMEN"): 2, ("2026-03", "GIRLS"): 1}


def test_unknown_group_by_or_unit_is_refused(mara):
    with pytest.raises(ValueError):
        stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="name")
    with pytest.raises(ValueError):
        stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="form", unit="survivors")


def test_period_counts_list_the_five_victim_groups_in_report_order_with_zeros(data, mara):
    rows = stats.period_counts(mara, start=FEBRUARY, end=MARCH, group_by="victim_group", unit="victims")
    assert [(r["key"], r["count"]) for r in rows] == [
        ("WOMEN", 2), ("MEN", 1), ("GIRLS", 1), ("BOYS", 1), ("UNKNOWN", 1)]
    assert [r["label"] for r in rows] == ["Women", "Men", "Girls", "Boys", "Unknown"]


def test_month_figures_give_totals_breakdowns_and_the_same_month_a_year_before(data, mara):
    figures = stats.month_figures(mara, MARCH)
    assert figures["month"] == "2026-03"
    assert figures["totals"] == {"incidents": 2, "victims": 4}
    assert set(figures["incidents_by"]) == set(stats.GROUP_BY)
    assert {r["key"]: r["count"] for r in figures["incidents_by"]["form"]} == {"RAPE": 2, "SEXUAL_SLAVERY": 1}
    assert {r["key"]: r["count"] for r in figures["incidents_by"]["admin2"]} == {"TL0101": 1, "TL0201": 1}
    assert [(r["key"], r["count"]) for r in figures["incidents_by"]["victim_group"]] == [
        ("WOMEN", 1), ("MEN", 1), ("GIRLS", 1), ("BOYS", 0), ("UNKNOWN", 0)]
    assert [(r["key"], r["count"]) for r in figures["victims_by"]["victim_group"]] == [
        ("WOMEN", 2), ("MEN", 1), ("GIRLS", 1), ("BOYS", 0), ("UNKNOWN", 0)]
    year_before = figures["year_before"]
    assert year_before["period"] == {"from": "2025-03", "to": "2025-03"}
    assert year_before["totals"] == {"incidents": 1, "victims": 1}
    assert [(r["key"], r["count"]) for r in year_before["victims_by"]["victim_group"]][:2] == [("WOMEN", 1), ("MEN", 0)]
    assert [(r["key"], r["count"]) for r in year_before["incidents_by"]["victim_group"]][0] == ("WOMEN", 1)


def test_month_figures_are_json_and_the_same_when_read_twice(data, mara):
    first = json.dumps(stats.month_figures(mara, MARCH))
    assert json.dumps(stats.month_figures(mara, datetime.date(2026, 3, 17))) == first


def test_month_figures_cost_the_same_number_of_queries_for_any_month(data, mara, django_assert_num_queries):
    with django_assert_num_queries(10):
        stats.month_figures(mara, MARCH)


def test_trend_gives_twelve_months_with_the_empty_ones_as_zero(data, mara):
    rows = stats.trend(mara, end_month=MARCH)
    assert len(rows) == 12
    assert rows[0] == {"month": "2025-04", "incidents": 0, "victims": 0}
    assert rows[-2:] == [{"month": "2026-02", "incidents": 1, "victims": 2},
                         {"month": "2026-03", "incidents": 2, "victims": 4}]
    assert sum(r["incidents"] for r in rows) == 3  # March 2025 is the thirteenth month back


def test_hotspots_rank_the_largest_rise_first_and_give_its_percentage(make_incident, gazetteer, mara):
    for day in (2, 3, 4):
        make_incident(incident_date=datetime.date(2026, 3, day))   # Ashdale: 3 in March
    make_incident(incident_date=datetime.date(2026, 2, 5))          # Ashdale: 1 in February
    make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 9),
                  location=gazetteer["south_b"])                     # Birchford: 1 in March, none before
    spots = stats.hotspots(mara, start=MARCH, end=MARCH)
    assert spots["previous_period"] == {"from": "2026-02", "to": "2026-02"}
    assert [(r["label"], r["count"]) for r in spots["most_incidents"]] == [("Ashdale", 3), ("Birchford", 1)]
    assert [(r["label"], r["rise"], r["rise_pct"]) for r in spots["sharpest_rise"]] == [
        ("Ashdale", 2, 200.0), ("Birchford", 1, None)]
    assert spots["sharpest_rise"][0]["admin1"] == "Northmark"


def test_a_falling_territory_is_not_among_the_rises(make_incident, mara):
    make_incident(incident_date=datetime.date(2026, 2, 5))
    make_incident(incident_date=datetime.date(2026, 2, 6))
    make_incident(incident_date=datetime.date(2026, 3, 5))
    spots = stats.hotspots(mara, start=MARCH, end=MARCH)
    assert spots["sharpest_rise"] == []
    assert spots["most_incidents"][0]["rise"] == -1


def test_hotspots_over_a_range_compare_with_the_range_before_of_equal_length(make_incident, mara):
    make_incident(incident_date=datetime.date(2025, 12, 5))   # in Dec-Jan, the two months before Feb-Mar
    make_incident(incident_date=datetime.date(2026, 2, 5))
    make_incident(incident_date=datetime.date(2026, 3, 5))
    spots = stats.hotspots(mara, start=FEBRUARY, end=MARCH)
    assert spots["previous_period"] == {"from": "2025-12", "to": "2026-01"}
    assert [(r["count"], r["previous"], r["rise_pct"]) for r in spots["sharpest_rise"]] == [(2, 1, 100.0)]


def test_incidents_without_a_territory_are_counted_but_are_no_hotspot(make_incident, gazetteer, mara):
    make_incident(incident_date=datetime.date(2026, 3, 5), location=gazetteer["north"])
    assert Incident.objects.get().admin2 is None
    assert counts(stats.monthly_counts(mara, start=MARCH, end=MARCH, group_by="admin2")) == {("2026-03", None): 1}
    assert stats.hotspots(mara, start=MARCH, end=MARCH)["most_incidents"] == []


def test_months_are_parsed_counted_and_limited_to_sixty():
    assert stats.add_months(datetime.date(2026, 1, 31), -1) == datetime.date(2025, 12, 1)
    assert stats.months_between(datetime.date(2024, 11, 1), datetime.date(2026, 10, 1)) == 24
    assert stats.parse_month("2026-07") == datetime.date(2026, 7, 1)
    for bad in ("2026-13", "2026-7", "26-07", "july", ""):
        with pytest.raises(ValueError):
            stats.parse_month(bad)
    assert stats.period_errors(MARCH, FEBRUARY)
    assert stats.period_errors(datetime.date(2021, 3, 1), MARCH)
    assert stats.period_errors(datetime.date(2021, 4, 1), MARCH) == {}

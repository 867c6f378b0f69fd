"""The trends dashboard and the trends API read the rollup (RollupCell), not the incident tables, and
never show figures older than the last change: a month a change has marked stale is recounted before
it is read. (The monthly analysis counts its one month directly, in the mara app, which sits left of
this one: tests/mara/test_monthly_analysis.py.)"""

import datetime
import re

import pytest
from django.db.models import Sum

from reporting import rollup
from reporting.models import RollupCell, StaleMonth
from tests.conftest import victim_data
from tests.reporting.released_reports import release

URL = "/mara/dashboard/"
MARCH = datetime.date(2026, 3, 1)


def page(client, query="?month=2026-03"):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def incidents_total(html):
    row = re.search(r'<th scope="row">Incidents</th>(.*?)</tr>', html, re.S).group(1)
    return int(re.search(r">(\d+)</td>", row).group(1))


def province_rows(html):
    table = re.search(r'aria-labelledby="by-admin1">(.*?)</section>', html, re.S).group(1)
    return {name: int(n) for name, n in
            re.findall(r'<th scope="row">([^<]*)</th><td data-label="Incidents">(\d+)</td>', table)}


def cell_sum(mission, dimension, *, key=None, include_isp=False):
    cells = RollupCell.objects.filter(mission=mission, month=MARCH, dimension=dimension)
    if key is not None:
        cells = cells.filter(key=key)
    if not include_isp:
        cells = cells.filter(shared_under_isp=False)
    return cells.aggregate(n=Sum("incidents"))["n"] or 0


@pytest.fixture
def march(make_incident, gazetteer):
    day = datetime.date(2026, 3, 4)
    made = [make_incident(incident_date=day) for _ in range(3)]
    made += [make_incident(station="south", by="HRO_SOUTH", incident_date=day, location=gazetteer["south_b"],
                           victims=[victim_data(), victim_data(sex="MALE", age_years=12)]) for _ in range(2)]
    made.append(make_incident(station="south", by="HRO_SOUTH", incident_date=day, location=gazetteer["south_b"],
                              shared_under_isp=True))
    return made


def test_it_shows_an_incident_created_after_the_month_was_counted(users, login, make_incident, march):
    client = login(users["MARA_CHAIR"])
    assert incidents_total(page(client)) == 5
    assert not StaleMonth.objects.filter(month=MARCH).exists()  # the page recounted March before reading

    make_incident(incident_date=datetime.date(2026, 3, 20))
    assert StaleMonth.objects.filter(month=MARCH).exists()
    assert incidents_total(page(client)) == 6
    assert not StaleMonth.objects.filter(month=MARCH).exists()


def test_its_numbers_are_the_sums_of_the_rollup_cells(users, login, mission, march):
    for role, include_isp in (("MARA_CHAIR", False), ("SWPA", True)):
        html = page(login(users[role]))
        assert incidents_total(html) == cell_sum(mission, rollup.TOTAL, include_isp=include_isp), role
        assert province_rows(html) == {
            "Northmark": cell_sum(mission, "admin1", key="TL01", include_isp=include_isp),
            "Southmark": cell_sum(mission, "admin1", key="TL02", include_isp=include_isp),
        }, role
    assert province_rows(page(login(users["SWPA"]))) == {"Northmark": 3, "Southmark": 3}


def test_it_shows_what_the_cells_hold_not_a_count_of_the_incident_rows(users, login, mission, march):
    client = login(users["MARA_CHAIR"])
    page(client)  # counts March into the rollup
    # No change to any incident, so no stale mark: only a page that reads the cells sees this.
    RollupCell.objects.filter(mission=mission, month=MARCH, dimension=rollup.TOTAL, shared_under_isp=False).update(
        incidents=40)
    assert incidents_total(page(client)) == 40


def test_leadership_reads_the_same_cells_through_suppression(users, login, mission, march):
    page(login(users["MARA_CHAIR"]))
    RollupCell.objects.filter(mission=mission, month=MARCH, dimension="admin1", key="TL01").update(incidents=30)
    RollupCell.objects.filter(mission=mission, month=MARCH, dimension="admin1", key="TL02",
                              shared_under_isp=False).update(incidents=9)
    release(mission, 2026, 1)  # leadership reads the released report's frozen figures
    leader = page(login(users["LEADERSHIP"]), "?quarter=2026-Q1")
    table = re.search(r'aria-labelledby="by-admin1">(.*?)</section>', leader, re.S).group(1)
    assert '<th scope="row">Northmark</th><td data-label="Incidents">30</td>' in table
    assert '<th scope="row">Southmark</th><td data-label="Incidents">9</td>' in table


def test_the_trends_api_reads_the_cells_and_recounts_stale_months(users, login, make_incident, mission, march):
    client = login(users["MARA_CHAIR"])
    params = {"from": "2026-03", "to": "2026-03", "group_by": "admin1"}
    body = client.get("/api/v1/stats/trends/", params).json()
    assert {r["key"]: r["count"] for r in body["results"]} == {"TL01": 3, "TL02": 2}

    make_incident(incident_date=datetime.date(2026, 3, 21))
    body = client.get("/api/v1/stats/trends/", params).json()
    assert {r["key"]: r["count"] for r in body["results"]} == {"TL01": 4, "TL02": 2}

    RollupCell.objects.filter(mission=mission, month=MARCH, dimension="admin1", key="TL02").update(incidents=11)
    body = client.get("/api/v1/stats/trends/", params).json()
    assert {r["key"]: r["count"] for r in body["results"]}["TL02"] == 11


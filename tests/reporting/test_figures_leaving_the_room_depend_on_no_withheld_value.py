"""Nothing that leaves the MARA room may depend on a withheld count: not the order of rows, not a
chart, not the presence of a row (crsv_mis.disclosure, rule 4).

The attack: tables ordered by exact count (ties by code) told a reader which of two "<5" cells was
the larger; with the shown counts and the total, every withheld cell could then be solved. Here two
worlds differ only in counts that are withheld ("<5"): 7 incidents at home, then 3 at a market and 2
in a field, or 2 at a market and 3 in a field (each with a form of its own). Everything leadership
and the external edition show must be the same byte for byte.
"""

import contextlib
import datetime
import re

import pytest
from django.db import transaction

from reporting import editions, quarterly, render
from reporting.models import Edition, QuarterlyReport, ReportStatus

YEAR, QUARTER = 2026, 1
RELEASED_AT = datetime.datetime(2026, 4, 10, 9, 0, tzinfo=datetime.UTC)


@contextlib.contextmanager
def world(mission, make_incident, market, field):
    """A world with `market` and `field` incidents besides the 7 at home, yielding the quarter's
    figures; rolled back afterwards, so that a second world can be built in the same test."""
    with transaction.atomic():
        day = datetime.date(YEAR, 2, 3)
        for _ in range(7):
            make_incident(incident_date=day, site_type="HOME", forms=("RAPE",))
        for _ in range(market):
            make_incident(incident_date=day, site_type="MARKET", forms=("SEXUAL_SLAVERY",))
        for _ in range(field):
            make_incident(incident_date=day, site_type="FIELD_OR_FARM", forms=("FORCED_MARRIAGE",))
        snapshot = quarterly.build(mission, YEAR, QUARTER)
        snapshot["generated_at"] = RELEASED_AT.isoformat()
        yield snapshot
        transaction.set_rollback(True)


WORLDS = ((3, 2), (2, 3))


@pytest.fixture
def two_worlds(mission, make_incident):
    snapshots = []
    for market, field in WORLDS:
        with world(mission, make_incident, market, field) as snapshot:
            snapshots.append(snapshot)
    return snapshots


def released(mission, snapshot):
    return QuarterlyReport(mission=mission, year=YEAR, quarter=QUARTER, version=1, figures=snapshot,
                           status=ReportStatus.RELEASED, released_at=RELEASED_AT, generated_at=RELEASED_AT)


def test_the_two_worlds_differ_in_the_mara_room(mission, two_worlds):
    first, second = (editions.tables(s, Edition.MARA_ROOM) for s in two_worlds)
    assert first != second  # the room sees 3 and 2: the worlds are different


def test_it_orders_the_rows_of_the_external_edition_by_code_not_by_count(mission, two_worlds):
    first, second = (editions.tables(s, Edition.EXTERNAL) for s in two_worlds)
    sites = next(t for t in first if t["id"] == "site_type")
    assert [row[:2] for row in sites["rows"]] == [["Field or farm", "<5"], ["Home", 7], ["Market", "<5"]]
    assert first == second
    assert editions.charts(two_worlds[0], Edition.EXTERNAL) == editions.charts(two_worlds[1], Edition.EXTERNAL)


@pytest.mark.parametrize("fmt", ("csv", "xlsx"))
def test_the_released_external_files_are_the_same_in_both_worlds(mission, two_worlds, fmt):
    first, second = (render.render_file(released(mission, s), Edition.EXTERNAL, fmt) for s in two_worlds)
    assert first == second


def figures_on_the_page(client):
    response = client.get("/mara/dashboard/?quarter=2026-Q1")
    assert response.status_code == 200
    return re.findall(r"<section.*?</section>", response.content.decode(), re.S)


def test_leadership_reads_the_same_dashboard_in_both_worlds(users, login, mission, make_incident):
    client = login(users["LEADERSHIP"])
    pages = []
    for market, field in WORLDS:
        with world(mission, make_incident, market, field) as snapshot:
            released(mission, snapshot).save()  # the quarter released, then read
            pages.append(figures_on_the_page(client))
    assert pages[0] and pages[0] == pages[1]

"""Figures outside the MARA room do not move one incident at a time (crsv_mis.disclosure, rule 5).

The attack: leadership read the current quarter's dashboard, one incident was recorded, leadership
read it again; the difference was that incident's profile (victim group, form, party, place). Now
leadership reads only the frozen figures of a quarter's released report, and nothing of a quarter
whose report is not released.
"""

import datetime
import re

from tests.reporting.released_reports import release

URL = "/mara/dashboard/?quarter=2026-Q1"


def figures_on_the_page(client):
    response = client.get(URL)
    assert response.status_code == 200
    return re.findall(r"<section.*?</section>", response.content.decode(), re.S)


def test_one_more_incident_changes_nothing_leadership_reads(users, login, mission, make_incident):
    for day in range(1, 9):
        make_incident(incident_date=datetime.date(2026, 2, day))
    release(mission, 2026, 1)
    client = login(users["LEADERSHIP"])
    before = figures_on_the_page(client)
    assert before  # the released quarter is shown

    make_incident(incident_date=datetime.date(2026, 3, 2), forms=("SEXUAL_SLAVERY",))
    assert figures_on_the_page(client) == before


def test_a_quarter_without_a_released_report_shows_leadership_no_figure(users, login, make_incident):
    for day in range(1, 9):
        make_incident(incident_date=datetime.date(2026, 2, day))
    response = login(users["LEADERSHIP"]).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert not re.findall(r"<section.*?</section>", html, re.S)
    assert 'id="not-released"' in html


def test_the_mara_room_still_reads_live_counts(users, login, make_incident):
    client = login(users["MARA_CHAIR"])
    make_incident(incident_date=datetime.date(2026, 3, 2))
    before = client.get("/mara/dashboard/?month=2026-03").content.decode()
    make_incident(incident_date=datetime.date(2026, 3, 3))
    after = client.get("/mara/dashboard/?month=2026-03").content.decode()
    assert re.findall(r"<section.*?</section>", before, re.S) != re.findall(r"<section.*?</section>", after, re.S)


def test_leadership_opens_on_the_latest_released_quarter(users, login, mission, make_incident):
    for day in range(1, 9):
        make_incident(incident_date=datetime.date(2026, 2, day))
    release(mission, 2026, 1)
    html = login(users["LEADERSHIP"]).get("/mara/dashboard/").content.decode()
    assert 'id="totals-title"' in html and "2026-Q1" in html

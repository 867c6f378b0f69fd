"""Leadership reads the trends dashboard (/mara/dashboard/) as figures leave the MARA room.

Leadership reads a quarter's released report, frozen (`page` releases the quarter before reading
it, as the MARA room does before figures leave it). Every count passes small-cell suppression: a
count above zero and below the threshold (5) reads
"<5"; where a table adds up to a total shown on the page, a second count is withheld ("x") so the
small one cannot be recomputed. Places go no finer than the province (no territory anywhere), and a
chart is drawn only when nothing on it is suppressed. The MARA room (chair, members, SWPA) keeps
every exact count and the territories. Every other role is refused.
"""

import datetime
import re

import pytest

from crsv_mis.models import AuditEvent, Mission
from tests.conftest import victim_data
from tests.reporting.released_reports import release

URL = "/mara/dashboard/"
MARCH = "?month=2026-03"
Q1 = "?quarter=2026-Q1"  # leadership reads whole quarters only
MARA_ROOM = ("MARA_CHAIR", "MARA_MEMBER", "SWPA")
TERRITORIES = ("Ashdale", "Birchford")


def on(day, make_incident, gazetteer, *, place="north", n=1, **fields):
    location = gazetteer["hamlet"] if place == "north" else gazetteer["south_b"]
    station, by = ("north", "WPA") if place == "north" else ("south", "HRO_SOUTH")
    return [make_incident(station=station, by=by, incident_date=day, location=location, **fields) for _ in range(n)]


def page(client, query=MARCH):
    if query.startswith("?quarter="):  # leadership reads a quarter's released report: release it now
        release(Mission.objects.get(code="DEMO"), int(query[9:13]), int(query[15]))
    response = client.get(URL + query)
    assert response.status_code == 200
    return response.content.decode()


def section(html, anchor):
    return re.search(rf'aria-labelledby="{anchor}">(.*?)</section>', html, re.S).group(1)


def rows(html, anchor, column="Incidents"):
    """{row header: shown value} of a table of the page."""
    shown = {}
    for header, cells in re.findall(r'<th scope="row">([^<]*)</th>(.*?)</tr>', section(html, anchor), re.S):
        shown[header] = re.search(rf'<td data-label="{column}">([^<]*)</td>', cells).group(1)
    return shown


def totals(html, label):
    row = re.search(rf'<th scope="row">{re.escape(label)}</th>(.*?)</tr>', section(html, "totals-title"), re.S)
    return re.findall(r">([^<]*)</td>", row.group(1))


@pytest.fixture
def three_in_march(make_incident, gazetteer):
    return on(datetime.date(2026, 3, 5), make_incident, gazetteer, n=3)


@pytest.fixture
def six_north_two_south(make_incident, gazetteer):
    day = datetime.date(2026, 3, 7)
    return (on(day, make_incident, gazetteer, n=6)
            + on(day, make_incident, gazetteer, place="south", n=2, victims=[victim_data(sex="MALE", age_years=40)]))


def test_it_shows_leadership_less_than_five_where_the_mara_chair_sees_three(users, login, three_in_march):
    assert totals(page(login(users["MARA_CHAIR"])), "Incidents")[0] == "3"
    leader = page(login(users["LEADERSHIP"]), Q1)
    assert totals(leader, "Incidents")[0] == "&lt;5"
    assert totals(leader, "Victims / survivors")[0] == "&lt;5"
    assert rows(leader, "by-form") == {"Rape (including gang rape)": "&lt;5"}
    assert rows(leader, "groups-title") == {"Women": "&lt;5", "Men": "0", "Girls": "0", "Boys": "0", "Unknown": "0"}
    assert ">3<" not in re.sub(r"<svg.*?</svg>", "", leader, flags=re.S)


def test_it_explains_the_suppression_to_leadership_only(users, login, three_in_march):
    assert 'id="suppression-note"' in page(login(users["LEADERSHIP"]), Q1)
    assert 'id="suppression-note"' not in page(login(users["MARA_CHAIR"]))


def test_it_never_names_a_territory_to_leadership(users, login, six_north_two_south):
    leader = page(login(users["LEADERSHIP"]), Q1)
    for name in (*TERRITORIES, "Territor", "territor", "Quillby"):
        assert name not in leader, name
    hotspots = section(leader, "hotspots-title")
    assert "Provinces compared with October 2025 to December 2025" in hotspots
    assert '<th scope="row">Northmark</th>' in hotspots and '<th scope="row">Southmark</th>' in hotspots


def test_it_withholds_a_second_province_so_the_small_one_cannot_be_recomputed(users, login, six_north_two_south):
    assert rows(page(login(users["MARA_CHAIR"])), "by-admin1") == {"Northmark": "6", "Southmark": "2"}
    leader = page(login(users["LEADERSHIP"]), Q1)
    assert totals(leader, "Incidents")[0] == "8"
    # 8 - 6 would give the 2 of Southmark: Northmark's 6 is withheld.
    assert rows(leader, "by-admin1") == {"Northmark": "x", "Southmark": "&lt;5"}
    # The hotspots show each province as the province table does.
    assert rows(leader, "hotspots-title") == {"Northmark": "x", "Southmark": "&lt;5"}


def test_it_withholds_a_second_victim_group_against_the_victims_total(users, login, six_north_two_south):
    leader = page(login(users["LEADERSHIP"]), Q1)
    assert totals(leader, "Victims / survivors")[0] == "8"
    assert rows(leader, "groups-title", "Victims") == {"Women": "x", "Men": "&lt;5", "Girls": "0", "Boys": "0",
                                                        "Unknown": "0"}
    # Verification statuses and types of site add up to the incidents too; here one row each.
    assert rows(leader, "by-verification_status") == {"Reported": "8"}
    assert rows(leader, "by-site_type") == {"Field or farm": "8"}


def test_it_withholds_the_change_when_either_side_is_suppressed(users, login, make_incident, gazetteer):
    on(datetime.date(2026, 3, 5), make_incident, gazetteer, n=7)
    on(datetime.date(2025, 3, 5), make_incident, gazetteer, n=3)
    assert totals(page(login(users["MARA_CHAIR"])), "Incidents") == ["7", "3", "+4 (+133.3%)"]
    assert totals(page(login(users["LEADERSHIP"]), Q1), "Incidents") == ["7", "&lt;5", "x"]


def test_it_withholds_the_rise_of_a_province_that_shows_a_small_count(users, login, make_incident, gazetteer):
    on(datetime.date(2026, 3, 5), make_incident, gazetteer, place="south", n=3)
    rise = section(page(login(users["LEADERSHIP"]), Q1), "hotspots-title").split("Sharpest rise")[1]
    assert '<td data-label="Rise">x</td>' in rise
    assert "+3" not in rise


def test_it_draws_the_charts_only_when_no_count_on_them_is_suppressed(users, login, make_incident, gazetteer):
    on(datetime.date(2026, 3, 5), make_incident, gazetteer, n=5)
    leader = page(login(users["LEADERSHIP"]), Q1)
    assert 'aria-label="Incidents and victims per quarter"' in leader  # every quarter is 0 or 5
    assert 'aria-label="Incidents by form of CRSV"' in leader
    assert 'aria-label="Incidents by type of alleged perpetrator"' in leader

    on(datetime.date(2025, 11, 5), make_incident, gazetteer, forms=("SEXUAL_SLAVERY",))
    leader = page(login(users["LEADERSHIP"]), Q1)
    assert 'aria-label="Incidents and victims per quarter"' not in leader  # 2025 Q4 holds 1
    assert "No chart: some quarters are below 5" in leader
    trend = section(leader, "trend-title")
    assert re.search(r'>2025-Q4</td><td data-label="Incidents">&lt;5</td>', trend)
    assert re.search(r'>2026-Q1</td><td data-label="Incidents">5</td>', trend)
    assert "<details>" not in trend  # the table stands in for the chart, open

    on(datetime.date(2026, 3, 6), make_incident, gazetteer, forms=("SEXUAL_SLAVERY",))
    leader = page(login(users["LEADERSHIP"]), Q1)
    assert rows(leader, "by-form") == {"Rape (including gang rape)": "5", "Sexual slavery": "&lt;5"}
    assert 'aria-label="Incidents by form of CRSV"' not in leader
    assert 'aria-label="Incidents by type of alleged perpetrator"' in leader  # 6 by one type, nothing small


@pytest.mark.parametrize("query", (MARCH, "?from=2026-02&to=2026-03"))
def test_leadership_reads_whole_quarters_only_so_overlapping_periods_give_nothing_away(users, login, query,
                                                                                        three_in_march):
    # February alone, then February and March: their difference would be March's small count.
    response = login(users["LEADERSHIP"]).get(URL + query)
    assert response.status_code == 400
    assert "shown by quarter" in response.content.decode()
    assert not AuditEvent.objects.filter(action="stats.dashboard_view").exists()


def test_another_quarter_in_the_trend_reads_as_its_own_page_shows_it(users, login, make_incident, gazetteer):
    # 2025 Q4: five in the north, one in the south. Its own page withholds the north ("x") and,
    # since x is at least 5, the total too: 6 would give the south's 1.
    on(datetime.date(2025, 11, 5), make_incident, gazetteer, n=5)
    on(datetime.date(2025, 11, 6), make_incident, gazetteer, place="south")
    on(datetime.date(2026, 3, 5), make_incident, gazetteer, n=5)
    client = login(users["LEADERSHIP"])
    q4 = page(client, "?quarter=2025-Q4")
    assert rows(q4, "by-admin1") == {"Northmark": "x", "Southmark": "&lt;5"}
    assert totals(q4, "Incidents")[0] == "x"
    trend = section(page(client, Q1), "trend-title")
    assert re.search(r'>2025-Q4</td><td data-label="Incidents">x</td>', trend), trend


@pytest.mark.parametrize("role", MARA_ROOM)
def test_it_leaves_the_mara_room_every_exact_count_and_the_territories(role, users, login, make_incident, gazetteer,
                                                                      six_north_two_south):
    on(datetime.date(2026, 1, 5), make_incident, gazetteer)
    html = page(login(users[role]))
    assert totals(html, "Incidents")[0] == "8"
    assert rows(html, "by-admin1") == {"Northmark": "6", "Southmark": "2"}
    assert rows(html, "groups-title", "Victims")["Men"] == "2"
    assert "&lt;5" not in html and 'id="suppression-note"' not in html
    assert all(name in section(html, "hotspots-title") for name in TERRITORIES)
    assert 'aria-label="Incidents and victims per month"' in html  # drawn even with a month of 1
    assert 'aria-label="Incidents by form of CRSV"' in html


def test_leadership_views_are_audited_with_their_period(users, login, three_in_march):
    page(login(users["LEADERSHIP"]), Q1)
    event = AuditEvent.objects.get(action="stats.dashboard_view")
    assert (event.username, event.detail) == ("leader", {"from": "2026-01", "to": "2026-03"})


@pytest.mark.parametrize("role", ("FIELD_REPORTER", "ADMIN", "AUDITOR", "REFERRAL_FOCAL_POINT", "WPA", "HRO"))
def test_it_refuses_every_role_that_does_not_read_aggregates(role, users, login, three_in_march):
    assert login(users[role]).get(URL + MARCH).status_code == 403
    assert not AuditEvent.objects.filter(action="stats.dashboard_view").exists()


def test_when_one_table_withholds_the_total_the_others_that_add_up_to_it_withhold_theirs(
        users, login, make_incident, gazetteer):
    # Five at home and one at a market, all in one province: the sites table withholds the total
    # ("x" and "<5" of 6 would give 5 and 1), so the province and status tables cannot show 6.
    on(datetime.date(2026, 3, 5), make_incident, gazetteer, n=5, site_type="HOME")
    on(datetime.date(2026, 3, 6), make_incident, gazetteer, site_type="MARKET")
    leader = page(login(users["LEADERSHIP"]), Q1)
    assert rows(leader, "by-site_type") == {"Home": "x", "Market": "&lt;5"}
    assert totals(leader, "Incidents")[0] == "x"
    assert rows(leader, "by-admin1") == {"Northmark": "x"}
    assert rows(leader, "by-verification_status") == {"Reported": "x"}
    assert rows(leader, "hotspots-title") == {"Northmark": "x"}


@pytest.mark.parametrize("query", ("?quarter=0000-Q1", "?quarter=0001-Q1", "?quarter=9999-Q4", "?quarter=2026-Q5"))
def test_a_quarter_out_of_range_answers_400_not_an_error_page(users, login, query):
    assert login(users["LEADERSHIP"]).get(URL + query).status_code == 400

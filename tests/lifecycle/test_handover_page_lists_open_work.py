"""The station page lists exactly the station's open work: each of the four kinds, and nothing
closed, verified, acknowledged, done or of another station."""

import re

import pytest

pytestmark = pytest.mark.django_db


def section(html, anchor):
    match = re.search(rf'<section class="card" id="{anchor}">(.*?)</section>', html, re.S)
    assert match, f"no {anchor} section"
    return match.group(1)


def test_it_lists_each_kind_of_open_work_of_the_station_and_nothing_else(login, users, stations, work):
    response = login(users["WPA"]).get("/handover/north/")

    assert response.status_code == 200
    page = response.content.decode()
    incidents = section(page, "incidents")
    assert work["open_incident"].reference in incidents
    assert work["under_verification"].reference in incidents
    assert work["verified"].reference not in incidents
    assert work["south_incident"].reference not in incidents

    referrals = section(page, "referrals")
    assert f'/referrals/{work["open_referral"].pk}/' in referrals
    assert f'/referrals/{work["quiet_referral"].pk}/' in referrals
    assert f'/referrals/{work["closed_referral"].pk}/' not in referrals
    assert f'/referrals/{work["south_referral"].pk}/' not in referrals
    # The overdue follow-up is flagged on its referral's row only.
    rows = re.findall(r"<tr>(.*?)</tr>", referrals, re.S)
    flagged = [row for row in rows if "overdue" in row]
    assert len(flagged) == 1 and f'/referrals/{work["open_referral"].pk}/' in flagged[0]

    alerts = section(page, "alerts")
    assert work["open_alert"].reference in alerts
    assert work["acknowledged"].reference not in alerts
    assert work["south_alert"].reference not in alerts

    points = section(page, "action-points")
    rows = re.findall(r"<tr>(.*?)</tr>", points, re.S)[1:]  # after the header row
    assert len(rows) == 2  # the overdue one and the one in progress; done, dropped and the south one absent
    assert sum("overdue" in row for row in rows) == 1
    assert "(2)" in re.search(r"<h2>(.*?)</h2>", points, re.S).group(1)


def test_it_counts_each_kind_in_its_heading(login, users, work):
    page = login(users["SWPA"]).get("/handover/north/").content.decode()

    assert "(2)</h2>" in section(page, "incidents")
    assert "(2)</h2>" in section(page, "referrals")
    assert "(1)</h2>" in section(page, "alerts")

"""Leadership reads the alert response times as figures leave the MARA room (crsv_mis.disclosure).

The attack: the page showed leadership, per duty station and month, exact counts of 1 and 2 and
the median minutes over a single alert (that alert's own times). Now, outside the room, a count from
1 to 4 reads "<5", one more count is withheld where the alerts would give a small one away, a median
over fewer than 5 alerts is not shown, and the month under way (which changes with each alert) is
left out.
"""

import datetime
import re

import pytest
from django.utils import timezone

from tests.incidents.test_alert_response_times import timed_alert  # noqa: F401  (fixture)

URL = "/alerts/response-times/"


def cells(client):
    """{(month, station): {column: shown value}} of the page."""
    html = client.get(URL).content.decode()
    found = {}
    for row in re.findall(r"<tr>\s*(<td.*?)</tr>", html, re.S):
        values = dict(re.findall(r'<td data-label="([^"]+)">([^<]*)</td>', row))
        if "Month" in values:  # not the "no alert" row
            found[(values["Month"], values["Duty station"])] = values
    return found


@pytest.fixture
def last_month():
    first = timezone.localdate().replace(day=1)
    start = (first - datetime.timedelta(days=1)).replace(day=1)
    return datetime.datetime.combine(start, datetime.time(8), tzinfo=datetime.UTC) + datetime.timedelta(days=2)


@pytest.mark.django_db
def test_leadership_reads_no_single_alerts_times(login, users, timed_alert, last_month):  # noqa: F811
    timed_alert(last_month, ack=42, respond=[70])  # one alert at the north office
    timed_alert(last_month, station="south", ack=7, respond=[9])  # two at the south office
    timed_alert(last_month + datetime.timedelta(hours=1), station="south", ack=11)
    month = last_month.strftime("%Y-%m")

    shown = cells(login(users["LEADERSHIP"]))
    north, south = shown[(month, "North office")], shown[(month, "South office")]
    assert north["Alerts"] == "&lt;5" and south["Alerts"] == "&lt;5"
    assert north["Median minutes to acknowledge"] == "—" and north["Median minutes to respond"] == "—"
    assert south["Median minutes to acknowledge"] == "—"
    assert "42.0" not in str(shown) and "70.0" not in str(shown) and ">1<" not in str(shown)

    room = cells(login(users["MARA_CHAIR"]))
    assert room[(month, "North office")]["Median minutes to acknowledge"] == "42.0"


@pytest.mark.django_db
def test_leadership_cannot_work_a_small_count_out_of_the_alerts(login, users, timed_alert, last_month):  # noqa: F811
    timed_alert(last_month, ack=10)  # the one alert acknowledged: 6 alerts - 5 not acknowledged
    for hour in range(1, 6):
        timed_alert(last_month + datetime.timedelta(hours=hour))

    row = cells(login(users["LEADERSHIP"]))[(last_month.strftime("%Y-%m"), "North office")]
    alerts, waiting = row["Alerts"], row["Not acknowledged"]
    assert not (alerts.isdigit() and waiting.isdigit()), (alerts, waiting)  # their difference would be 1
    assert (alerts, waiting) == ("x", "x")


@pytest.mark.django_db
def test_leadership_reads_no_month_under_way(login, users, timed_alert):  # noqa: F811
    now = timezone.now().replace(second=0, microsecond=0)
    for minutes in range(5, 60, 5):
        timed_alert(now - datetime.timedelta(minutes=minutes), ack=1)
    assert cells(login(users["LEADERSHIP"])) == {}
    assert cells(login(users["MARA_CHAIR"]))

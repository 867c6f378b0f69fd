"""The MARA trends dashboard (/mara/dashboard/): who opens it, what it shows, what it never shows.

Aggregates only (layer C): the chair, members, the SWPA and leadership read it (leadership with
every count suppressed and places by province: tests/reporting/test_leadership_dashboard.py);
every other role gets 403. The page counts the month asked (?month=YYYY-MM) or a range (?from=&to=), shows the
same period a year before, a twelve-month trend chart drawn as SVG, breakdowns and hotspots, and
never a reference, a name, a narrative or a summary. Each view is audited with its period only.
"""

import datetime
import re

import pytest
from django.utils import timezone

from crsv_mis import charts
from crsv_mis.models import AuditEvent
from incidents.models import Party
from tests.conftest import victim_data

URL = "/mara/dashboard/"
MARCH = "?month=2026-03"
Q1 = "?quarter=2026-Q1"  # leadership reads whole quarters only
READERS = ("MARA_CHAIR", "MARA_MEMBER", "SWPA")
OTHERS = ("WPA", "HRO", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR")
# Identifying or record-level values the conftest factory writes into every incident.
NEVER_SHOWN = ("Testname Alpha", "+000 555 0100", "Synthetic narrative text for tests only.",
               "One woman reported an attack by armed men", "1.2345,2.3456", "Quillby")


@pytest.fixture
def march(make_incident, gazetteer):
    return [
        make_incident(incident_date=datetime.date(2026, 3, 5), forms=("RAPE", "SEXUAL_SLAVERY"),
                      victims=[victim_data(), victim_data(age_years=15)]),
        make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 9),
                      location=gazetteer["south_b"], victims=[victim_data(sex="MALE", age_years=35)]),
        make_incident(incident_date=datetime.date(2025, 3, 2)),
        make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 11),
                      location=gazetteer["south_b"], shared_under_isp=True),
    ]


def text(response):
    return response.content.decode()


def cell(page, label):
    """The numbers of the totals row whose header is `label`."""
    row = re.search(rf"<th scope=\"row\">{re.escape(label)}</th>(.*?)</tr>", page, re.S).group(1)
    return [int(n) for n in re.findall(r">(-?\d+)</td>", row)]


@pytest.mark.parametrize("role", (*READERS, "LEADERSHIP"))
def test_aggregate_readers_open_the_dashboard(role, users, login, march):
    response = login(users[role]).get(URL + (Q1 if role == "LEADERSHIP" else MARCH))
    assert response.status_code == 200
    assert "Trends dashboard" in text(response)


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_are_refused(role, users, login, march):
    assert login(users[role]).get(URL + MARCH).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_shows_the_month_totals_against_the_same_month_a_year_before(users, login, march):
    page = text(login(users["MARA_CHAIR"]).get(URL + MARCH))
    # Incidents: 2 in March 2026 (the protocol incident is not counted for the MARA), 1 in March 2025.
    assert cell(page, "Incidents")[:2] == [2, 1]
    assert cell(page, "Victims / survivors")[:2] == [3, 1]
    assert "+1 (+100.0%)" in page


def test_the_swpa_also_counts_information_received_under_a_protocol(users, login, march):
    page = text(login(users["SWPA"]).get(URL + MARCH))
    assert cell(page, "Incidents")[:2] == [3, 1]


def test_victim_groups_show_incidents_and_victims_in_labelled_columns(users, login, march):
    page = text(login(users["MARA_CHAIR"]).get(URL + MARCH))
    women = re.search(r"<th scope=\"row\">Women</th>(.*?)</tr>", page, re.S).group(1)
    assert 'data-label="Incidents">1<' in women and 'data-label="Victims">1<' in women
    assert 'data-label="Incidents, March 2025">1<' in women
    for group in ("Men", "Girls", "Boys", "Unknown"):
        assert f'<th scope="row">{group}</th>' in page


def test_the_page_draws_the_trend_as_an_accessible_svg_chart(users, login, march):
    page = text(login(users["MARA_CHAIR"]).get(URL + MARCH))
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and 'aria-label="Incidents and victims per month"' in svg
    assert "<title" in svg and "<desc" in svg and "2025-04" in svg and "2026-03" in svg
    # Drawn by the server: no script but the site's menu folding, none in the chart, no inline style.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/menu.js" defer>']
    assert "<script" not in svg and "style=" not in page


def test_the_page_shows_breakdowns_and_hotspots(users, login, march):
    page = text(login(users["MARA_CHAIR"]).get(URL + MARCH))
    for heading in ("Incidents by form of CRSV", "Incidents by province", "Incidents by type of alleged perpetrator",
                    "Incidents by alleged perpetrator party", "Incidents by verification status",
                    "Incidents by type of site", "Hotspots"):
        assert heading in page
    assert "Sexual slavery" in page and "Test Front" in page and "Ashdale" in page and "Birchford" in page


def test_the_page_never_shows_a_reference_name_narrative_or_summary(users, login, march):
    for role in (*READERS, "LEADERSHIP"):
        page = text(login(users[role]).get(URL + (Q1 if role == "LEADERSHIP" else MARCH)))
        for value in NEVER_SHOWN + tuple(i.reference for i in march):
            assert value not in page, (role, value)


def test_a_range_of_months_is_counted_whole(users, login, march):
    page = text(login(users["MARA_CHAIR"]).get(URL + "?from=2025-03&to=2026-03"))
    assert cell(page, "Incidents")[0] == 3
    assert "March 2025 to March 2026" in page


def test_each_view_is_audited_with_its_period_only(users, login, march):
    login(users["MARA_MEMBER"]).get(URL + "?from=2026-01&to=2026-03")
    event = AuditEvent.objects.filter(action="stats.dashboard_view").get()
    assert event.username == "mara_member"
    assert event.detail == {"from": "2026-01", "to": "2026-03"}


@pytest.mark.parametrize("query, field", [
    ("?month=2026-13", "month"), ("?month=March", "month"), ("?from=2026-03&to=2026-01", "to"),
    ("?from=2020-01&to=2026-03", "to"), ("?from=2026-01", "to"),
])
def test_a_bad_period_answers_400_with_the_error_beside_its_field(query, field, users, login):
    response = login(users["MARA_CHAIR"]).get(URL + query)
    assert response.status_code == 400
    assert f'id="{field}-error"' in text(response)
    assert not AuditEvent.objects.filter(action="stats.dashboard_view").exists()


def test_without_a_period_the_current_month_is_shown(users, login):
    response = login(users["MARA_MEMBER"]).get(URL)
    assert response.status_code == 200
    today = timezone.localdate()
    assert AuditEvent.objects.get(action="stats.dashboard_view").detail["to"] == f"{today:%Y-%m}"


def test_a_party_name_is_escaped_in_tables_and_charts(users, login, make_incident, mission):
    party = Party.objects.create(mission=mission, name='<img src=x onerror="alert(1)">', party_type="UNKNOWN")
    make_incident(incident_date=datetime.date(2026, 3, 5),
                  perpetrators=[{"party": party, "party_type": "UNKNOWN", "number": 1, "sex": "MALE"}])
    page = text(login(users["MARA_CHAIR"]).get(URL + MARCH))
    assert "<img src=x" not in page
    assert "&lt;img src=x" in page


def test_charts_escape_every_label_and_title():
    svg = charts.bar_chart([("<b>&", 3)], title='"quoted" <t>', description="<d>")
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg
    assert 'aria-label="&quot;quoted&quot; &lt;t&gt;"' in svg and "<desc" in svg
    line = charts.month_chart(["<m>"], [("<s>", [1])], title="t", description="d")
    assert "<m>" not in line and "<s>" not in line

"""The MARA home page: overdue action points first, then meetings, the month's analysis and the
open recommendations; for the MARA room only."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mara.models import Recommendation
from mara.services import analysis as analysis_service
from mara.services import meetings as service

HOME = "/mara/"


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def meetings(users):
    chair = users["MARA_CHAIR"]
    past = service.create_meeting(
        by=chair, fields={"date": days(-30), "format": "IN_PERSON"}, attendees=[],
        action_points=[
            {"description": "Send the hotspot note to the Force", "owner": "JMAC", "forum": "Senior management group",
             "due_date": days(-5), "status": "OPEN"},
            {"description": "Map medical providers in Birchford", "owner": "UNFPA", "due_date": days(-2),
             "status": "IN_PROGRESS"},
            {"description": "Brief the new WPAs", "owner": "SWPA", "due_date": days(-9), "status": "DONE"},
            {"description": "Joint mission to Ashdale", "owner": "HRD", "due_date": days(-9), "status": "DROPPED"},
            {"description": "Engage the Test Front command", "owner": "SWPA", "due_date": days(10)},
        ],
    )
    upcoming = service.create_meeting(by=chair, fields={"date": days(6), "format": "REMOTE"}, attendees=[],
                                      action_points=[])
    return {"past": past, "upcoming": upcoming}


def test_overdue_action_points_are_listed_first_with_their_due_date(users, login, meetings):
    html = login(users["MARA_MEMBER"]).get(HOME).content.decode()

    assert "2 overdue action points" in html
    overdue = html.split('id="overdue-title"')[1].split("</section>")[0]
    assert "Send the hotspot note to the Force" in overdue
    assert "Map medical providers in Birchford" in overdue
    assert days(-5).isoformat() in overdue
    # Done, dropped and not yet due are not overdue.
    for text in ("Brief the new WPAs", "Joint mission to Ashdale", "Engage the Test Front command"):
        assert text not in overdue
    # Oldest first.
    assert overdue.index("Send the hotspot note") < overdue.index("Map medical providers")
    # It comes before everything else on the page.
    assert html.index('id="overdue-title"') < html.index('id="analysis-title"') < html.index('id="meetings-title"')


def test_an_overdue_action_point_leaves_the_list_once_done(users, login, meetings):
    point = meetings["past"].action_points.get(owner="JMAC")
    client = login(users["MARA_CHAIR"])
    response = client.post(f"/mara/meetings/actions/{point.pk}/status/",
                           {"status": "DONE", "expected_status": "OPEN", "next": "home"})
    assert response["Location"] == HOME
    html = client.get(HOME).content.decode()
    assert "1 overdue action point" in html
    assert "Send the hotspot note to the Force" not in html


def test_home_shows_meetings_month_analysis_and_open_recommendations(users, login, meetings):
    analysis_service.save_draft(by=users["MARA_MEMBER"], month=analysis_service.current_month(), expected_version=0,
                                fields={"patterns": "Fewer incidents than last month."})
    for status in ("OPEN", "IN_PROGRESS", "CLOSED"):
        Recommendation.objects.create(mission=users["SWPA"].mission, text="Synthetic recommendation", owner="HRD",
                                      status=status, created_by=users["SWPA"])
    html = login(users["SWPA"]).get(HOME).content.decode()

    assert f'/mara/meetings/{meetings["upcoming"].pk}/' in html
    assert f'/mara/meetings/{meetings["past"].pk}/' in html
    this_month = analysis_service.month_key(analysis_service.current_month())
    assert f"/mara/analysis/{this_month}/" in html
    analysis_block = html.split('id="analysis-title"')[1].split("</section>")[0]
    assert "Draft" in analysis_block and "Not started" in analysis_block  # this month, and last month
    assert "2 open" in html
    assert "/mara/recommendations/" in html


def test_home_links_only_to_pages_that_exist(users, login):
    html = login(users["MARA_CHAIR"]).get(HOME).content.decode()
    for name in ("mara_review", "mara_dashboard", "commitment_list"):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        assert f'href="{url}"' in html, name


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER", "SWPA"])
def test_mara_room_opens_the_home_page(users, login, role):
    assert login(users[role]).get(HOME).status_code == 200


@pytest.mark.parametrize("role", ["WPA", "HRO", "LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN",
                                  "AUDITOR"])
def test_other_roles_are_refused_the_home_page(users, login, role):
    assert login(users[role]).get(HOME).status_code == 403


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(HOME)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

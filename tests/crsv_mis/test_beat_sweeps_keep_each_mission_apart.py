"""The beat tasks sweep every mission of the database: each mission is handled apart, so no
notification goes to a person of another mission (nor to an officer since moved to another mission)
and no figure of one mission counts another's records."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis import roles
from crsv_mis.models import DutyStation, Mission, Notification, Role
from incidents import alerts, services
from incidents.models import Alert
from mara.models import ActionPoint, ActionStatus, Meeting
from mara.services import meetings
from referrals import tasks as referral_tasks
from referrals.models import Provider, Referral
from reporting import services as report_services
from reporting.models import QuarterlyReport
from tests.conftest import incident_fields, make_user, victim_data
from tests.reporting.report_fixtures import seed_quarter

DAY = datetime.timedelta(days=1)


@pytest.fixture
def other(gazetteer):
    """Mission B: its own office, SWPA, field reporter and officer."""
    mission = Mission.objects.create(code="OTHERM", name="Other mission", country=gazetteer["country"])
    station = DutyStation.objects.create(mission=mission, code="other-north", name="Other office",
                                         location=gazetteer["north"])
    return {"mission": mission, "station": station,
            "SWPA": make_user("other_swpa", Role.SWPA, mission),
            "FIELD_REPORTER": make_user("other_reporter", Role.FIELD_REPORTER, mission, [station]),
            "WPA": make_user("other_wpa", Role.WPA, mission, [station])}


def other_incident(other, gazetteer, day):
    return services.create_incident(
        by=other["WPA"], mission=other["mission"],
        fields=incident_fields(other["station"], gazetteer["hamlet"], incident_date=day, reported_date=day),
        form_codes=["RAPE"], victims=[victim_data()], perpetrators=[])


def move_to(user, mission):
    """An officer posted to another mission keeps the account (and what was assigned to it); the move,
    approved by a second person, is not what these tests are about."""
    user.mission = mission
    with roles.without_approval():
        user.save()


def test_it_escalates_an_alert_of_mission_b_to_b_s_swpa_only(settings, users, other, gazetteer):
    settings.ALERT_ESCALATION_MINUTES = 30
    alert = alerts.submit_alert(
        by=other["FIELD_REPORTER"], duty_station=other["station"], location=gazetteer["hamlet"],
        observed_at=timezone.now() - datetime.timedelta(hours=2), description="Synthetic alert of B",
        urgency="URGENT", source_type="HOTLINE")
    Alert.objects.filter(pk=alert.pk).update(reported_at=timezone.now() - datetime.timedelta(hours=1))
    assert alerts.escalate_overdue_alerts() == 1
    escalated = Notification.objects.filter(event_key__contains="escalat")
    assert {n.user for n in escalated} == {other["SWPA"]}
    assert not Notification.objects.filter(user__mission=users["SWPA"].mission).exists()


def test_it_drafts_each_mission_s_quarter_from_its_own_incidents_only(mission, users, make_incident, other,
                                                                      gazetteer):
    seed_quarter(make_incident, users, count=2, verified=0)
    for day in (datetime.date(2026, 1, 9), datetime.date(2026, 2, 9), datetime.date(2026, 3, 9)):
        other_incident(other, gazetteer, day)
    report_services.draft_ended_quarters(today=datetime.date(2026, 4, 2))
    figures = {r.mission.code: r.figures["totals"]["incidents"] for r in QuarterlyReport.objects.all()}
    assert figures == {"DEMO": 2, "OTHERM": 3}


@pytest.fixture
def referral_of_a(mission, users, make_incident):
    day = timezone.localdate() - DAY
    incident = make_incident(incident_date=day, reported_date=day)
    clinic = Provider.objects.create(mission=mission, name="Sweep Clinic", provider_type="HEALTH_FACILITY")
    return Referral.objects.create(
        incident=incident, victim=incident.victims.first(), service="MEDICAL", provider=clinic,
        referred_by=users["WPA"], status="REFERRED", consent_given=True, consent_date=day,
        consent_given_by="SURVIVOR", consent_taken_by=users["WPA"])


def test_it_warns_of_a_referral_deadline_only_people_of_the_referral_s_mission(referral_of_a, users, other):
    move_to(users["WPA"], other["mission"])
    day = referral_of_a.incident.incident_date
    referral_tasks.notify_due(now=datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
                              + datetime.timedelta(hours=62))
    assert {n.user for n in Notification.objects.all()} == {users["SWPA"]}


def test_it_reminds_an_overdue_action_point_only_to_an_officer_of_the_meeting_s_mission(mission, users, other):
    meeting = Meeting.objects.create(mission=mission, date=timezone.localdate() - 30 * DAY, format="REMOTE",
                                     created_by=users["MARA_CHAIR"])
    ActionPoint.objects.create(meeting=meeting, description="Sweep point", owner="Sweep owner",
                               due_date=timezone.localdate() - 2 * DAY, status=ActionStatus.OPEN,
                               assigned_to=users["WPA"])
    move_to(users["WPA"], other["mission"])
    assert meetings.remind_overdue_action_points() == 0
    assert not Notification.objects.exists()

"""A north office with open work of each of the four kinds, and the same kinds closed, next to it.

Made through the services a duty station uses (intake, alerts, referrals); the statuses the MARA and
the providers would set later are written directly, since how they got there is not what a handover
test is about."""

import datetime

import pytest
from django.utils import timezone

from incidents import alerts
from incidents.choices import VerificationStatus
from incidents.models import Incident
from lifecycle import handover
from mara.models import ActionPoint, ActionStatus, Meeting
from referrals import services as referrals
from referrals.models import Referral, ReferralStatus

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def alert_at(users, stations, gazetteer, station="north", description="Synthetic alert for the handover tests."):
    return alerts.submit_alert(by=users["FIELD_REPORTER"], duty_station=stations[station],
                               location=gazetteer["hamlet"], observed_at=timezone.now() - datetime.timedelta(hours=1),
                               description=description, urgency="URGENT", source_type="COMMUNITY_ALERT_NETWORK")


def refer(users, incident, provider, by="WPA"):
    return referrals.create_referral(
        by=users[by], victim=incident.victims.first(), service="MEDICAL", provider=provider, urgency="URGENT",
        note="Synthetic note for the provider.", send=True, consent_given=True,
        consent_date=TODAY(), consent_given_by="SURVIVOR")


def action_point(meeting, officer, *, due, status=ActionStatus.OPEN, description="Synthetic action point"):
    return ActionPoint.objects.create(meeting=meeting, description=description, owner="Protection cluster",
                                      due_date=due, status=status, assigned_to=officer)


@pytest.fixture
def meeting(mission, users):
    return Meeting.objects.create(mission=mission, date=TODAY() - 10 * DAY, format="IN_PERSON",
                                  created_by=users["MARA_CHAIR"])


@pytest.fixture
def work(users, stations, gazetteer, make_incident, clinic, meeting):
    """{name: record}: "open_*" are the north office's open work (held by the WPA), the others not."""
    open_incident = make_incident()
    under_verification = make_incident()
    Incident.objects.filter(pk=under_verification.pk).update(status=VerificationStatus.UNDER_VERIFICATION)
    verified = make_incident()
    Incident.objects.filter(pk=verified.pk).update(status=VerificationStatus.VERIFIED)
    south_incident = make_incident(station="south", by="HRO_SOUTH")

    open_referral = refer(users, open_incident, clinic)
    referrals.add_follow_up(open_referral, by=users["WPA"], date=TODAY() - 5 * DAY, outcome="Synthetic outcome",
                            next_follow_up=TODAY() - 2 * DAY)
    quiet_referral = refer(users, under_verification, clinic)
    closed_referral = refer(users, verified, clinic)
    Referral.objects.filter(pk=closed_referral.pk).update(status=ReferralStatus.CLOSED)
    south_referral = refer(users, south_incident, clinic, by="HRO_SOUTH")

    open_alert = alert_at(users, stations, gazetteer)
    acknowledged = alert_at(users, stations, gazetteer)
    alerts.acknowledge_alert(acknowledged, by=users["HRO"])
    south_alert = alert_at(users, stations, gazetteer, station="south")

    overdue_point = action_point(meeting, users["WPA"], due=TODAY() - 3 * DAY)
    later_point = action_point(meeting, users["WPA"], due=TODAY() + 20 * DAY, status=ActionStatus.IN_PROGRESS)
    done_point = action_point(meeting, users["WPA"], due=TODAY() - 3 * DAY, status=ActionStatus.DONE)
    dropped_point = action_point(meeting, users["WPA"], due=TODAY() - 3 * DAY, status=ActionStatus.DROPPED)
    south_point = action_point(meeting, users["HRO_SOUTH"], due=TODAY() - 3 * DAY)
    return {
        "open_incident": open_incident, "under_verification": under_verification, "verified": verified,
        "south_incident": south_incident, "open_referral": open_referral, "quiet_referral": quiet_referral,
        "closed_referral": closed_referral, "south_referral": south_referral, "open_alert": open_alert,
        "acknowledged": acknowledged, "south_alert": south_alert, "overdue_point": overdue_point,
        "later_point": later_point, "done_point": done_point, "dropped_point": dropped_point,
        "south_point": south_point,
    }


@pytest.fixture
def new_officer(users, stations, mission):
    """A WPA just posted to the north office: she takes the outgoing WPA's work over."""
    from tests.conftest import make_user

    return make_user("wpa_new", "WPA", mission, [stations["north"]])


def post_preview(client, station, outgoing, incoming):
    return client.post(f"/handover/{station.code}/preview/", {"outgoing": outgoing.pk, "incoming": incoming.pk})


def post_confirm(client, station, outgoing, incoming, by):
    _counts, fingerprint = handover.preview(by, station, outgoing, incoming)
    return client.post(f"/handover/{station.code}/confirm/", {
        "outgoing": outgoing.pk, "incoming": incoming.pk, "fingerprint": fingerprint})


def held_by(user):
    """{kind: set of ids} `user` is in charge of (action points: following up)."""
    return {
        handover.INCIDENTS: set(Incident.objects.filter(assigned_to=user).values_list("pk", flat=True)),
        handover.REFERRALS: set(Referral.objects.filter(assigned_to=user).values_list("pk", flat=True)),
        handover.ACTION_POINTS: set(ActionPoint.objects.filter(assigned_to=user).values_list("pk", flat=True)),
    }

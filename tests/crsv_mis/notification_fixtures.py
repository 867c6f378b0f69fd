"""Every kind of notification the product sends, each made by the service that sends it, on records
whose identifying fields all hold a unique marker, so a test can prove no marker reaches an e-mail."""

import datetime

from django.utils import timezone

from crsv_mis.models import Notification
from incidents import alerts
from lifecycle import handover
from mara.services import meetings, verification
from referrals import services as referrals
from referrals import tasks as referral_tasks
from referrals.models import Provider, ProviderService
from reporting import disclosures
from tests.conftest import make_user, victim_data
from tests.reporting.report_fixtures import generate

MARKERS = {
    "narrative": "Qxnarrativemark synthetic account",
    "summary": "Qxsummarymark synthetic summary",
    "victim name": "Testname Qxnamemark",
    "contact": "+000 555 0142 Qxcontactmark",
    "previously interviewed by": "Qxinterviewmark caseworker",
    "location name": "Qxlocationmark",
    "coordinates": "4.4242,5.4242",
    "alert description": "Qxalertmark armed men seen near the water point",
    "referral note": "Qxreferralmark note for the provider",
    "follow-up": "Qxfollowupmark outcome",
    "rationale": "Qxrationalemark two consistent accounts",
    "action point": "Qxactionmark visit the site",
    "disclosure purpose": "Qxpurposemark synthetic purpose",
}

# (kind, recipient role): every kind of notification, by the shape of its event key.
KINDS = {
    "alert:new": "WPA",
    "alert:escalated": "SWPA",
    "referral:referred": "REFERRAL_FOCAL_POINT",
    "referral:pep-passed": "WPA",
    "referral:ec-passed": "WPA",
    "followup:overdue": "WPA",
    "incident:verification": "HRO",  # before the handover: she was in charge
    "action_point:assigned": "HRO",
    "action_point:overdue": "WPA",
    "handover:in": "WPA",
    "handover:out": "HRO",
    "disclosure:requested": "SWPA",
    "report:ready": "SWPA",
}


def kind_of(notification):
    """The event key without its ids: "alert:12:new" -> "alert:new"."""
    return ":".join(part for part in notification.event_key.split(":") if not part.isdigit())


def every_kind(users, stations, gazetteer, make_incident, mission):
    """Send one notification of each kind; returns {kind: [notification]}."""
    for user in users.values():
        user.email = f"{user.username}@example.org"
        user.save()
    gazetteer["hamlet"].name = MARKERS["location name"]
    gazetteer["hamlet"].save()
    incident = make_incident(
        by="HRO", narrative=MARKERS["narrative"], summary=MARKERS["summary"], coordinates=MARKERS["coordinates"],
        incident_date=timezone.localdate() - datetime.timedelta(days=5),
        victims=[victim_data(name=MARKERS["victim name"], contact=MARKERS["contact"],
                             previously_interviewed_by=MARKERS["previously interviewed by"])])

    alert = alerts.submit_alert(by=users["FIELD_REPORTER"], duty_station=stations["north"],
                                location=gazetteer["hamlet"], observed_at=timezone.now(),
                                description=MARKERS["alert description"], urgency="URGENT",
                                source_type="COMMUNITY_ALERT_NETWORK")
    alerts.escalate_overdue_alerts(now=timezone.now() + datetime.timedelta(hours=2))

    provider = Provider.objects.create(mission=mission, name="Test Clinic", provider_type="HEALTH_FACILITY")
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    provider.focal_points.set([users["REFERRAL_FOCAL_POINT"]])
    referral = referrals.create_referral(
        by=users["HRO"], victim=incident.victims.first(), service="MEDICAL", provider=provider,
        urgency="EMERGENCY", note=MARKERS["referral note"], send=True, consent_given=True,
        consent_date=timezone.localdate(), consent_given_by="SURVIVOR")
    referrals.add_follow_up(referral, by=users["HRO"], date=timezone.localdate() - datetime.timedelta(days=3),
                            outcome=MARKERS["follow-up"], note=MARKERS["follow-up"],
                            next_follow_up=timezone.localdate() - datetime.timedelta(days=1))

    verification.open_verification(incident, by=users["MARA_CHAIR"], rationale=MARKERS["rationale"])

    meeting = meetings.create_meeting(
        by=users["MARA_CHAIR"], fields={"date": timezone.localdate() - datetime.timedelta(days=20),
                                        "format": "IN_PERSON", "agenda": MARKERS["action point"]},
        attendees=[], action_points=[{"description": MARKERS["action point"], "owner": MARKERS["action point"],
                                      "due_date": timezone.localdate() - datetime.timedelta(days=2),
                                      "assigned_to": users["HRO"]}])

    # The HRO rotates out: the north WPA takes her incident, referral and action point over.
    counts, fingerprint = handover.preview(users["SWPA"], stations["north"], users["HRO"], users["WPA"])
    handover.reassign(by=users["SWPA"], station=stations["north"], outgoing=users["HRO"], incoming=users["WPA"],
                      expected_fingerprint=fingerprint)
    # Reminders after the handover: they go to the officer now in charge.
    referral_tasks.notify_due()
    meetings.remind_overdue_action_points()

    second_swpa = make_user("swpa2", "SWPA", mission)
    second_swpa.email = "swpa2@example.org"
    second_swpa.save()
    disclosures.request_disclosure(by=second_swpa, recipient="Synthetic tribunal", legal_basis="Synthetic basis",
                                   purpose=MARKERS["disclosure purpose"], items=["SUMMARY"],
                                   references=[incident.reference])
    generate(mission, by=users["SWPA"])

    found = {}
    for notification in Notification.objects.select_related("user").order_by("id"):
        found.setdefault(kind_of(notification), []).append(notification)
    return found, {"incident": incident, "alert": alert, "referral": referral, "meeting": meeting,
                   "counts": counts}

"""A whole case for the retention tests: an incident with a woman and a girl (her consent decided by
a caregiver), a referral that ended with a follow-up, and an alert recorded as this incident with a
response; and a pass of retention run as if on a later day."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from incidents import alerts
from incidents.models import Alert
from lifecycle import retention
from referrals import services as referrals
from referrals.models import Provider, ProviderService
from tests.conftest import victim_data

# Past every default period (incidents 10 years, alerts 3, referrals 5, audit 7), and a notice later.
YEARS_LATER = datetime.timedelta(days=11 * 365)
NOTICE_LATER = datetime.timedelta(days=15)
NARRATIVE = "Synthetic narrative for the retention tests only."
NAMES = ("Testname Retention", "Testname Child")


def later(extra=datetime.timedelta(0)):
    return timezone.now() + YEARS_LATER + extra


def run_on(mission, when, **kwargs):
    return retention.run(mission, now=when, **kwargs)


def raw_row(table, pk, *columns):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        return cursor.fetchone()


@pytest.fixture
def clinic(mission, gazetteer, users):
    provider = Provider.objects.create(mission=mission, name="Ashdale Clinic", provider_type="HEALTH_FACILITY",
                                       contact="+000 555 0199")
    provider.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    return provider


@pytest.fixture
def case(make_incident, users, clinic, stations, gazetteer):
    incident = make_incident(narrative=NARRATIVE, victims=[
        victim_data(name=NAMES[0], age_years=31, previously_interviewed_by="Test NGO caseworker"),
        victim_data(name=NAMES[1], age_years=15, age_group="12-17", consent_given_by="CAREGIVER",
                    consent_decided_by="Test caregiver, aunt"),
    ])
    victim = incident.victims.first()
    referral = referrals.create_referral(
        by=users["WPA"], victim=victim, service="MEDICAL", provider=clinic, urgency="EMERGENCY",
        note="Synthetic note for the provider.", send=True, consent_given=True,
        consent_date=timezone.localdate(), consent_given_by="SURVIVOR")
    referrals.add_follow_up(referral, by=users["WPA"], date=timezone.localdate(), outcome="Synthetic outcome text",
                            note="Synthetic follow-up note.")
    referrals.change_status(referral, by=users["WPA"], to="LOST_TO_FOLLOW_UP", reason="Synthetic moved away")
    alert = alerts.submit_alert(
        by=users["WPA"], duty_station=stations["north"], location=gazetteer["hamlet"],
        observed_at=timezone.now() - datetime.timedelta(hours=1), description="Synthetic alert description.",
        urgency="URGENT", source_type="COMMUNITY_ALERT_NETWORK", indicators=[])
    alerts.add_response(alert, by=users["WPA"], kind="PATROL", component="Force",
                        responded_at=timezone.now(), outcome="Synthetic patrol outcome.")
    alerts.close_alert(alert, by=users["WPA"])
    Alert.objects.filter(pk=alert.pk).update(incident=incident)
    return {"incident": incident, "referral": referral, "alert": Alert.objects.get(pk=alert.pk)}

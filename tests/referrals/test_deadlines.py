"""PEP (72 h) and emergency contraception (120 h) deadlines of a MEDICAL referral, counted from
00:00 UTC of the incident date, only for incidents dated to the day and recent."""

import datetime

import pytest
from django.utils import timezone

from referrals.deadlines import medical_deadlines
from referrals.models import Provider, Referral

UTC = datetime.UTC


@pytest.fixture
def clinic(mission):
    return Provider.objects.create(mission=mission, name="Deadline Clinic", provider_type="HEALTH_FACILITY")


@pytest.fixture
def make_referral(make_incident, users, clinic):
    def _make(incident_date, service="MEDICAL", precision="DAY"):
        incident = make_incident(incident_date=incident_date, incident_date_precision=precision,
                                 reported_date=incident_date)
        return Referral.objects.create(
            incident=incident, victim=incident.victims.first(), service=service, provider=clinic,
            referred_by=users["WPA"], status="REFERRED", consent_given=True, consent_date=incident_date,
            consent_given_by="SURVIVOR", consent_taken_by=users["WPA"])
    return _make


def at(day, hour=0):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=UTC)


def test_deadlines_count_from_the_start_of_the_incident_date(make_referral):
    day = timezone.localdate() - datetime.timedelta(days=1)
    referral = make_referral(day)
    now = at(day, 10)  # 10 h after 00:00 UTC of the incident date

    pep, ec = medical_deadlines(referral, now=now)

    assert pep["kind"] == "PEP" and ec["kind"] == "EC"
    assert pep["deadline"] == at(day) + datetime.timedelta(hours=72)
    assert ec["deadline"] == at(day) + datetime.timedelta(hours=120)
    assert pep["hours_left"] == 62.0 and ec["hours_left"] == 110.0
    assert not pep["passed"] and not ec["passed"]
    assert pep["label"] and ec["label"]


def test_pep_passed_while_emergency_contraception_is_still_open(make_referral):
    day = timezone.localdate() - datetime.timedelta(days=4)
    referral = make_referral(day)
    now = at(day) + datetime.timedelta(hours=80)

    pep, ec = medical_deadlines(referral, now=now)

    assert pep["passed"] and pep["hours_left"] == -8.0
    assert not ec["passed"] and ec["hours_left"] == 40.0


def test_default_now_is_the_current_time(make_referral):
    day = timezone.localdate()
    pep, _ec = medical_deadlines(make_referral(day))
    assert 0 < pep["hours_left"] <= 72


@pytest.mark.parametrize("service", ["PSYCHOSOCIAL", "LEGAL", "SAFETY_SHELTER", "SOCIO_ECONOMIC", "OTHER"])
def test_no_deadline_for_other_services(make_referral, service):
    day = timezone.localdate() - datetime.timedelta(days=1)
    assert medical_deadlines(make_referral(day, service=service), now=at(day, 5)) is None


@pytest.mark.parametrize("precision", ["MONTH", "YEAR", "RANGE"])
def test_no_deadline_without_the_exact_day(make_referral, precision):
    day = timezone.localdate() - datetime.timedelta(days=1)
    assert medical_deadlines(make_referral(day, precision=precision), now=at(day, 5)) is None


def test_no_deadline_for_an_old_incident(make_referral):
    day = timezone.localdate() - datetime.timedelta(days=30)
    referral = make_referral(day)
    assert medical_deadlines(referral, now=at(day) + datetime.timedelta(days=20)) is None
    # The same referral, seen while recent, had its deadlines.
    assert medical_deadlines(referral, now=at(day, 1)) is not None

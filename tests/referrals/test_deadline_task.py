"""The beat task referrals.tasks.watch_deadlines: PEP/EC deadlines within 12 hours or passed on
open MEDICAL referrals, and overdue follow-ups, notify the referrer and the mission's SWPA once
per event, with no survivor information; running it twice creates nothing new.

The task runs for real in the transactional tests: inline when Celery is eager (no REDIS_URL),
through a Celery worker on Redis when REDIS_URL is set (as in CI).
"""

import datetime

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.utils import timezone

from crsv_mis.celery import app as celery_app
from crsv_mis.models import AuditEvent, Notification, Role
from referrals import tasks
from referrals.models import FollowUp, Provider, Referral
from referrals.tasks import watch_deadlines
from tests.conftest import make_user

UTC = datetime.UTC


def at(day, hours=0):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=UTC) + datetime.timedelta(hours=hours)


@pytest.fixture
def clinic(mission):
    return Provider.objects.create(mission=mission, name="Task Clinic", provider_type="HEALTH_FACILITY")


@pytest.fixture
def make_referral(make_incident, users, clinic):
    def _make(days_ago, service="MEDICAL", status="REFERRED", by="WPA", precision="DAY"):
        day = timezone.localdate() - datetime.timedelta(days=days_ago)
        incident = make_incident(incident_date=day, incident_date_precision=precision, reported_date=day)
        return Referral.objects.create(
            incident=incident, victim=incident.victims.first(), service=service, provider=clinic,
            referred_by=users[by], status=status, consent_given=True, consent_date=day,
            consent_given_by="SURVIVOR", consent_taken_by=users[by])
    return _make


def keys_for(user):
    return set(user.notifications.values_list("event_key", flat=True))


def audits():
    return AuditEvent.objects.filter(action="referral.deadline_notify")


def test_pep_deadline_close_then_passed_notifies_referrer_and_swpa_once(make_referral, users, mission):
    second_swpa = make_user("swpa2", Role.SWPA, mission)
    referral = make_referral(days_ago=1)
    day = referral.incident.incident_date
    key = f"referral:{referral.pk}:pep-close"

    assert tasks.notify_due(now=at(day, 62)) == 3  # PEP 10 h left; EC 58 h left: nothing yet

    for user in (users["WPA"], users["SWPA"], second_swpa):
        assert keys_for(user) == {key}
    for role in ("HRO", "HRO_SOUTH", "MARA_CHAIR", "REFERRAL_FOCAL_POINT", "LEADERSHIP"):
        assert not users[role].notifications.exists(), role
    note = users["WPA"].notifications.get()
    assert note.text == f"Referral #{referral.pk}: PEP deadline in 10 h"
    assert note.url == f"/referrals/{referral.pk}/"
    assert referral.victim.code not in note.text and referral.incident.reference not in note.text
    assert audits().count() == 1
    assert audits().get().detail == {"notifications": 3, "events": [key]}

    # Run again, and again a little later: nothing new, no new audit event.
    assert tasks.notify_due(now=at(day, 62)) == 0
    assert tasks.notify_due(now=at(day, 63)) == 0
    assert Notification.objects.filter(event_key=key).count() == 3
    assert audits().count() == 1

    assert tasks.notify_due(now=at(day, 73)) == 3
    assert keys_for(users["WPA"]) == {key, f"referral:{referral.pk}:pep-passed"}
    assert users["SWPA"].notifications.filter(
        text=f"Referral #{referral.pk}: PEP deadline passed").exists()
    assert tasks.notify_due(now=at(day, 73)) == 0

    # Emergency contraception: close at 108 h and later, passed at 120 h.
    assert tasks.notify_due(now=at(day, 110)) == 3
    assert tasks.notify_due(now=at(day, 121)) == 3
    assert keys_for(users["WPA"]) == {f"referral:{referral.pk}:{k}"
                                      for k in ("pep-close", "pep-passed", "ec-close", "ec-passed")}
    assert audits().count() == 4


def test_deadlines_ignored_for_closed_non_medical_imprecise_or_far_referrals(make_referral, users):
    closed = make_referral(days_ago=1, status="SERVICE_PROVIDED")
    day = closed.incident.incident_date
    make_referral(days_ago=1, service="PSYCHOSOCIAL")
    make_referral(days_ago=1, status="DECLINED_BY_SURVIVOR")
    make_referral(days_ago=1, precision="MONTH")
    far = make_referral(days_ago=0)  # PEP still 72 h + away at the start of its day

    assert tasks.notify_due(now=at(day, 62)) == 0
    assert tasks.notify_due(now=at(far.incident.incident_date, 1)) == 0
    assert not Notification.objects.exists()
    assert not audits().exists()


def test_overdue_follow_up_without_a_later_one_is_notified_once(make_referral, users):
    today = timezone.localdate()
    referral = make_referral(days_ago=40, service="PSYCHOSOCIAL", status="ACCEPTED", by="HRO")
    overdue = FollowUp.objects.create(referral=referral, date=today - datetime.timedelta(days=10), outcome="seen",
                                      next_follow_up=today - datetime.timedelta(days=1), recorded_by=users["HRO"])
    # Superseded: a later follow-up was recorded after it.
    handled_ref = make_referral(days_ago=40, service="LEGAL", status="REFERRED")
    FollowUp.objects.create(referral=handled_ref, date=today - datetime.timedelta(days=10), outcome="seen",
                            next_follow_up=today - datetime.timedelta(days=3), recorded_by=users["WPA"])
    FollowUp.objects.create(referral=handled_ref, date=today - datetime.timedelta(days=2), outcome="seen again",
                            next_follow_up=today + datetime.timedelta(days=5), recorded_by=users["WPA"])
    # Due today is not overdue; a closed referral is not followed up.
    FollowUp.objects.create(referral=make_referral(days_ago=40, service="LEGAL"), date=today, outcome="seen",
                            next_follow_up=today, recorded_by=users["WPA"])
    closed = make_referral(days_ago=40, service="LEGAL", status="CLOSED")
    FollowUp.objects.create(referral=closed, date=today - datetime.timedelta(days=10), outcome="seen",
                            next_follow_up=today - datetime.timedelta(days=1), recorded_by=users["WPA"])

    assert tasks.notify_due() == 2
    key = f"followup:{overdue.pk}:overdue"
    assert keys_for(users["HRO"]) == {key} and keys_for(users["SWPA"]) == {key}
    assert not users["WPA"].notifications.exists()
    text = users["HRO"].notifications.get().text
    assert text.startswith(f"Referral #{referral.pk}: follow-up overdue") and referral.victim.code not in text
    assert tasks.notify_due() == 0
    assert audits().count() == 1


def run_task():
    return watch_deadlines.delay().get(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_the_task_through_celery_notifies_once_when_run_twice(celery_worker, make_referral, users):
    # Six days ago: both the PEP (72 h) and the EC (120 h) deadlines have passed, whatever the hour.
    referral = make_referral(days_ago=6)
    today = timezone.localdate()
    follow_up = FollowUp.objects.create(referral=referral, date=today - datetime.timedelta(days=3), outcome="seen",
                                        next_follow_up=today - datetime.timedelta(days=1), recorded_by=users["WPA"])

    assert run_task() == 6
    expected = {f"referral:{referral.pk}:pep-passed", f"referral:{referral.pk}:ec-passed",
                f"followup:{follow_up.pk}:overdue"}
    assert keys_for(users["WPA"]) == expected and keys_for(users["SWPA"]) == expected

    assert run_task() == 0
    assert Notification.objects.count() == 6
    assert audits().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_task_is_retried_after_a_database_error(celery_worker, make_referral, users, monkeypatch):
    make_referral(days_ago=6)
    real = tasks.notify_due
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("synthetic: the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "notify_due", flaky)
    if celery_app.conf.task_always_eager:
        # Eager Celery with propagation hands the retry back to the caller; apply() without
        # propagation follows it, as a worker would.
        assert watch_deadlines.apply(throw=False).get() == 4
    else:
        assert run_task() == 4
    assert len(calls) == 2
    assert Notification.objects.count() == 4


def test_the_beat_schedule_names_the_task():
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert watch_deadlines.name == "referrals.tasks.watch_deadlines"
    assert watch_deadlines.name in scheduled and watch_deadlines.name in celery_app.tasks

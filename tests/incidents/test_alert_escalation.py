"""URGENT alerts nobody acknowledged within ALERT_ESCALATION_MINUTES escalate to the SWPA, once.

The Celery beat task runs for real: inline when Celery is eager (no REDIS_URL), through a Celery
worker on Redis when REDIS_URL is set (as in CI).
"""

import datetime
import threading
import time
import traceback

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import OperationalError, connection
from django.utils import timezone

from crsv_mis.celery import app as celery_app
from crsv_mis.models import AuditEvent, Notification, Role
from incidents import alerts
from incidents.models import Alert
from incidents.tasks import escalate_unacknowledged_alerts
from tests.conftest import make_user

DESCRIPTION = "Synthetic test alert: people fleeing Quillby report armed men at the well."


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def escalation_after(settings):
    settings.ALERT_ESCALATION_MINUTES = 30
    return 30


@pytest.fixture
def make_alert(users, stations, gazetteer):
    def _make(urgency="URGENT", minutes_ago=0, station="north"):
        alert = alerts.submit_alert(
            by=users["FIELD_REPORTER"], duty_station=stations[station], location=gazetteer["hamlet"],
            observed_at=timezone.now() - datetime.timedelta(minutes=minutes_ago + 5), description=DESCRIPTION,
            urgency=urgency, source_type="HOTLINE",
        )
        # reported_at is set when the alert is saved; move it back to age the alert.
        Alert.objects.filter(pk=alert.pk).update(reported_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
        alert.refresh_from_db()
        return alert
    return _make


def run_escalation():
    return escalate_unacknowledged_alerts.delay().get(timeout=30)


def escalations(alert):
    return Notification.objects.filter(event_key=f"alert:{alert.pk}:escalated")


@pytest.mark.django_db(transaction=True)
def test_urgent_alert_unacknowledged_past_the_limit_escalates_to_the_swpa_once(
        celery_worker, escalation_after, make_alert, users, mission):
    second_swpa = make_user("swpa2", Role.SWPA, mission)
    alert = make_alert(minutes_ago=escalation_after + 1)

    assert run_escalation() == 1

    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert set(escalations(alert).values_list("user__username", flat=True)) == {"swpa", second_swpa.username}
    for role in ("WPA", "HRO", "HRO_SOUTH", "LEADERSHIP", "MARA_CHAIR", "FIELD_REPORTER"):
        assert not users[role].notifications.filter(event_key__endswith=":escalated").exists(), role
    text = escalations(alert).first().text
    assert alert.reference in text and "Quillby" not in text and "well" not in text
    assert AuditEvent.objects.filter(action="alert.escalate", object_ref=alert.reference).count() == 1

    # Safe to run twice: nothing new, and the time of escalation stays the first one.
    first = alert.escalated_at
    assert run_escalation() == 0
    alert.refresh_from_db()
    assert alert.escalated_at == first
    assert escalations(alert).count() == 2
    assert AuditEvent.objects.filter(action="alert.escalate", object_ref=alert.reference).count() == 1


@pytest.mark.django_db(transaction=True)
def test_swpa_with_an_address_is_emailed_about_the_escalation_without_its_content(
        celery_worker, escalation_after, make_alert, users):
    users["SWPA"].email = "swpa@example.org"
    users["SWPA"].save()
    alert = make_alert(minutes_ago=escalation_after + 5)

    assert run_escalation() == 1

    assert wait_until(lambda: len(mail.outbox) >= 1), "the escalation e-mail was not sent"
    message = mail.outbox[0]
    assert message.to == ["swpa@example.org"]
    assert alert.reference in message.body and "escalated" in message.body
    assert "Quillby" not in message.body + message.subject and "well" not in message.body
    assert run_escalation() == 0
    time.sleep(0.5)  # an e-mail task queued by mistake would have run by now
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_alert_is_not_escalated_before_its_time(celery_worker, escalation_after, make_alert):
    alert = make_alert(minutes_ago=escalation_after - 1)
    assert run_escalation() == 0
    alert.refresh_from_db()
    assert alert.escalated_at is None and not escalations(alert).exists()


@pytest.mark.django_db
def test_escalation_follows_the_configured_minutes(settings, make_alert):
    settings.ALERT_ESCALATION_MINUTES = 5
    alert = make_alert(minutes_ago=6)
    assert alerts.escalate_overdue_alerts() == 1
    alert.refresh_from_db()
    assert alert.escalated_at is not None


@pytest.mark.django_db(transaction=True)
def test_acknowledged_alert_is_not_escalated(celery_worker, escalation_after, make_alert, users):
    alert = make_alert(minutes_ago=escalation_after + 10)
    alerts.acknowledge_alert(alert, by=users["HRO"])
    assert run_escalation() == 0
    alert.refresh_from_db()
    assert alert.escalated_at is None and not escalations(alert).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("urgency", ["HIGH", "ROUTINE"])
def test_only_urgent_alerts_escalate(escalation_after, make_alert, urgency):
    alert = make_alert(urgency=urgency, minutes_ago=escalation_after * 10)
    assert alerts.escalate_overdue_alerts() == 0
    alert.refresh_from_db()
    assert alert.escalated_at is None


@pytest.mark.django_db
def test_closed_alert_is_not_escalated(escalation_after, make_alert, users):
    alert = make_alert(minutes_ago=escalation_after + 1)
    alerts.close_alert(alert, by=users["SWPA"])
    assert alerts.escalate_overdue_alerts() == 0


@pytest.mark.django_db(transaction=True)
def test_parallel_runs_escalate_each_alert_once(escalation_after, make_alert, users):
    overdue = [make_alert(minutes_ago=escalation_after + 1 + n) for n in range(3)]
    runs = 4
    barrier = threading.Barrier(runs)
    results, failures = [], []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(timeout=30)
            count = alerts.escalate_overdue_alerts()
            with lock:
                results.append(count)
        except Exception:
            with lock:
                failures.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == [], failures[0] if failures else ""
    assert sum(results) == len(overdue)
    for alert in overdue:
        assert escalations(alert).count() == 1
        assert AuditEvent.objects.filter(action="alert.escalate", object_ref=alert.reference).count() == 1


@pytest.mark.django_db(transaction=True)
def test_escalation_task_is_retried_after_a_database_error(celery_worker, escalation_after, make_alert,
                                                           monkeypatch):
    alert = make_alert(minutes_ago=escalation_after + 1)
    real = alerts.escalate_overdue_alerts
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("synthetic: the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(alerts, "escalate_overdue_alerts", flaky)
    if celery_app.conf.task_always_eager:
        # Eager Celery with propagation hands the retry back to the caller; apply() without
        # propagation follows it, as a worker would.
        assert escalate_unacknowledged_alerts.apply(throw=False).get() == 1
    else:
        assert run_escalation() == 1
    assert len(calls) == 2
    alert.refresh_from_db()
    assert alert.escalated_at is not None


def test_the_beat_schedule_names_the_escalation_task():
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert escalate_unacknowledged_alerts.name in scheduled
    assert escalate_unacknowledged_alerts.name in celery_app.tasks

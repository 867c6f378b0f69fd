"""Redis down: incidents and alerts are still saved, and the tasks they queue (the rollup recount, the
alert e-mails) wait in the outbox and run once Redis is back (crsv_mis/outbox.py).

A real redis-server of the test's own is stopped (SHUTDOWN NOSAVE) and started again on the same
port, with a real Celery worker consuming from it throughout.
"""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from crsv_mis.models import Notification, QueuedTask
from crsv_mis.tasks import send_notification_emails
from incidents.models import Alert, Incident
from reporting.models import RollupCell, StaleMonth
from tests.incidents.test_alerts import form_data
from tests.incidents.test_intake_page import intake_post
from tests.servers import wait_for


def unsent(task):
    return QueuedTask.objects.filter(task=task, sent_at__isnull=True)


def submit_incident_and_alert(login, users, stations, gazetteer, party):
    users["WPA"].email = "wpa@example.org"
    users["WPA"].save()
    intake = login(users["WPA"]).post("/incidents/new/", intake_post(stations["north"], gazetteer["hamlet"], party))
    alert = login(users["FIELD_REPORTER"]).post("/alerts/new/", form_data(stations, gazetteer))
    return intake, alert


@pytest.fixture
def outbox_relays_at_once(settings):
    settings.OUTBOX_GRACE_SECONDS = 0
    settings.OUTBOX_RETRY_SECONDS = 0


@pytest.mark.django_db(transaction=True)
def test_it_saves_the_incident_and_the_alert_and_runs_their_tasks_once_redis_returns(
        own_redis, celery_worker, outbox_relays_at_once, login, users, stations, gazetteer, party):
    own_redis.stop()

    intake, alert = submit_incident_and_alert(login, users, stations, gazetteer, party)

    assert intake.status_code == 302 and alert.status_code == 302  # saved, no error page
    incident = Incident.objects.get()
    assert Alert.objects.count() == 1
    recount = unsent("reporting.tasks.refresh_months").get()
    emails = unsent("crsv_mis.tasks.send_notification_emails").get()
    assert recount.attempts == 1 and recount.last_error
    assert emails.attempts == 1 and emails.last_error
    month = incident.incident_date.replace(day=1)
    assert StaleMonth.objects.filter(month=month).exists()
    assert mail.outbox == []

    own_redis.start()
    call_command("relay_outbox")

    assert not QueuedTask.objects.filter(sent_at__isnull=True).exists()
    assert wait_for(lambda: len(mail.outbox) == 1, timeout=60), "the alert e-mail never went"
    assert mail.outbox[0].to == ["wpa@example.org"]
    assert wait_for(lambda: not StaleMonth.objects.filter(month=month).exists(), timeout=60)
    assert RollupCell.objects.get(month=month, dimension="total").incidents == 1
    # Sent twice (the relay and a late sender, or a redelivery): nobody is e-mailed twice.
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert send_notification_emails.apply(args=[ids]).get() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_the_web_process_sends_what_was_left_behind_with_its_next_commit(
        own_redis, celery_worker, outbox_relays_at_once, login, users, stations, gazetteer, party):
    own_redis.stop()
    submit_incident_and_alert(login, users, stations, gazetteer, party)
    assert QueuedTask.objects.filter(sent_at__isnull=True).count() == 2
    own_redis.start()

    # The next change after Redis is back: its own task is sent, and the two left behind with it.
    later = intake_post(stations["north"], gazetteer["hamlet"], party,
                        incident_date=(timezone.localdate() - datetime.timedelta(days=12)).isoformat())
    assert login(users["WPA"]).post("/incidents/new/", later).status_code == 302

    assert not QueuedTask.objects.filter(sent_at__isnull=True).exists()
    assert wait_for(lambda: len(mail.outbox) == 1, timeout=60), "the alert e-mail never went"

"""Redis down during a handover: the handover is saved, and the two officers' e-mails wait in the
outbox and go, once, when Redis is back (the alert e-mails: the test beside this one)."""

import pytest
from django.core import mail
from django.core.management import call_command

from crsv_mis.models import QueuedTask
from lifecycle import handover
from tests.conftest import make_user
from tests.servers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_keeps_the_handover_emails_until_redis_returns(own_redis, celery_worker, settings, users, stations,
                                                          make_incident):
    settings.OUTBOX_GRACE_SECONDS = 0
    settings.OUTBOX_RETRY_SECONDS = 0
    incident = make_incident()
    incoming = make_user("wpa_new", "WPA", stations["north"].mission, [stations["north"]])
    for user in (users["WPA"], incoming):
        user.email = f"{user.username}@example.org"
        user.save()
    own_redis.stop()

    _counts, fingerprint = handover.preview(users["SWPA"], stations["north"], users["WPA"], incoming)
    handover.reassign(by=users["SWPA"], station=stations["north"], outgoing=users["WPA"], incoming=incoming,
                      expected_fingerprint=fingerprint)

    incident.refresh_from_db()
    assert incident.assigned_to == incoming
    left = QueuedTask.objects.filter(task="crsv_mis.tasks.send_notification_emails", sent_at__isnull=True)
    assert left.count() == 2 and mail.outbox == []

    own_redis.start()
    call_command("relay_outbox")

    assert wait_for(lambda: len(mail.outbox) == 2, timeout=60)
    assert sorted(m.to[0] for m in mail.outbox) == ["wpa@example.org", "wpa_new@example.org"]
    assert not left.exists()

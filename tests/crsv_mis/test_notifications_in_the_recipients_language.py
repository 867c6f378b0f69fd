"""A notification and its e-mail are in the recipient's language: the same alert reaches a French
officer in French and an English one in English (e-mails sent by a real Celery worker)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from crsv_mis.models import Notification
from incidents import alerts
from tests.servers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_writes_each_recipients_notification_and_email_in_her_language(celery_worker, users, stations,
                                                                         gazetteer):
    users["WPA"].language, users["WPA"].email = "fr", "wpa@example.org"
    users["HRO"].language, users["HRO"].email = "en", "hro@example.org"
    for user in (users["WPA"], users["HRO"]):
        user.save()

    alert = alerts.submit_alert(by=users["FIELD_REPORTER"], duty_station=stations["north"],
                                location=gazetteer["hamlet"], observed_at=timezone.now() - datetime.timedelta(hours=1),
                                description="Synthetic alert for the language test.", urgency="URGENT",
                                source_type="COMMUNITY_ALERT_NETWORK")

    french = Notification.objects.get(user=users["WPA"])
    english = Notification.objects.get(user=users["HRO"])
    assert french.text.startswith(f"Nouvelle alerte {alert.reference}")
    assert french.action != english.action  # "Acknowledge the alert", in French
    assert english.text.startswith(f"New alert {alert.reference}")
    assert wait_for(lambda: len(mail.outbox) == 2, timeout=60)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["wpa@example.org"].subject == f"[CRSV MIS] {french.text}"
    assert "connexion requise" in by_address["wpa@example.org"].body
    assert "Ce courriel ne contient jamais" in by_address["wpa@example.org"].body
    assert by_address["hro@example.org"].subject.startswith(f"[CRSV MIS] New alert {alert.reference}")
    assert "sign-in required" in by_address["hro@example.org"].body

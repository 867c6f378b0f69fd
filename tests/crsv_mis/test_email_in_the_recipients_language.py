"""One event, two people: each e-mail (subject and body) is written in its recipient's own language, sent
by the real task through Celery, whatever language the person who caused it speaks."""

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone

from incidents import alerts


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_it_writes_each_email_in_the_language_of_its_recipient(celery_worker, users, stations, gazetteer):
    users["WPA"].email, users["WPA"].language = "wpa@example.org", "fr"
    users["WPA"].save()
    users["HRO"].email = "hro@example.org"  # English, the default
    users["HRO"].save()
    alert = alerts.submit_alert(
        by=users["FIELD_REPORTER"], duty_station=stations["north"], location=gazetteer["hamlet"],
        observed_at=timezone.now() - datetime.timedelta(minutes=20), urgency="URGENT", indicators=[],
        description="Synthetic test alert.", source_type="COMMUNITY_ALERT_NETWORK")

    assert wait_until(lambda: len(mail.outbox) >= 2), "the alert e-mails were not sent"
    by_address = {message.to[0]: message for message in mail.outbox}
    french, english = by_address["wpa@example.org"], by_address["hro@example.org"]

    assert french.subject == (f"[CRSV MIS] Nouvelle alerte {alert.reference} (Urgente : des personnes sont en "
                              "danger maintenant) : veuillez en confirmer la réception.")
    assert "Accuser réception de l'alerte dans CRSV MIS (connexion requise) : " in french.body
    assert "Ce courriel ne contient jamais d'informations sur les survivantes" in french.body
    assert "please" not in french.subject + french.body and "sign-in" not in french.body

    assert english.subject == (f"[CRSV MIS] New alert {alert.reference} (Urgent: people at risk now): please "
                               "acknowledge it.")
    assert "Acknowledge the alert in CRSV MIS (sign-in required): " in english.body
    assert "Nouvelle" not in english.subject + english.body

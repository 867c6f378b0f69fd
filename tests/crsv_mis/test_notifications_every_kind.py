"""Every kind of notification reaches its recipient in-app with an action and a link she can open,
and by e-mail through a real Celery worker, with no survivor information in the subject or body."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import verified_login
from tests.crsv_mis.notification_fixtures import KINDS, MARKERS, every_kind
from tests.servers import wait_for

ROOT = Path(__file__).resolve().parents[2]
# Where the product calls notify.notify, and how often: a new call is a new kind of notification,
# which must be added to KINDS (and so to this test) before this passes.
CALL_SITES = {
    "incidents/alerts.py": 1,  # new and escalated alerts (and alerts a handover routes)
    "referrals/services.py": 1,  # referral sent to a provider
    "referrals/tasks.py": 1,  # PEP/EC deadlines and overdue follow-ups
    "mara/services/verification.py": 1,
    "mara/services/meetings.py": 2,  # action point given, action point overdue
    "lifecycle/handover.py": 2,  # incoming and outgoing officer
    "reporting/disclosures.py": 1,
    "reporting/services.py": 1,
}


def test_every_call_of_notify_is_a_kind_this_file_tests():
    found = {}
    packages = [top for top in ROOT.iterdir() if (top / "__init__.py").exists() and top.name != "tests"]
    for path in (path for package in packages for path in package.rglob("*.py")):
        count = len(re.findall(r"\bnotify\.notify\(", path.read_text()))
        if count:
            found[path.relative_to(ROOT).as_posix()] = count
    assert found == CALL_SITES


@pytest.mark.django_db(transaction=True)
def test_it_sends_every_kind_in_app_and_by_email_without_survivor_information(
        celery_worker, settings, users, stations, gazetteer, make_incident, mission):
    settings.SITE_URL = "https://crsv.example.org"
    notifications, _records = every_kind(users, stations, gazetteer, make_incident, mission)

    assert set(notifications) == set(KINDS)
    everyone = [n for group in notifications.values() for n in group]
    assert wait_for(lambda: len(mail.outbox) >= len(everyone), timeout=60), (len(mail.outbox), len(everyone))
    assert len(mail.outbox) == len(everyone)  # one e-mail each, none twice

    for kind, role in KINDS.items():
        recipients = {n.user.username: n for n in notifications[kind]}
        assert users[role].username in recipients, (kind, list(recipients))
        note = recipients[users[role].username]
        assert note.action and note.url.startswith("/"), kind
        response = verified_login(Client(), note.user).get(note.url, follow=True)
        assert response.status_code == 200, (kind, note.url)

    for note in everyone:
        sent = [m for m in mail.outbox if m.to == [note.user.email] and note.text in m.body]
        assert len(sent) == 1, note.event_key
        assert f"https://crsv.example.org{note.url}" in sent[0].body
        assert note.action in sent[0].body
    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}"
        for field, marker in MARKERS.items():
            assert marker.split()[0] not in text, (field, message.subject)
        assert "Qx" not in text

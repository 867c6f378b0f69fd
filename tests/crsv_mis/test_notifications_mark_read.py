"""Marking notifications read: one, all, or one on the way to the page it asks to act on, and only
ever the person's own."""

import pytest
from django.test import Client

from crsv_mis import notify
from crsv_mis.models import Notification
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(users):
    def make(user, n):
        return notify.notify([user], event_key=f"test:{user.pk}:{n}", url="/help/",
                             text=f"Synthetic {user.username} {n}", action="Open the help", email=False)[0]
    return {"mine": [make(users["WPA"], 1), make(users["WPA"], 2)], "theirs": make(users["HRO"], 1)}


def unread(user):
    return set(Notification.objects.filter(user=user, read_at__isnull=True).values_list("pk", flat=True))


def test_it_marks_one_notification_read(users, notes):
    client = verified_login(Client(), users["WPA"])

    response = client.post("/notifications/", {"id": notes["mine"][0].pk})

    assert response.status_code == 302
    assert unread(users["WPA"]) == {notes["mine"][1].pk}


def test_it_marks_all_of_the_persons_own_read_and_no_one_elses(users, notes):
    verified_login(Client(), users["WPA"]).post("/notifications/", {"all": "1"})

    assert unread(users["WPA"]) == set()
    assert unread(users["HRO"]) == {notes["theirs"].pk}


def test_it_opens_the_page_a_notification_asks_to_act_on_and_marks_it_read(users, notes):
    response = verified_login(Client(), users["WPA"]).post("/notifications/", {"open": notes["mine"][0].pk})

    assert response.status_code == 302 and response.url == "/help/"
    assert notes["mine"][0].pk not in unread(users["WPA"])


def test_nobody_marks_or_opens_someone_elses_notification(users, notes):
    client = verified_login(Client(), users["WPA"])

    client.post("/notifications/", {"id": notes["theirs"].pk})
    opened = client.post("/notifications/", {"open": notes["theirs"].pk})

    assert opened.url == "/notifications/"
    assert unread(users["HRO"]) == {notes["theirs"].pk}
    page = client.get("/notifications/").content.decode()
    assert notes["mine"][0].text in page and notes["theirs"].text not in page

"""The beat task mara.tasks.remind_overdue_action_points tells the officer following up an overdue
action point, once (a second run creates nothing), again only for a new due date or a new officer,
and never for a point done, dropped or not yet due. Run through a real Celery worker."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from crsv_mis.models import Notification
from mara.models import ActionPoint, ActionStatus, Meeting
from mara.tasks import remind_overdue_action_points
from tests.conftest import verified_login
from tests.servers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
DAY = datetime.timedelta(days=1)
DESCRIPTION = "Qxreminder synthetic action point"


@pytest.fixture
def points(mission, users):
    meeting = Meeting.objects.create(mission=mission, date=timezone.localdate() - 30 * DAY, format="REMOTE",
                                     created_by=users["MARA_CHAIR"], agenda=DESCRIPTION)
    users["WPA"].email = "wpa@example.org"
    users["WPA"].save()

    def make(due_in, status=ActionStatus.OPEN, officer="WPA"):
        return ActionPoint.objects.create(meeting=meeting, description=DESCRIPTION, owner=DESCRIPTION,
                                          due_date=timezone.localdate() + due_in * DAY, status=status,
                                          assigned_to=users[officer])
    return {"overdue": make(-2), "in_progress": make(-1, ActionStatus.IN_PROGRESS), "due_later": make(5),
            "done": make(-2, ActionStatus.DONE), "dropped": make(-2, ActionStatus.DROPPED)}


def reminders():
    return Notification.objects.filter(event_key__contains=":overdue:").order_by("id")


def run():
    return remind_overdue_action_points.delay().get(timeout=60)


def test_the_reminder_is_in_the_beat_schedule():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "mara.tasks.remind_overdue_action_points")
    assert entry["schedule"]


def test_it_reminds_the_officer_of_each_overdue_point_once(celery_worker, users, points):
    assert run() == 2
    assert run() == 0

    keyed = {n.event_key.split(":")[1]: n for n in reminders()}
    assert set(keyed) == {str(points["overdue"].pk), str(points["in_progress"].pk)}
    assert {n.user for n in keyed.values()} == {users["WPA"]}
    note = keyed[str(points["overdue"].pk)]
    assert "overdue" in note.text and note.action == "Follow the action point up"
    assert verified_login(Client(), users["WPA"]).get(note.url, follow=True).status_code == 200
    assert wait_for(lambda: len(mail.outbox) == 2, timeout=60)
    for message in mail.outbox:
        assert "Qxreminder" not in message.subject + message.body


def test_it_reminds_again_for_a_new_due_date_or_a_new_officer(celery_worker, users, stations, points):
    run()
    point = points["overdue"]
    point.due_date = timezone.localdate() - DAY
    point.save()
    points["in_progress"].assigned_to = users["HRO"]
    points["in_progress"].save()

    assert run() == 2
    assert reminders().filter(user=users["HRO"]).count() == 1
    assert reminders().filter(user=users["WPA"], event_key__startswith=f"action_point:{point.pk}:").count() == 2


def test_it_leaves_a_point_without_an_active_officer(celery_worker, users, points):
    users["WPA"].is_active = False
    users["WPA"].save()

    assert run() == 0

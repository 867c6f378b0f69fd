"""Drafts left alone for INTAKE_DRAFT_KEEP_DAYS are deleted by the nightly task; fresher ones stay."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from crsv_mis.models import AuditEvent
from incidents import tasks
from incidents.models import IntakeDraft


def make_draft(user, *, days_old):
    draft = IntakeDraft.objects.create(owner=user, mission=user.mission, data='{"narrative": ["Synthetic."]}')
    IntakeDraft.objects.filter(pk=draft.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=days_old))
    return draft


def test_the_beat_schedule_runs_the_expiry_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-intake-drafts"]

    assert entry["task"] == "incidents.tasks.delete_expired_drafts"


@pytest.mark.django_db(transaction=True)
def test_the_task_deletes_drafts_past_the_keep_days_and_keeps_the_others(users, celery_worker, settings):
    settings.INTAKE_DRAFT_KEEP_DAYS = 30
    old = make_draft(users["WPA"], days_old=31)
    fresh = make_draft(users["WPA"], days_old=29)

    deleted = tasks.delete_expired_drafts.delay().get(timeout=30)

    assert deleted == 1
    assert list(IntakeDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not IntakeDraft.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(action="intake_draft.expire", detail__count=1).exists()


@pytest.mark.django_db(transaction=True)
def test_running_the_task_twice_deletes_nothing_more(users, celery_worker, settings):
    settings.INTAKE_DRAFT_KEEP_DAYS = 30
    make_draft(users["WPA"], days_old=40)
    tasks.delete_expired_drafts.delay().get(timeout=30)

    assert tasks.delete_expired_drafts.delay().get(timeout=30) == 0

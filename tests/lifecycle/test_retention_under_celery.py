"""The nightly beat task runs retention under a real Celery worker (on Redis when REDIS_URL is set,
as in CI), and running it a second time changes nothing more."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from crsv_mis import audit
from crsv_mis.models import AuditEvent
from incidents.models import Incident
from lifecycle import tasks
from lifecycle.models import Anonymisation, PlanEntry, RetentionRun
from tests.lifecycle.retention_fixtures import NARRATIVE, raw_row


@pytest.fixture
def short_retention(settings):
    limits = dict(settings.RETENTION_LIMITS)
    limits["incidents"] = {"min": 1, "default": 2, "max": 10}
    settings.RETENTION_LIMITS = limits
    settings.RETENTION_NOTICE_DAYS = 0  # listed and anonymised in one pass, for this test only


def test_the_schedule_runs_the_task_every_night():
    entry = django_settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == tasks.apply_retention.name == "lifecycle.tasks.apply_retention"


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_anonymises_through_the_worker_and_a_second_run_changes_nothing(
        celery_worker, short_retention, make_incident, mission):
    old = make_incident(narrative=NARRATIVE)
    recent = make_incident(narrative=NARRATIVE)
    Incident.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=3))

    first_runs = tasks.apply_retention.delay().get(timeout=60)

    first = RetentionRun.objects.get(pk=first_runs[0])
    assert first.state == "DONE" and first.trigger == "beat" and first.counts["incidents"]["anonymised"] == 1
    assert raw_row("incidents_incident", old.pk, "narrative", "coordinates") == ("", "")
    assert Incident.objects.get(pk=recent.pk).narrative == NARRATIVE
    state = (list(Anonymisation.objects.values_list("record_class", "object_id")),
             list(Incident.objects.order_by("pk").values_list("pk", "narrative", "location", "version")),
             AuditEvent.objects.filter(action="retention.anonymise").count())

    second_runs = tasks.apply_retention.delay().get(timeout=60)

    second = RetentionRun.objects.get(pk=second_runs[0])
    assert second.state == "DONE" and second.counts["incidents"] == {
        "due": 0, "held": 0, "anonymised": 0, "new": 0, "ready": 0}
    assert (list(Anonymisation.objects.values_list("record_class", "object_id")),
            list(Incident.objects.order_by("pk").values_list("pk", "narrative", "location", "version")),
            AuditEvent.objects.filter(action="retention.anonymise").count()) == state
    assert not PlanEntry.objects.exists()
    assert audit.verify_chain() == []

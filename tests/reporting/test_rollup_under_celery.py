"""The rollup is kept by Celery: a committed change is recounted by a worker (a real one on Redis
when REDIS_URL is set, as in CI; inline when Celery is eager), the beat tasks recount stale and
recent months, and recounts running in parallel never double count."""

import datetime
import threading
import time
import traceback

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Sum

from incidents.models import Incident
from reporting import rollup, tasks
from reporting.models import RollupCell, RollupMonth, StaleMonth

MARCH = datetime.date(2026, 3, 1)
THREADS = 4


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def counted_incidents(month):
    return RollupCell.objects.filter(month=month, dimension=rollup.TOTAL).aggregate(n=Sum("incidents"))["n"] or 0


@pytest.mark.django_db(transaction=True)
def test_it_recounts_a_committed_change_through_the_worker(celery_worker, make_incident):
    make_incident(incident_date=datetime.date(2026, 3, 5))
    make_incident(incident_date=datetime.date(2026, 3, 9), forms=("RAPE", "SEXUAL_SLAVERY"))
    # Nothing read the figures: only the task queued on commit can have counted them.
    assert wait_for(lambda: counted_incidents(MARCH) == 2 and not StaleMonth.objects.exists())
    forms = dict(RollupCell.objects.filter(month=MARCH, dimension="form").values_list("key").annotate(
        n=Sum("incidents")))
    assert forms == {"RAPE": 2, "SEXUAL_SLAVERY": 1}


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_recounts_every_stale_month(celery_worker, make_incident):
    incident = make_incident(incident_date=datetime.date(2026, 3, 5))
    assert wait_for(lambda: not StaleMonth.objects.exists())
    RollupCell.objects.all().delete()  # as if the cells were lost: a mark must bring them back
    StaleMonth.objects.create(mission_id=incident.mission_id, month=MARCH)
    assert tasks.refresh_stale_months.delay().get(timeout=30) == 1
    assert counted_incidents(MARCH) == 1
    assert not StaleMonth.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_recounts_the_last_24_months(celery_worker, make_incident):
    make_incident(incident_date=datetime.date.today().replace(day=1))
    assert tasks.recheck_recent_months.delay().get(timeout=60) == 24
    assert RollupMonth.objects.filter(refreshed_at__isnull=False).count() >= 24


@pytest.mark.django_db(transaction=True)
def test_parallel_recounts_of_the_same_month_never_double_count(make_incident):
    for day in (2, 9, 16):
        make_incident(incident_date=datetime.date(2026, 3, day))
    mission_id = Incident.objects.values_list("mission_id", flat=True).first()
    barrier = threading.Barrier(THREADS)
    failures = []

    def recount():
        try:
            barrier.wait(timeout=30)
            for _ in range(3):
                rollup.refresh_month(mission_id, MARCH)
        except Exception:
            failures.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=recount) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == [], failures[0] if failures else ""
    assert counted_incidents(MARCH) == 3
    totals = list(RollupCell.objects.filter(month=MARCH, dimension=rollup.TOTAL)
                  .values_list("status", "shared_under_isp"))
    assert len(totals) == len(set(totals)), "one total cell per status and flag"
    assert RollupMonth.objects.filter(month=MARCH).count() == 1


def test_the_beat_schedule_names_the_tasks():
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reporting.tasks.refresh_stale_months", "reporting.tasks.recheck_recent_months",
            "reporting.tasks.draft_quarterly_reports"} <= scheduled

"""Celery tasks of the reporting app. Arguments are ids and months only.

Every task is idempotent: recounting a month twice gives the same cells (reporting/rollup.py), and
a report job makes at most one version however often it runs (reporting/services.py).
"""

import datetime
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from crsv_mis.models import Mission

from . import rollup

log = logging.getLogger(__name__)

# A lost connection or a lock timeout passes; a constraint violation would not, so it is not retried.
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
             max_retries=5)
def refresh_months(mission_id, months):
    """Recount the given months ("YYYY-MM-DD" first days) of one mission."""
    for month in months:
        rollup.refresh_month(mission_id, datetime.date.fromisoformat(month))
    return len(months)


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
             max_retries=3)
def refresh_stale_months():
    """Beat, every minute: recount every month a change has marked stale."""
    return rollup.refresh_stale()


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=300, retry_jitter=True,
             max_retries=3)
def recheck_recent_months(months=24):
    """Beat, every night: recount the last 24 months of every mission, marked or not."""
    for mission_id in Mission.objects.values_list("pk", flat=True):
        rollup.recheck_recent(mission_id, months)
    return months


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=300, retry_jitter=True,
             max_retries=3)
def draft_quarterly_reports():
    """Beat, every night: once a quarter has ended, each mission gets a draft report for it."""
    from . import services

    return services.draft_ended_quarters()


@shared_task(bind=True, autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=120,
             retry_jitter=True, max_retries=5)
def generate_report(self, job_id):
    """Build the version a ReportJob asked for (progress on the job row)."""
    from . import services

    return services.run_job(job_id)

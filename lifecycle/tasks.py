"""Celery tasks of the lifecycle app. Arguments are ids only."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from crsv_mis.models import Mission

from . import retention

DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=600, retry_jitter=True,
             max_retries=5)
def apply_retention(dry_run=False):
    """Beat, every night: plan what is past retention and anonymise what was listed long enough.
    Safe to run twice or to retry: anonymised records are no longer due, so a second pass (or the
    rest of an interrupted one) only does what is left."""
    return [retention.run(mission, dry_run=dry_run, trigger="beat").pk for mission in Mission.objects.order_by("pk")]

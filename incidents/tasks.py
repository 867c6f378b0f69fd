"""Celery tasks of the intake app. Arguments are ids only, never anything an alert says.

Every task is idempotent (see incidents.alerts), so a retry or a second delivery of the same
message (acks_late) does no harm. Alert e-mails are sent by crsv_mis.tasks.send_notification_emails.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import alerts

# A lost connection or a lock timeout passes; a constraint violation would not, so it is not retried.
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
             max_retries=3)
def escalate_unacknowledged_alerts():
    """Beat, every minute: URGENT alerts unacknowledged for ALERT_ESCALATION_MINUTES go to the SWPA."""
    return alerts.escalate_overdue_alerts()


# ---- imports of incident matrices: the import's id only, never the file (incidents/imports/services.py)


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
             max_retries=5)
def check_import(import_id):
    """Read and check an uploaded file (state CHECKING -> CHECKED); safe to run twice."""
    from .imports import services

    return services.check_import(import_id).state


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
             max_retries=5)
def run_import(import_id):
    """Write a checked import (state IMPORTING -> DONE) in one transaction; safe to run twice."""
    from .imports import services

    return services.run_import(import_id).state


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
             max_retries=3)
def drop_forgotten_import_files():
    """Beat, nightly: delete the kept files of imports left alone for IMPORT_FILE_KEEP_DAYS; idempotent."""
    from .imports import services

    return services.drop_forgotten_files()


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
             max_retries=3)
def delete_expired_drafts():
    """Beat, nightly: delete intake drafts not saved for INTAKE_DRAFT_KEEP_DAYS; idempotent."""
    from . import drafts

    return drafts.delete_expired()

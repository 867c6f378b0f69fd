"""Celery tasks of the platform. Arguments are ids only."""

from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import audit_checkpoints, notify, outbox

# A lost connection or a lock timeout passes; a constraint violation would not, so it is not retried.
DATABASE_ERRORS = (OperationalError, InterfaceError)


@shared_task(autoretry_for=DATABASE_ERRORS + (SMTPException, OSError), retry_backoff=True, retry_backoff_max=600,
             retry_jitter=True, max_retries=8)
def send_notification_emails(notification_ids):
    """E-mail these notifications (text, action, link; never survivor information), each once."""
    return notify.send_emails(notification_ids)


@shared_task
def relay_outbox():
    """Beat, every minute: send the queued tasks a broker outage left unsent (crsv_mis/outbox.py)."""
    sent, left = outbox.relay()
    return {"sent": sent, "left": left}


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, max_retries=5)
def write_audit_checkpoint():
    """Beat, every ten minutes: sign the audit chain's head into AUDIT_CHECKPOINT_DIR, outside the
    database (crsv_mis/audit_checkpoints.py)."""
    checkpoint = audit_checkpoints.write()
    return checkpoint and checkpoint["event_id"]

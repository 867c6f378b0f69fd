"""Celery tasks of the platform."""

from celery import shared_task

from . import outbox


@shared_task
def relay_outbox():
    """Beat, every minute: send the queued tasks a broker outage left unsent (crsv_mis/outbox.py)."""
    sent, left = outbox.relay()
    return {"sent": sent, "left": left}

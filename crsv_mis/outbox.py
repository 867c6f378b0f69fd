"""The transactional outbox: every Celery task the product queues goes through `enqueue`.

A task queued with `.delay()` after commit is lost when the broker is down at that moment. Here the
task is a row (`QueuedTask`) written in the same transaction as the record that needs it, so it
exists exactly when the record does. After commit it is sent at once and marked sent; if the broker
refuses, the row stays unsent and the relay sends it later:

- `manage.py relay_outbox --loop` (a process of its own in docker-compose: it needs the database,
  not the broker, to keep trying while Redis is down);
- the beat task `crsv_mis.tasks.relay_outbox` every minute;
- the web and worker processes themselves: after a send succeeds, at most once every
  `OUTBOX_RETRY_SECONDS`, the rows left behind are sent too.

Delivery is at least once (a relay and the sender can both send a row; a process can die between
sending and marking): every task sent this way is idempotent (see each task's docstring).
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import QueuedTask

log = logging.getLogger(__name__)

_last_retry = {"at": 0.0}
_retry_lock = threading.Lock()


def enqueue(task, *args):
    """Queue `task` (a Celery task) with `args` as part of the current transaction."""
    row = QueuedTask.objects.create(task=task.name, args=list(args))
    transaction.on_commit(lambda: _send_then_retry_others(row))
    return row


def send(row):
    """Publish one row to the broker and mark it sent. False (and the row kept) if the broker fails."""
    from .celery import app

    try:
        # retry=False: fail fast when Redis is down, the outbox is the retry. No result is kept.
        app.tasks[row.task].apply_async(args=row.args, task_id=f"outbox-{row.pk}-{row.attempts + 1}",
                                        retry=False, ignore_result=True)
    except Exception as error:
        log.warning("Could not send queued task %s (%s): %s; it stays in the outbox", row.pk, row.task,
                    type(error).__name__)
        QueuedTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_error=type(error).__name__)
        return False
    QueuedTask.objects.filter(pk=row.pk).update(sent_at=timezone.now(), attempts=row.attempts + 1, last_error="")
    return True


def relay(limit=500):
    """Send the unsent rows, oldest first; stop after three failures in a row (the broker is still
    down: no need to wait for each row's failure). Returns (sent, left)."""
    # A row younger than OUTBOX_GRACE_SECONDS is left to the process that wrote it (it sends it after commit).
    grace = timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
    pending = QueuedTask.objects.filter(sent_at__isnull=True, created_at__lte=timezone.now() - grace)
    sent = failures = 0
    for row in pending.order_by("created_at", "pk")[:limit]:
        if send(row):
            sent += 1
            failures = 0
            continue
        failures += 1
        if failures == 3:
            break
    return sent, QueuedTask.objects.filter(sent_at__isnull=True).count()


def _send_then_retry_others(row):
    if not send(row):
        return
    # The broker answers again: send what an outage left behind, at most once per interval per process.
    with _retry_lock:
        now = time.monotonic()
        if now - _last_retry["at"] < settings.OUTBOX_RETRY_SECONDS:
            return
        _last_retry["at"] = now
    try:
        relay(limit=100)
    except Exception:
        log.exception("Could not relay the outbox after a send")

"""The one way to tell a person something needs them: an in-app notification, and an e-mail.

`notify` creates one Notification per person and event (idempotent: the (user, event_key) pair
is unique, so a second call, or a parallel one, creates nothing new) in the recipient's
language, then queues one e-mail task after the transaction commits. The task
(crsv_mis.tasks.send_notification_emails) takes notification ids only and sends each e-mail
once.

What a notification may say: references (DEMO-2026-00012, DEMO-A-2026-00003, referral #12),
kinds (alert, referral, PEP deadline), statuses, counts, dates and the duty station, never a
name, a contact, a place, a narrative or anything else about a survivor. The e-mail body is the
notification's text, its action and a link that needs signing in, nothing more.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import audit
from .models import Notification

logger = logging.getLogger(__name__)


def _render(value):
    return str(value() if callable(value) else value)


def notify(users, *, event_key, url, text, action, email=True):
    """Notify each of `users` once about the event `event_key` (e.g. "alert:12:new").

    `text` and `action` are lazy strings or functions of no argument returning a string; they are
    rendered in each recipient's language. Returns the notifications this call created (none for
    a person already notified about this event)."""
    created = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            values = {"text": _render(text)[:300], "action": _render(action)[:100], "url": url}
        try:
            with transaction.atomic():
                notification, was_created = Notification.objects.get_or_create(
                    user=user, event_key=event_key, defaults=values)
        except IntegrityError:  # a parallel call created it between the get and the insert
            continue
        if was_created:
            created.append(notification)
    if email:
        email_after_commit(created)
    return created


def email_after_commit(notifications):
    """Queue the e-mails of `notifications` through the outbox: the queued task is a row of the
    surrounding transaction, sent after commit, and a broker outage delays it, never loses it.
    No task when nobody has an address: nothing to do, and nothing left in the queue."""
    from . import outbox
    from .tasks import send_notification_emails  # tasks imports this module

    ids = [n.pk for n in notifications if n.user.email and n.user.is_active]
    if ids:
        outbox.enqueue(send_notification_emails, ids)


def send_emails(notification_ids):
    """E-mail each notification whose person is active and has an address, once: the row is
    locked and stamped `emailed_at` in the transaction that sends, so a retry, a redelivered
    message or a parallel run sends nothing new. Returns how many e-mails this run sent."""
    sent = 0
    for notification_id in sorted(set(notification_ids)):
        with transaction.atomic():
            notification = (Notification.objects.select_for_update(of=("self",)).select_related("user")
                            .filter(pk=notification_id, emailed_at__isnull=True).first())
            if notification is None or not notification.user.is_active or not notification.user.email:
                continue
            _send(notification)
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
            audit.record("notification.emailed", obj=notification, detail={
                "recipient": notification.user_id, "event": notification.event_key})
            sent += 1
    return sent


def email_link(notification):
    return settings.SITE_URL.rstrip("/") + notification.url if notification.url else ""


def email_message(notification):
    """(subject, body) of a notification's e-mail, in its recipient's language."""
    user = notification.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = _("[CRSV MIS] %(text)s") % {"text": notification.text}
        lines = [notification.text, ""]
        link = email_link(notification)
        if link:
            lines.append(_("%(action)s in CRSV MIS (sign-in required): %(link)s") % {
                "action": notification.action or _("Open it"), "link": link})
        lines += ["", _("This e-mail never carries survivor information; everything is in CRSV MIS.")]
    # A subject is one line.
    return " ".join(subject.split())[:200], "\n".join(lines) + "\n"


def _send(notification):
    subject, body = email_message(notification)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])


def mark_read(notifications):
    """Stamp unread `notifications` (a queryset) read; returns how many."""
    return notifications.filter(read_at__isnull=True).update(read_at=timezone.now())

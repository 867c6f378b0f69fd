"""Celery beat task of the referrals app: deadlines about to pass, follow-ups overdue.

`watch_deadlines` (every five minutes, settings.CELERY_BEAT_SCHEDULE) notifies the officer in
charge of the referral (its referrer until a handover) and the mission's SWPA, in-app and by
e-mail (crsv_mis.notify), once per event:

- an open MEDICAL referral whose PEP or emergency-contraception deadline (referrals.deadlines)
  is within DEADLINE_WARNING_HOURS ("referral:<id>:pep-close", "referral:<id>:ec-close") or has
  passed ("referral:<id>:pep-passed", "referral:<id>:ec-passed");
- a follow-up whose next follow-up date has passed, with no later follow-up, on an open
  referral ("followup:<id>:overdue").

Idempotent: a notification is keyed on (user, event_key), unique in the database (see
crsv_mis.notify), so running twice, or two workers at once, creates each notification once;
only the run that created notifications records them in the audit trail (one
"referral.deadline_notify" event per run that created any). A notification says
"Referral #12: PEP deadline in 5 h" and links to the referral, nothing about the survivor.
"""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from crsv_mis import audit, notify
from crsv_mis.models import Role, User
from incidents.choices import DatePrecision

from .deadlines import EC, PEP, RECENT_DAYS, medical_deadlines
from .models import OPEN_STATUSES, FollowUp, Referral, Service

DATABASE_ERRORS = (OperationalError, InterfaceError)
DEADLINE_WARNING_HOURS = 12
KIND_SLUG = {PEP: "pep", EC: "ec"}


def referral_url(referral_id):
    return f"/referrals/{referral_id}/"


def _deadline_text(referral_id, kind, hours_left):
    name = _("PEP") if kind == PEP else _("Emergency contraception")
    if hours_left <= 0:
        return _("Referral #%(id)s: %(name)s deadline passed") % {"id": referral_id, "name": name}
    return _("Referral #%(id)s: %(name)s deadline in %(hours)s h") % {
        "id": referral_id, "name": name, "hours": max(int(hours_left), 1) if hours_left >= 1 else "<1"}


def _followup_text(referral_id, due):
    return _("Referral #%(id)s: follow-up overdue since %(date)s") % {"id": referral_id, "date": due.isoformat()}


def _recipients(referral):
    """The officer in charge and the mission's SWPA users (active accounts of the referral's mission
    only: an officer since posted to another mission is told nothing of this one)."""
    mission_id = referral.incident.mission_id
    swpa = User.objects.filter(is_active=True, role=Role.SWPA, mission_id=mission_id)
    people = {user.pk: user for user in swpa}
    in_charge = referral.assigned_to or referral.referred_by
    if in_charge.is_active and in_charge.mission_id == mission_id:
        people[in_charge.pk] = in_charge
    return [people[pk] for pk in sorted(people)]


def _notify(users, event_key, url, text_for, action):
    """One notification per person for this event; returns how many this call created."""
    return len(notify.notify(users, event_key=event_key, url=url, text=text_for, action=action))


def due_medical_deadlines(now):
    """(referral, deadline dict) for open MEDICAL referrals whose deadline is close or passed."""
    recent = (now - datetime.timedelta(days=RECENT_DAYS + 1)).date()
    candidates = Referral.objects.filter(
        service=Service.MEDICAL, status__in=OPEN_STATUSES, incident__incident_date_precision=DatePrecision.DAY,
        incident__incident_date__gte=recent,
    ).select_related("incident", "referred_by", "assigned_to").order_by("id")
    for referral in candidates:
        for deadline in medical_deadlines(referral, now=now) or ():
            if deadline["hours_left"] <= DEADLINE_WARNING_HOURS:
                yield referral, deadline


def overdue_follow_ups(today):
    """Follow-ups whose next follow-up date has passed with no later follow-up, on open referrals."""
    later = FollowUp.objects.filter(referral_id=OuterRef("referral_id")).filter(
        Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), id__gt=OuterRef("id")))
    return (FollowUp.objects.filter(next_follow_up__lt=today, referral__status__in=OPEN_STATUSES)
            .filter(~Exists(later)).select_related("referral__incident", "referral__referred_by",
                                                  "referral__assigned_to").order_by("id"))


def notify_due(now=None):
    """Send the notifications due now; returns how many notifications this run created."""
    now = now or timezone.now()
    created, events = 0, []
    for referral, deadline in due_medical_deadlines(now):
        state = "passed" if deadline["passed"] else "close"
        key = f"referral:{referral.pk}:{KIND_SLUG[deadline['kind']]}-{state}"
        n = _notify(_recipients(referral), key, referral_url(referral.pk),
                    lambda r=referral, d=deadline: _deadline_text(r.pk, d["kind"], d["hours_left"]),
                    pgettext_lazy("notification action", "Open the referral"))
        if n:
            created += n
            events.append(key)
    for follow_up in overdue_follow_ups(now.date()):
        referral = follow_up.referral
        key = f"followup:{follow_up.pk}:overdue"
        n = _notify(_recipients(referral), key, referral_url(referral.pk),
                    lambda r=referral, f=follow_up: _followup_text(r.pk, f.next_follow_up),
                    pgettext_lazy("notification action", "Record the follow-up"))
        if n:
            created += n
            events.append(key)
    if created:
        # Keys carry ids only; no survivor information enters the trail.
        audit.record("referral.deadline_notify", detail={"notifications": created, "events": events})
    return created


@shared_task(autoretry_for=DATABASE_ERRORS, retry_backoff=True, retry_backoff_max=60, retry_jitter=True,
             max_retries=3)
def watch_deadlines():
    """Beat, every five minutes: PEP/EC deadlines within 12 hours or passed, overdue follow-ups."""
    return notify_due()

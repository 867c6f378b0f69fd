"""The one audit function, and the check of the hash chain.

Every read of a layer A/B record, every change, export and download calls
`record`. Events are chained: each hash covers the previous hash and the
event's own fields, so editing or deleting a row breaks every later link. The hash is an HMAC under
AUDIT_CHAIN_KEY, a key the database never holds: whoever controls the database (its owner, a
superuser) can delete or edit rows but cannot re-seal the chain after them. Cutting off the newest
events and moving the head back needs no key; the signed checkpoints written outside the database
(crsv_mis/audit_checkpoints.py) are what catch that.

The personal fields of an event (who, from where, why, detail) are covered through a salted
digest of them rather than directly, so that retention can erase them (`anonymise`) once past
their period and the chain still verifies: the digest stays, the salt goes with the fields (a
digest of a username and an address alone could be guessed back by trying them all).
"""

import hashlib
import hmac
import ipaddress
import json
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent, Mission

GENESIS = "0" * 64


def _dumps(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def identity_digest(event):
    """The salted digest of the event's personal fields, as the chain covers them."""
    personal = {"user": event.user_id, "username": event.username, "ip": event.ip, "reason": event.reason,
                "detail": event.detail}
    return hashlib.sha256((event.identity_salt + _dumps(personal)).encode()).hexdigest()


def _canonical(event):
    return _dumps(
        {
            "at": event.at.isoformat(),
            "role": event.role,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "object_ref": event.object_ref,
            "identity": event.identity_digest,
        }
    )


MISSING_KEY = ("AUDIT_CHAIN_KEY is not set: the audit trail is neither written nor verified without the chain's "
               "own key (kept apart from the database, the field keys and SECRET_KEY).")


def chain_key():
    """The chain's HMAC key; refuses when there is none (a chain anyone could re-seal proves nothing)."""
    key = settings.AUDIT_CHAIN_KEY
    if not key:
        raise ImproperlyConfigured(MISSING_KEY)
    return key.encode()


def compute_hash(prev_hash, event):
    return hmac.new(chain_key(), (prev_hash + _canonical(event)).encode(), hashlib.sha256).hexdigest()


def _erased(event):
    return (event.user_id is None and event.username == "" and event.ip is None and event.reason == ""
            and event.detail == {} and event.identity_salt == "")


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request):
    """The caller's address. X-Forwarded-For is trusted only for the hops our own proxies add
    (TRUSTED_PROXY_COUNT); anything to the left of them is the client's to forge."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if hops and len(forwarded) >= hops:
        return _valid_ip(forwarded[-hops])
    return _valid_ip(request.META.get("REMOTE_ADDR"))


# The links followed from a record to its mission, nearest first (a victim's incident, a follow-up's
# referral, an action point's meeting, a notification's user...).
_TOWARDS_MISSION = ("incident", "victim", "referral", "alert", "meeting", "report", "disclosure", "user",
                    "duty_station")


def mission_of(obj, *, depth=4):
    """The id of the mission a record belongs to, or None."""
    if obj is None or depth == 0:
        return None
    if isinstance(obj, Mission):
        return obj.pk
    if getattr(obj, "mission_id", None) is not None:
        return obj.mission_id
    for name in _TOWARDS_MISSION:
        if getattr(obj, f"{name}_id", None) is not None:
            return mission_of(getattr(obj, name), depth=depth - 1)
    return None


def record(action, *, user=None, obj=None, request=None, detail=None):
    """Append one event. `obj` may be a model instance with an optional `reference`.

    An event holds codes, ids and counts, never free text: a reason or an outcome typed by a person
    stays with its record, encrypted, and never reaches the trail. The event belongs to the mission of
    the record it touched, else of the person acting: each mission's auditor reads her own mission's
    events only, and that mission's retention and legal holds govern it; an event with neither
    belongs to no mission."""
    if user is None and request is not None:
        user = request.user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    event = AuditEvent(
        user=user,
        username=user.username if user else "",
        role=getattr(user, "role", "") if user else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_ref=getattr(obj, "reference", "") or "" if obj is not None else "",
        ip=client_ip(request),
        detail=detail or {},
        identity_salt=secrets.token_hex(16),
        mission_id=mission_of(obj) or getattr(user, "mission_id", None),
    )
    event.identity_digest = identity_digest(event)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
        event.prev_hash = head.last_hash
        event.hash = compute_hash(head.last_hash, event)
        event.save()
        head.last_hash = event.hash
        head.save(update_fields=["last_hash"])
    return event


def content_intact(event):
    """Whether the event is as it was recorded (or as retention erased it): its fields match its
    digest and its hash. The link to the previous event is the caller's to check."""
    if event.anonymised_at is None:
        personal_intact = identity_digest(event) == event.identity_digest
    else:
        # Anonymised: the personal fields and the salt must be gone; the digest still stands for
        # them in the hash.
        personal_intact = _erased(event)
    return personal_intact and hmac.compare_digest(compute_hash(event.prev_hash, event), event.hash)


def verify_chain(batch_size=2000, *, checkpoints=True):
    """Return a list of problems (empty when the chain is intact): the links and hashes under the
    chain key, then (unless `checkpoints` is false: a restore into another database checks the
    chain it brought) every checkpoint written outside the database."""
    from . import audit_checkpoints

    problems = []
    prev = GENESIS
    last_id = 0
    count = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            count += 1
            if event.prev_hash != prev:
                problems.append(f"event {event.id}: previous-hash link broken (a row was removed or reordered)")
            if not content_intact(event):
                problems.append(f"event {event.id}: content does not match its hash (the row was edited)")
            prev = event.hash
            last_id = event.id
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and head.last_hash != prev:
        if count:
            problems.append("the newest events are missing (chain head does not match the last row)")
        else:
            problems.append("the audit trail is empty but events were recorded (it was emptied)")
    return problems + (audit_checkpoints.problems() if checkpoints else [])


def events_for(obj):
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-id")


def anonymise(events, *, at=None):
    """Erase the personal fields of `events` (a queryset) and stamp them; the only change the
    database lets through (crsv_mis migration 0004). Returns how many were erased."""
    return events.filter(anonymised_at__isnull=True).update(
        user=None, username="", ip=None, reason="", detail={}, identity_salt="", anonymised_at=at or timezone.now()
    )

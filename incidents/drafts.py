"""Intake drafts: the intake form kept on the server while its owner types (IntakeDraft).

A draft is the form's inputs as posted ({name: [values]}), encrypted like the narrative. It is
saved by the page's autosave (static/js/intake-draft.js) or its "Save draft" button, read only
by its owner (access.intake_drafts_visible_to), and deleted when the incident is submitted (in
the same transaction), when it is discarded, when the intake turns out to be SEA (nothing is
kept), or INTAKE_DRAFT_KEEP_DAYS after its last save. The audit trail records creating,
resuming and discarding a draft, never what it says.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from crsv_mis import access, audit

from .models import IntakeDraft

# Inputs that steer the page rather than describe the incident.
NOT_KEPT = frozenset({"csrfmiddlewaretoken", "draft", "draft_version", "save", "save_draft", "add_victim"})
# More rows than anyone types: a forged TOTAL_FORMS cannot make resuming build thousands of forms.
MAX_ROWS = 50


class DraftGone(Exception):
    """The draft was submitted, discarded or expired meanwhile (from another page or device)."""


def form_data(post):
    """The inputs of a posted intake form worth keeping, as {name: [values]}."""
    return {key: post.getlist(key) for key in post if key not in NOT_KEPT}


def contents(draft):
    return json.loads(draft.data or "{}")


def _station_id(user, data):
    chosen = (data.get("duty_station") or [""])[0]
    if not chosen.isdigit():
        return None
    stations = user.mission.duty_stations.all()
    if user.role != "SWPA":
        stations = stations.filter(pk__in=user.duty_stations.all())
    return stations.filter(pk=int(chosen)).values_list("pk", flat=True).first()


def owned(user, draft_id):
    """The person's own draft with this id, or None (a draft of anyone else does not exist for them)."""
    if not str(draft_id or "").isdigit():
        return None
    return access.intake_drafts_visible_to(user).filter(pk=int(draft_id)).first()


def save(*, by, post, draft_id=None, version=None, request=None):
    """Keep the posted form as `by`'s draft; return (draft, forked).

    With no draft id, a new draft. With the id and the version last saved, the draft is replaced.
    When the draft was saved meanwhile from another page or device (the version moved on), this
    copy becomes a new draft rather than overwriting the other (`forked`): nothing typed is lost.
    A draft that no longer exists is not brought back (DraftGone).
    """
    data = form_data(post)
    payload = json.dumps(data, separators=(",", ":"))
    station_id = _station_id(by, data)
    if draft_id:
        draft = owned(by, draft_id)
        if draft is None:
            raise DraftGone
        expected = int(version) if str(version or "").isdigit() else None
        replaced = access.intake_drafts_visible_to(by).filter(pk=draft.pk, version=expected).update(
            data=payload, duty_station_id=station_id, updated_at=timezone.now(), version=F("version") + 1,
        )
        if replaced:
            draft.refresh_from_db()
            return draft, False
    draft = IntakeDraft.objects.create(owner=by, mission=by.mission, duty_station_id=station_id, data=payload)
    audit.record("intake_draft.create", user=by, obj=draft, request=request,
                 detail={"forked_from": int(draft_id)} if draft_id else {})
    return draft, bool(draft_id)


def resume(draft, *, request):
    audit.record("intake_draft.resume", obj=draft, request=request)
    return contents(draft)


def discard(draft, *, request, reason=""):
    """`reason` is a code ("sea": the draft turned out to be an SEA allegation), never free text."""
    with transaction.atomic():
        audit.record("intake_draft.discard", obj=draft, request=request, detail={"reason": reason} if reason else {})
        draft.delete()


def submitted(draft, *, incident, request):
    """The incident is recorded: its draft goes, in the transaction that wrote the incident."""
    audit.record("intake_draft.submitted", obj=draft, request=request, detail={"incident": incident.reference})
    draft.delete()


def saved_message(draft):
    """What the page's status line says after a save (in the person's language and time format)."""
    at = formats.time_format(timezone.localtime(draft.updated_at), "H:i")
    return _("Draft saved %(time)s") % {"time": at}


def expires_at(draft):
    return draft.updated_at + timedelta(days=settings.INTAKE_DRAFT_KEEP_DAYS)


def delete_expired(now=None):
    """Delete the drafts nobody saved for INTAKE_DRAFT_KEEP_DAYS; return how many. Safe to run twice."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.INTAKE_DRAFT_KEEP_DAYS)
    with transaction.atomic():
        count, _by_model = IntakeDraft.objects.filter(updated_at__lt=cutoff).delete()
        if count:
            audit.record("intake_draft.expire", detail={"count": count})
    return count


def victim_count(draft):
    """How many victim rows the draft holds (for the list of drafts; nothing identifying)."""
    data = contents(draft)
    return sum(1 for row in rows(data, "victims") if row)


def rows(data, prefix):
    """The formset rows kept in `data` (inputs named prefix-N-field), as {field: [values]}, in order."""
    total = (data.get(f"{prefix}-TOTAL_FORMS") or ["0"])[0]
    total = min(int(total), MAX_ROWS) if total.isdigit() else 0
    found = []
    for index in range(total):
        start = f"{prefix}-{index}-"
        row = {key[len(start):]: values for key, values in data.items() if key.startswith(start)}
        if row.get("DELETE"):
            continue
        found.append({k: v for k, v in row.items() if any(value.strip() for value in v)})
    return found

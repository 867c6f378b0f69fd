"""Recommendations of the working group, tracked to closure: who owns each, in which forum it is
followed, by when, and how it was closed. One may come from a monthly analysis or stand alone."""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv_mis import audit
from crsv_mis.models import Role
from mara.models import MonthlyAnalysis, Recommendation, RecommendationStatus
from mara.services.meetings import MARA_READERS, EditConflict, RuleError

# Leadership reads them too: the quarterly summary reports recommendations and their status.
RECOMMENDATION_READERS = MARA_READERS | {Role.LEADERSHIP}
RECOMMENDATION_EDITORS = frozenset({Role.MARA_CHAIR, Role.SWPA})
FIELDS = ("text", "owner", "forum", "due_date", "status", "closed_at", "closing_note", "analysis")
OPEN_STATUSES = (RecommendationStatus.OPEN, RecommendationStatus.IN_PROGRESS)


def _in_mission(user):
    return bool(user and user.is_authenticated and user.is_active and user.mission_id)


def can_read_recommendations(user):
    return _in_mission(user) and user.role in RECOMMENDATION_READERS


def can_edit_recommendations(user):
    return _in_mission(user) and user.role in RECOMMENDATION_EDITORS


def recommendations_of(user):
    if not can_read_recommendations(user):
        return Recommendation.objects.none()
    return Recommendation.objects.filter(mission_id=user.mission_id).select_related("analysis")


def filtered(user, state):
    """'open' (open or in progress, the default), 'closed' or 'all'."""
    qs = recommendations_of(user)
    if state == "closed":
        return qs.filter(status=RecommendationStatus.CLOSED).order_by("-closed_at", "-id")
    if state == "all":
        return qs
    return qs.filter(status__in=OPEN_STATUSES).order_by("due_date", "id")


def of_month(user, month):
    """Recommendations from any revision of a month's analysis: reopening does not orphan them."""
    return recommendations_of(user).filter(analysis__month=month).order_by("status", "due_date", "id")


def open_count(user):
    return recommendations_of(user).filter(status__in=OPEN_STATUSES).count()


def linkable_analyses(user):
    """Analyses a recommendation may come from: those of the user's mission."""
    return MonthlyAnalysis.objects.filter(mission_id=user.mission_id).order_by("-month", "-revision")


def fingerprint(recommendation):
    """A digest of the stored values; the edit page carries it as its version (see meetings.fingerprint)."""
    values = [str(getattr(recommendation, f if f != "analysis" else "analysis_id")) for f in FIELDS]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


def _check(values, today):
    """Closing needs a date and a note on how; an open recommendation has neither date."""
    if values["status"] not in RecommendationStatus.values:
        raise RuleError(_("Choose a status from the list."))
    if values["status"] == RecommendationStatus.CLOSED:
        values["closed_at"] = values.get("closed_at") or today
        if values["closed_at"] > today:
            raise RuleError(_("The closing date cannot be in the future."))
        if not (values.get("closing_note") or "").strip():
            raise RuleError(_("Say how the recommendation was closed: what was done, or why it was set aside."))
    else:
        # Reopened: the closing date goes; the note stays on the record until it is closed again.
        values["closed_at"] = None
    analysis = values.get("analysis")
    if analysis is not None and analysis.mission_id != values["mission_id"]:
        raise RuleError(_("That analysis belongs to another mission."))
    return values


def _values(fields, mission_id):
    values = {f: fields.get(f) for f in FIELDS}
    values["status"] = values["status"] or RecommendationStatus.OPEN
    for f in ("text", "owner", "forum", "closing_note"):
        values[f] = (values[f] or "").strip()
    values["mission_id"] = mission_id
    return values


def create_recommendation(*, by, fields, request=None):
    if not can_edit_recommendations(by):
        raise PermissionDenied
    values = _check(_values(fields, by.mission_id), timezone.localdate())
    with transaction.atomic():
        recommendation = Recommendation.objects.create(created_by=by, **values)
        audit.record("mara.recommendation.create", user=by, obj=recommendation, request=request,
                     detail={"status": recommendation.status, "analysis": recommendation.analysis_id})
    return recommendation


def update_recommendation(recommendation, *, by, expected_fingerprint, fields, request=None):
    """Save an edit only if nobody saved the recommendation since the page was read."""
    if not can_edit_recommendations(by):
        raise PermissionDenied
    values = _check(_values(fields, by.mission_id), timezone.localdate())
    with transaction.atomic():
        stored = Recommendation.objects.select_for_update().get(pk=recommendation.pk, mission_id=by.mission_id)
        if fingerprint(stored) != expected_fingerprint:
            raise EditConflict(_("Someone else saved this recommendation while you were editing it."))
        previous = stored.status
        changed = sorted(f for f in FIELDS if getattr(stored, f) != values[f])
        for f in FIELDS:
            setattr(stored, f, values[f])
        stored.save()
        action = "mara.recommendation.change"
        if stored.status != previous and RecommendationStatus.CLOSED in (stored.status, previous):
            action = "mara.recommendation.close" if stored.status == RecommendationStatus.CLOSED \
                else "mara.recommendation.reopen"
        audit.record(action, user=by, obj=stored, request=request,
                     detail={"fields": changed, "from": previous, "to": stored.status})
    return stored

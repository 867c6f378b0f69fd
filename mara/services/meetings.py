"""Working-group meetings: who may read and write them, saving a meeting with its attendees and
action points, action point progress, and the participation figures. Views call these."""

import hashlib
import json
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from crsv_mis import access, audit, notify
from crsv_mis.models import Role, User
from mara.models import ActionPoint, ActionStatus, AttendeeSex, Meeting, MeetingAttendee

# The MARA room: the chair, the members and the SWPA (who co-chairs the working group).
MARA_READERS = frozenset({Role.MARA_CHAIR, Role.MARA_MEMBER, Role.SWPA})
MEETING_EDITORS = frozenset({Role.MARA_CHAIR, Role.SWPA})

MEETING_FIELDS = ("date", "format", "agenda", "decisions")
ACTION_FIELDS = ("description", "owner", "forum", "due_date", "status", "assigned_to")
OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class EditConflict(Exception):
    """Someone else saved the record since this edit began."""


class RuleError(ValueError):
    """The change breaks a rule of the working group; the message says which, for the person."""


def _in_mission(user):
    return bool(user and user.is_authenticated and user.is_active and user.mission_id)


def can_read_mara(user):
    return _in_mission(user) and user.role in MARA_READERS


def can_edit_meetings(user):
    return _in_mission(user) and user.role in MEETING_EDITORS


def _require_editor(user):
    # The views check too; the service refuses on its own so the API or a script cannot skip it.
    if not can_edit_meetings(user):
        raise PermissionDenied


def meetings_of(user):
    """Meetings this person may read: those of their own mission, or none."""
    if not can_read_mara(user):
        return Meeting.objects.none()
    return Meeting.objects.filter(mission_id=user.mission_id)


def action_points_of(user):
    if not can_read_mara(user):
        return ActionPoint.objects.none()
    return ActionPoint.objects.filter(meeting__mission_id=user.mission_id).select_related("meeting")


def overdue_action_points(user, today=None):
    """Open or in-progress action points whose due date has passed, oldest first."""
    today = today or timezone.localdate()
    return action_points_of(user).filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today).order_by(
        "due_date", "id"
    )


def upcoming_meetings(user, today=None, limit=5):
    today = today or timezone.localdate()
    return meetings_of(user).filter(date__gte=today).order_by("date", "id")[:limit]


def recent_meetings(user, today=None, limit=5):
    today = today or timezone.localdate()
    return meetings_of(user).filter(date__lt=today).order_by("-date", "-id")[:limit]


def fingerprint(meeting):
    """A digest of everything the edit page shows. Meetings have no version column, so the page
    carries this instead: if it changed by the time the form comes back, someone else saved."""
    content = {
        "meeting": [str(getattr(meeting, f)) for f in MEETING_FIELDS],
        "attendees": [[a.user_id, a.organisation, a.sex] for a in meeting.attendees.order_by("id")],
        "actions": [[a.pk, *(str(getattr(a, f)) for f in ACTION_FIELDS)] for a in meeting.action_points.order_by("id")],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _write_attendees(meeting, attendees):
    # Attendees are nothing but this list (no other record points at them): replace it whole.
    meeting.attendees.all().delete()
    MeetingAttendee.objects.bulk_create(
        MeetingAttendee(meeting=meeting, user=a.get("user"), organisation=a["organisation"].strip(),
                        sex=a.get("sex") or AttendeeSex.UNKNOWN)
        for a in attendees
    )


def _write_action_points(meeting, action_points):
    """Update the rows that came with an id and add the others. Action points are never deleted
    here: one that will not happen is marked Dropped, so the follow-up record stays whole."""
    existing = {a.pk: a for a in meeting.action_points.all()}
    added = changed = 0
    for data in action_points:
        point = existing.get(data.get("id")) if data.get("id") else None
        if point is None:
            point = ActionPoint.objects.create(meeting=meeting,
                                               **{f: data.get(f) or _default(f) for f in ACTION_FIELDS})
            notify_assignee(point)
            added += 1
            continue
        values = {f: data.get(f) or _default(f) for f in ACTION_FIELDS}
        if any(getattr(point, f) != v for f, v in values.items()):
            reassigned = point.assigned_to != values["assigned_to"]
            for f, v in values.items():
                setattr(point, f, v)
            point.save()
            if reassigned:
                notify_assignee(point)
            changed += 1
    return added, changed


def _default(field):
    return {"status": ActionStatus.OPEN, "assigned_to": None}.get(field, "")


def assignable_officers(mission):
    """Who may follow an action point up: the mission's active human rights officers (WPA, HRO, SWPA),
    the people whose duty-station handover lists it."""
    return User.objects.filter(mission=mission, is_active=True, role__in=access.FULL_ACCESS_ROLES).order_by(
        "username")


def notify_assignee(point):
    """Tell the officer an action point was given to them (its due date and meeting, nothing more)."""
    officer = point.assigned_to
    if officer is None or not officer.is_active:
        return
    notify.notify([officer], event_key=f"action_point:{point.pk}:assigned:{officer.pk}",
                  url=_action_point_url(point, officer),
                  text=lambda: _("A MARA action point due on %(due)s was given to you (meeting of %(date)s).") % {
                      "due": formats.date_format(point.due_date, "SHORT_DATE_FORMAT"),
                      "date": formats.date_format(point.meeting.date, "SHORT_DATE_FORMAT")},
                  action=pgettext_lazy("notification action", "Follow the action point up"))


def _action_point_url(point, officer):
    return (reverse("meeting_detail", args=[point.meeting_id]) if can_read_mara(officer)
            else reverse("handover_home"))


def remind_overdue_action_points(today=None):
    """Tell each officer following up an open action point whose due date has passed, once: the event
    key holds the point, its due date and the officer, so a later run creates nothing new, while a new
    due date that passes again, or a point handed to another officer, is reminded again. Returns how
    many notifications this run created."""
    today = today or timezone.localdate()
    # Only an officer still of the meeting's mission: one since posted elsewhere is told nothing of it.
    overdue = (ActionPoint.objects.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today,
                                          assigned_to__isnull=False, assigned_to__is_active=True,
                                          assigned_to__mission=F("meeting__mission"))
               .select_related("meeting", "assigned_to").order_by("id"))
    created = 0
    for point in overdue:
        officer = point.assigned_to
        # Dates and the meeting only: an action point's wording may name people or places.
        created += len(notify.notify(
            [officer], event_key=f"action_point:{point.pk}:overdue:{point.due_date:%Y%m%d}:{officer.pk}",
            url=_action_point_url(point, officer),
            text=lambda p=point: _("A MARA action point due on %(due)s is overdue (meeting of %(date)s).") % {
                "due": formats.date_format(p.due_date, "SHORT_DATE_FORMAT"),
                "date": formats.date_format(p.meeting.date, "SHORT_DATE_FORMAT")},
            action=pgettext_lazy("notification action", "Follow the action point up")))
    if created:
        audit.record("mara.action_point.remind", detail={"notifications": created})
    return created


def create_meeting(*, by, fields, attendees, action_points, request=None):
    """Record a meeting of `by`'s mission with its attendees and action points, in one transaction."""
    _require_editor(by)
    with transaction.atomic():
        meeting = Meeting.objects.create(mission_id=by.mission_id, created_by=by,
                                         **{f: fields.get(f) or "" for f in MEETING_FIELDS})
        _write_attendees(meeting, attendees)
        added, _changed = _write_action_points(meeting, action_points)
        audit.record("mara.meeting.create", user=by, obj=meeting, request=request,
                     detail={"attendees": len(attendees), "action_points": added})
    return meeting


def update_meeting(meeting, *, by, expected_fingerprint, fields, attendees, action_points, request=None):
    """Save an edit only if nobody changed the meeting since the page carrying
    `expected_fingerprint` was read."""
    _require_editor(by)
    with transaction.atomic():
        # The row lock makes the compare-and-save atomic: a second saver waits, then sees the new digest.
        stored = Meeting.objects.select_for_update().get(pk=meeting.pk, mission_id=by.mission_id)
        if fingerprint(stored) != expected_fingerprint:
            raise EditConflict(_("Someone else saved this meeting while you were editing it."))
        changed = [f for f in MEETING_FIELDS if getattr(stored, f) != fields.get(f)]
        for f in MEETING_FIELDS:
            setattr(stored, f, fields.get(f) or "")
        stored.save()
        before = sorted((a.user_id or 0, a.organisation, a.sex) for a in stored.attendees.all())
        after = sorted((getattr(a.get("user"), "pk", 0) or 0, a["organisation"].strip(), a.get("sex")
                        or AttendeeSex.UNKNOWN) for a in attendees)
        if before != after:
            changed.append("attendees")
            _write_attendees(stored, attendees)
        added, edited = _write_action_points(stored, action_points)
        if added or edited:
            changed.append("action_points")
        audit.record("mara.meeting.change", user=by, obj=stored, request=request,
                     detail={"fields": changed, "attendees": len(attendees), "action_points_added": added,
                             "action_points_changed": edited})
    return stored


def set_action_status(point, *, by, status, expected_status=None, request=None):
    """The owner's progress on an action point, recorded by the chair or the SWPA. When the page
    said the status was `expected_status` and it is no longer, someone else updated it first."""
    _require_editor(by)
    if status not in ActionStatus.values:
        raise RuleError(_("Choose a status from the list."))
    with transaction.atomic():
        stored = ActionPoint.objects.select_for_update().get(pk=point.pk, meeting__mission_id=by.mission_id)
        if expected_status and stored.status != expected_status:
            raise EditConflict(_("Someone else updated this action point while you were looking at it: it is "
                                 "now %(status)s.") % {"status": ActionStatus(stored.status).label})
        if stored.status == status:
            return stored
        previous = stored.status
        stored.status = status
        stored.save(update_fields=["status"])
        audit.record("mara.action_point.status", user=by, obj=stored, request=request,
                     detail={"meeting": stored.meeting_id, "from": previous, "to": status})
    return stored


def participation(meeting):
    """Who took part: attendees by sex, mission staff and external participants, organisations."""
    attendees = list(meeting.attendees.all())
    by_sex = Counter(a.sex for a in attendees)
    # Organisations are typed by hand: "UNFPA" and "unfpa " are one organisation.
    organisations = {" ".join(a.organisation.split()).casefold() for a in attendees if a.organisation.strip()}
    total = len(attendees)
    return {
        "total": total,
        "by_sex": [{"code": code, "label": label, "count": by_sex.get(code, 0)}
                   for code, label in AttendeeSex.choices],
        "women_percent": round(100 * by_sex.get(AttendeeSex.FEMALE, 0) / total) if total else None,
        "mission_staff": sum(1 for a in attendees if a.user_id),
        "external": sum(1 for a in attendees if not a.user_id),
        "organisations": len(organisations),
    }

"""Early-warning alerts, the fast lane: submit, route, acknowledge, respond, close, escalate.

The rules live here; views, tasks and seed_demo call these functions. Nothing an alert says
(what was seen, where) ever goes into a notification, an e-mail, a log line, an audit detail
or a task argument: those carry the reference, the urgency, a link and ids. Notifications and
their e-mails go through crsv_mis.notify.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext_lazy

from crsv_mis import access, audit, notify
from crsv_mis.models import Mission, Notification, Role, User

from . import services
from .models import Alert, AlertIndicator, AlertResponse, AlertStatus, AlertUrgency

logger = logging.getLogger(__name__)

# Seeded for every mission (docs/domain.md, "Two lanes"); the ADMIN edits them in the Django admin.
# Labels are stored in English and shown through gettext, so the defaults read in French too
# while labels an administrator types are shown as typed.
DEFAULT_INDICATORS = [
    ("clashes-calming", gettext_noop("Clashes calming after fighting")),
    ("troops-near-civilians", gettext_noop("Troop movements or cantonment near civilians")),
    ("armed-herders", gettext_noop("Arrival of armed herders in transhumance season")),
    ("women-movement-restricted", gettext_noop("Restrictions on women's movement")),
    ("raids-homes-women-alone", gettext_noop("Raids on homes where women are alone")),
    ("abductions", gettext_noop("Abductions")),
    ("armed-at-water-firewood", gettext_noop("Armed presence at water or firewood points")),
    ("displacement-surge", gettext_noop("Displacement surges")),
    ("hate-speech", gettext_noop("Hate speech targeting a group")),
    ("elections", gettext_noop("Elections")),
]

EVENT_NEW = "new"
EVENT_ESCALATED = "escalated"


class AlertError(Exception):
    """A change the alert's current state does not allow."""


# ---- indicators


def ensure_default_indicators(mission):
    """Create the default indicators a mission lacks; returns how many were created.

    Keyed on the code, so an administrator's edits (label, deactivation) are never undone."""
    created = 0
    for code, label in DEFAULT_INDICATORS:
        _indicator, was_created = AlertIndicator.objects.get_or_create(
            mission=mission, code=code, defaults={"label": label}
        )
        created += int(was_created)
    return created


def indicators_for(mission):
    """The active indicators offered on the alert form. A mission that never had any gets the
    defaults on first use (no data migration: missions are created after migrating)."""
    if not AlertIndicator.objects.filter(mission=mission).exists():
        ensure_default_indicators(mission)
    return AlertIndicator.objects.filter(mission=mission, active=True)


# ---- references


def next_alert_reference(mission, year):
    """DEMO-A-2026-00001: the next number for this mission and year. Call inside a transaction.

    No counter table can be added (ReferenceCounter's year means the incident year), so the
    number is the largest one taken plus one, read while the mission row is locked: on
    PostgreSQL `FOR NO KEY UPDATE` makes concurrent submitters of the same mission queue here
    until the first commits, and READ COMMITTED lets the next one see that row (NO KEY, so
    inserts that merely reference the mission are not blocked). SQLite ignores the row lock,
    but its transactions begin IMMEDIATE (settings), which serialises writers anyway. The
    unique constraint on Alert.reference is the last line of defence.
    """
    Mission.objects.select_for_update(no_key=True).filter(pk=mission.pk).first()
    prefix = f"{mission.code}-A-{year}-"
    # Longest first, then highest: numbers past 99999 grow a digit and still sort last.
    last = (
        Alert.objects.filter(mission=mission, reference__startswith=prefix)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


# ---- routing


def focal_points(alert):
    """The human rights focal points of the alert's duty station (WPA and HRO)."""
    return User.objects.filter(
        is_active=True, mission_id=alert.mission_id, role__in=access.ALERT_FOCAL_ROLES,
        duty_stations=alert.duty_station_id,
    ).distinct()


def senior_advisers(mission_id):
    return User.objects.filter(is_active=True, mission_id=mission_id, role=Role.SWPA)


def alert_url(alert):
    return reverse("alert_detail", args=[alert.reference])


def _notification_text(alert, event):
    urgency = AlertUrgency(alert.urgency).label
    if event == EVENT_ESCALATED:
        return _("Alert %(ref)s (%(urgency)s) is escalated to you: not acknowledged within %(minutes)s "
                 "minutes.") % {"ref": alert.reference, "urgency": urgency,
                                "minutes": settings.ALERT_ESCALATION_MINUTES}
    return _("New alert %(ref)s (%(urgency)s): please acknowledge it.") % {
        "ref": alert.reference, "urgency": urgency}


def _notify(users, alert, event):
    """One notification per person and event, in-app and (after commit) by e-mail; sending twice
    creates nothing new. Returns the people notified."""
    users = list(users)
    notify.notify(users, event_key=f"alert:{alert.pk}:{event}", url=alert_url(alert),
                  text=partial(_notification_text, alert, event),
                  action=pgettext_lazy("notification action", "Acknowledge the alert"))
    return users


def route_alert(alert):
    """Notify the duty station's focal points of a new alert (again: nothing new is created).
    Returns the people it is routed to."""
    recipients = list(focal_points(alert))
    if not recipients:
        # A station without a focal point must not swallow the alert: the SWPA hears at once.
        recipients = list(senior_advisers(alert.mission_id))
    return _notify(recipients, alert, EVENT_NEW)


def route_alert_to(alert, users):
    """Route an alert to these people as if it were new (a handover gives them the station's
    unacknowledged alerts); someone already told is not told twice."""
    return _notify(users, alert, EVENT_NEW)


def submit_alert(*, by, duty_station, location, observed_at, description, urgency, source_type,
                 indicators=(), request=None):
    """Record an alert and route it at once: in-app notifications in the same transaction,
    e-mails by a Celery task after commit. No verification: this is the fast lane."""
    if not access.can_submit_alerts(by) or duty_station.mission_id != by.mission_id:
        raise PermissionDenied
    services.check_place(duty_station.mission, location)
    with transaction.atomic():
        alert = Alert(
            mission_id=duty_station.mission_id, duty_station=duty_station, reported_by=by,
            observed_at=observed_at, location=location, description=description, urgency=urgency,
            source_type=source_type,
        )
        alert.reference = next_alert_reference(duty_station.mission, timezone.localdate().year)
        alert.save()
        alert.indicators.set(indicators)
        recipients = route_alert(alert)
        audit.record("alert.create", user=by, obj=alert, request=request, detail={
            "urgency": urgency, "indicators": sorted(i.code for i in indicators), "notified": len(recipients),
        })
    return alert


# ---- acknowledgement, responses, closure


def _check_handler(alert, by):
    if not access.can_handle_alert(by, alert):
        raise PermissionDenied


def acknowledge_alert(alert, *, by, request=None):
    """NEW -> ACKNOWLEDGED. Returns False (and changes nothing) if someone acknowledged it first."""
    _check_handler(alert, by)
    with transaction.atomic():
        now = timezone.now()
        # Conditional: of two focal points clicking at once, one acknowledges.
        done = Alert.objects.filter(pk=alert.pk, status=AlertStatus.NEW).update(
            status=AlertStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=by)
        alert.refresh_from_db()
        if done:
            notify.mark_read(Notification.objects.filter(user=by, event_key__startswith=f"alert:{alert.pk}:"))
            minutes = round((now - alert.reported_at).total_seconds() / 60)
            audit.record("alert.acknowledge", user=by, obj=alert, request=request, detail={"minutes": minutes})
    return bool(done)


def add_response(alert, *, by, kind, component, responded_at, outcome="", request=None):
    """Link a response (patrol, joint mission, ...) to the alert; the alert becomes RESPONDED.
    A response also acknowledges an alert nobody had acknowledged yet."""
    _check_handler(alert, by)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.CLOSED:
            raise AlertError(_("This alert is closed; no response can be added."))
        response = AlertResponse.objects.create(alert=locked, kind=kind, component=component,
                                                responded_at=responded_at, outcome=outcome or "", recorded_by=by)
        changes = {"status": AlertStatus.RESPONDED}
        if locked.acknowledged_at is None:
            changes.update(acknowledged_at=timezone.now(), acknowledged_by=by)
        Alert.objects.filter(pk=alert.pk).update(**changes)
        alert.refresh_from_db()
        audit.record("alert.respond", user=by, obj=alert, request=request,
                     detail={"response": response.pk, "kind": kind})
    return response


def close_alert(alert, *, by, request=None):
    """Close an alert. Returns False if it was already closed."""
    _check_handler(alert, by)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status == AlertStatus.CLOSED:
            alert.refresh_from_db()
            return False
        changes = {"status": AlertStatus.CLOSED}
        if locked.acknowledged_at is None:
            # Closed unread (a duplicate, say) still counts as handled, by this person, now.
            changes.update(acknowledged_at=timezone.now(), acknowledged_by=by)
        Alert.objects.filter(pk=alert.pk).update(**changes)
        alert.refresh_from_db()
        audit.record("alert.close", user=by, obj=alert, request=request, detail={"from": locked.status})
    return True


# ---- escalation (Celery beat)


def escalate_overdue_alerts(now=None):
    """URGENT alerts left unacknowledged longer than ALERT_ESCALATION_MINUTES go to the SWPA.

    Each alert escalates once: escalated_at is set by a conditional UPDATE, and only the run
    whose UPDATE changed the row notifies and audits, so running twice, or two beat workers
    at once, escalates once. Returns how many alerts this run escalated.
    """
    now = now or timezone.now()
    minutes = settings.ALERT_ESCALATION_MINUTES
    due = Alert.objects.filter(
        urgency=AlertUrgency.URGENT, acknowledged_at__isnull=True, escalated_at__isnull=True,
        reported_at__lt=now - timedelta(minutes=minutes),
    ).exclude(status=AlertStatus.CLOSED)
    escalated = 0
    for alert_id in list(due.order_by("id").values_list("id", flat=True)):
        with transaction.atomic():
            won = Alert.objects.filter(pk=alert_id, acknowledged_at__isnull=True, escalated_at__isnull=True).update(
                escalated_at=now)
            if not won:
                continue
            alert = Alert.objects.get(pk=alert_id)
            notified = _notify(senior_advisers(alert.mission_id), alert, EVENT_ESCALATED)
            if not notified:
                logger.warning("Alert id %s escalated but the mission has no active SWPA", alert_id)
            audit.record("alert.escalate", obj=alert, detail={"minutes": minutes, "notified": len(notified)})
        escalated += 1
    return escalated


# ---- reading, and recording as an incident


def record_view(alert, *, request):
    audit.record("alert.view", obj=alert, request=request)


def incident_initial(alert):
    """What the intake form starts from when an alert is recorded as an incident."""
    return {
        "duty_station": alert.duty_station_id, "location": alert.location_id,
        "reported_date": timezone.localdate(alert.reported_at), "source_type": alert.source_type,
        "narrative": alert.description,
    }


def record_as_incident(alert, *, by, mission, request=None, **incident_kwargs):
    """Create the incident and link the alert to it, in one transaction."""
    _check_handler(alert, by)
    with transaction.atomic():
        incident = services.create_incident(by=by, mission=mission, request=request, **incident_kwargs)
        if not Alert.objects.filter(pk=alert.pk, incident__isnull=True).update(incident=incident):
            raise AlertError(_("This alert was already recorded as an incident."))
        alert.refresh_from_db()
        audit.record("alert.record_as_incident", user=by, obj=alert, request=request,
                     detail={"incident": incident.reference})
    return incident

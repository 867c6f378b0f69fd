"""Handover of a duty station's open work when an officer rotates out (staff rotate about yearly).

A station's open work: incidents awaiting a verification decision, open referrals (with their
follow-ups), unacknowledged alerts, and the open MARA action points given to the station's officers.

Action points have no duty station: an action point belongs to a MARA meeting, and a meeting to the
whole mission (mara.models), with no link to an incident or a station. So a station's page lists the
points of the officers posted there (an officer of two stations has hers on both pages), and a
handover moves all of the outgoing officer's open points: they follow the officer, not the station.
Both pages say so, so that nobody expects them to stay behind with another station's work.
Each item has an officer in charge (`assigned_to`; alerts are routed to the station's focal points
instead). `reassign` gives everything the outgoing officer holds at the station to the incoming
officer in one transaction, with one audit event per item and a summary event, and tells both.

Concurrency: the station row is locked for the whole reassignment, and the items are read again
under that lock and compared with what the person previewed (`fingerprint`). Two handovers of the
same station queue; the second finds the work moved and is refused, so they never interleave.

It lives in lifecycle because it reads incidents, referrals and the MARA's action points, and only
the apps at the right of the dependency order may import all three.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from crsv_mis import access, audit, notify
from crsv_mis.models import DutyStation, Notification, User
from incidents import alerts
from incidents.choices import VerificationStatus
from incidents.models import Alert, AlertStatus, Incident
from mara.models import ActionPoint
from mara.services.meetings import OPEN_ACTION_STATUSES
from referrals.models import OPEN_STATUSES, FollowUp, Referral

INCIDENTS = "incidents"
REFERRALS = "referrals"
ALERTS = "alerts"
ACTION_POINTS = "action_points"
KINDS = (INCIDENTS, REFERRALS, ALERTS, ACTION_POINTS)
AWAITING_VERIFICATION = (VerificationStatus.REPORTED, VerificationStatus.UNDER_VERIFICATION)


class HandoverRefused(Exception):
    """The handover cannot be made as asked; the message says why, for the person."""


class HandoverChanged(HandoverRefused):
    """The open work changed between the preview and the confirmation."""


# ---- what is open at a station, as the viewer may see it


def open_incidents(user, station):
    return (access.incidents_visible_to(user).filter(duty_station=station, status__in=AWAITING_VERIFICATION)
            .active().select_related("assigned_to").order_by("reported_date", "id"))


def open_referrals(user, station, today=None):
    """Open referrals of the station's incidents, each with `follow_up_due`: the next follow-up date of
    its latest follow-up when that date has passed (an overdue follow-up), else None."""
    today = today or timezone.localdate()
    later = FollowUp.objects.filter(referral_id=OuterRef("referral_id")).filter(
        Q(date__gt=OuterRef("date")) | Q(date=OuterRef("date"), id__gt=OuterRef("id")))
    overdue = FollowUp.objects.filter(referral_id=OuterRef("pk"), next_follow_up__lt=today).filter(~Exists(later))
    return (access.referrals_visible_to(user).filter(incident__duty_station=station, status__in=OPEN_STATUSES)
            .annotate(follow_up_overdue=Exists(overdue))
            .select_related("incident", "victim", "provider", "assigned_to").order_by("created_at", "id"))


def open_alerts(user, station):
    return access.alerts_visible_to(user).filter(duty_station=station, status=AlertStatus.NEW).order_by(
        "reported_at", "id")


def station_holders(station):
    """The people whose open action points belong on the station's page: its current officers, and
    anyone in charge of open work there (an officer moved away who has not handed it over)."""
    in_charge = set(Incident.objects.filter(duty_station=station, status__in=AWAITING_VERIFICATION).active()
                    .values_list("assigned_to_id", flat=True))
    in_charge |= set(Referral.objects.filter(incident__duty_station=station, status__in=OPEN_STATUSES)
                     .values_list("assigned_to_id", flat=True))
    return User.objects.filter(Q(duty_stations=station) | Q(pk__in=in_charge - {None})).distinct()


def open_action_points(user, station):
    return (access.action_points_for_handover(user)
            .filter(status__in=OPEN_ACTION_STATUSES, assigned_to__in=station_holders(station))
            .select_related("meeting", "assigned_to").order_by("due_date", "id"))


def open_work(user, station):
    """{kind: list of items} of the station, as `user` may see it."""
    return {
        INCIDENTS: list(open_incidents(user, station)),
        REFERRALS: list(open_referrals(user, station)),
        ALERTS: list(open_alerts(user, station)),
        ACTION_POINTS: list(open_action_points(user, station)),
    }


# ---- what one officer holds there


def _alerts_not_routed_to(user, station, officer):
    """Unacknowledged alerts are the station's, routed to all its focal points rather than held by one:
    a handover routes to the incoming officer those she has not been told about yet."""
    routed = Notification.objects.filter(user=officer, event_key__startswith="alert:").values_list(
        "event_key", flat=True)
    ids = {int(key.split(":")[1]) for key in routed if key.endswith(":new")}
    return open_alerts(user, station).exclude(pk__in=ids)


def to_hand_over(user, station, outgoing, incoming):
    """{kind: queryset} of what a handover from `outgoing` to `incoming` moves, within what `user` sees:
    the open work `outgoing` is in charge of at `station`, and the station's alerts `incoming` was not
    routed yet."""
    return {
        INCIDENTS: open_incidents(user, station).filter(assigned_to=outgoing),
        REFERRALS: open_referrals(user, station).filter(assigned_to=outgoing),
        ALERTS: _alerts_not_routed_to(user, station, incoming),
        ACTION_POINTS: access.action_points_for_handover(user).filter(status__in=OPEN_ACTION_STATUSES,
                                                                      assigned_to=outgoing),
    }


def _ids(querysets):
    return {kind: sorted(qs.values_list("pk", flat=True)) for kind, qs in querysets.items()}


def preview(user, station, outgoing, incoming):
    """({kind: count}, fingerprint) of what this handover would move now."""
    ids = _ids(to_hand_over(user, station, outgoing, incoming))
    return {kind: len(pks) for kind, pks in ids.items()}, fingerprint(ids)


def fingerprint(ids):
    text = ";".join(f"{kind}:{','.join(map(str, ids[kind]))}" for kind in KINDS)
    return hashlib.sha256(text.encode()).hexdigest()


# ---- who may hand over to whom


def outgoing_choices(user, station):
    """Whose work `user` may hand over at `station`: anyone holding some there (the SWPA), or herself."""
    if not access.handover_stations_for(user).filter(pk=station.pk).exists():
        return User.objects.none()
    holders = station_holders(station).filter(mission_id=station.mission_id)
    if user.role != access.Role.SWPA:
        holders = holders.filter(pk=user.pk)
    return holders.order_by("username")


def incoming_choices(station):
    """Who may take the work over: active WPAs and HROs posted to the station, and the mission's SWPA."""
    people = User.objects.filter(is_active=True, mission_id=station.mission_id).filter(
        Q(role=access.Role.SWPA) | Q(role__in=access.STATION_OFFICER_ROLES, duty_stations=station)).distinct()
    return people.order_by("username")


def refusal(by, station, outgoing, incoming):
    """Why this handover may not be made, or None."""
    if not access.can_hand_over(by, station, outgoing):
        return _("You may hand over only your own work, at a duty station you are posted to.")
    if outgoing.pk == incoming.pk:
        return _("Choose an incoming officer other than the outgoing one.")
    if not incoming.is_active:
        return _("%(name)s's account is not active: choose another officer.") % {"name": incoming.username}
    if incoming.mission_id != station.mission_id:
        return _("%(name)s is not in this mission: choose another officer.") % {"name": incoming.username}
    if not access.can_take_over(incoming, station):
        if incoming.role in access.STATION_OFFICER_ROLES:
            return _("%(name)s is not posted to %(station)s: an administrator adds the duty station to their "
                     "account first.") % {"name": incoming.username, "station": station.name}
        return _("%(name)s's role cannot take casework over: choose a WPA or HRO of the duty station, or the "
                 "SWPA.") % {"name": incoming.username}
    return None


# ---- the handover itself


@dataclass
class Result:
    counts: dict = field(default_factory=dict)

    @property
    def total(self):
        return sum(self.counts.values())


def reassign(*, by, station, outgoing, incoming, expected_fingerprint, request=None):
    """Give `outgoing`'s open work at `station` to `incoming`, all of it or nothing."""
    reason = refusal(by, station, outgoing, incoming)
    if reason:
        raise HandoverRefused(reason)
    with transaction.atomic():
        # One handover of a station at a time: a second one waits here, then reads what the first left.
        DutyStation.objects.select_for_update().get(pk=station.pk)
        ids = _ids(to_hand_over(by, station, outgoing, incoming))
        if fingerprint(ids) != expected_fingerprint:
            raise HandoverChanged(_("The open work of %(name)s changed since the preview: check the new counts "
                                    "and confirm again.") % {"name": outgoing.username})
        result = Result(counts={kind: len(pks) for kind, pks in ids.items()})
        if not result.total:
            raise HandoverRefused(_("%(name)s holds no open work at %(station)s to hand over.") % {
                "name": outgoing.username, "station": station.name})
        _move(Incident, ids[INCIDENTS], INCIDENTS, by=by, outgoing=outgoing, incoming=incoming, request=request)
        _move(Referral, ids[REFERRALS], REFERRALS, by=by, outgoing=outgoing, incoming=incoming, request=request)
        _move(ActionPoint, ids[ACTION_POINTS], ACTION_POINTS, by=by, outgoing=outgoing, incoming=incoming,
              request=request)
        for alert in Alert.objects.filter(pk__in=ids[ALERTS]).order_by("id"):
            alerts.route_alert_to(alert, [incoming])
            audit.record("handover.reassign", user=by, obj=alert, request=request,
                         detail={"kind": ALERTS, "from": outgoing.pk, "to": incoming.pk})
        audit.record("handover.summary", user=by, obj=station, request=request,
                     detail={"from": outgoing.pk, "to": incoming.pk, "counts": result.counts})
        _notify_both(station, by=by, outgoing=outgoing, incoming=incoming, result=result)
    return result


def _move(model, pks, kind, *, by, outgoing, incoming, request):
    rows = list(model.objects.select_for_update().filter(pk__in=pks, assigned_to=outgoing).order_by("id"))
    if len(rows) != len(pks):
        # Changed under us by something other than a handover (which would have waited on the station).
        raise HandoverChanged(_("The open work changed while it was being handed over: nothing was changed. "
                                "Check the new counts and confirm again."))
    model.objects.filter(pk__in=pks).update(assigned_to=incoming)
    for row in rows:
        audit.record("handover.reassign", user=by, obj=row, request=request,
                     detail={"kind": kind, "from": outgoing.pk, "to": incoming.pk})


def _counts_text(counts):
    parts = [
        ngettext("%(n)d incident", "%(n)d incidents", counts[INCIDENTS]) % {"n": counts[INCIDENTS]},
        ngettext("%(n)d referral", "%(n)d referrals", counts[REFERRALS]) % {"n": counts[REFERRALS]},
        ngettext("%(n)d alert", "%(n)d alerts", counts[ALERTS]) % {"n": counts[ALERTS]},
        ngettext("%(n)d action point", "%(n)d action points", counts[ACTION_POINTS]) % {"n": counts[ACTION_POINTS]},
    ]
    return ", ".join(parts)


def _notify_both(station, *, by, outgoing, incoming, result):
    url = reverse("handover_station", args=[station.code])
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    action = pgettext_lazy("notification action", "Open the handover page")
    notify.notify([incoming], event_key=f"handover:{station.pk}:{outgoing.pk}:{stamp}:in", url=url, action=action,
                  text=lambda: _("%(station)s: %(counts)s handed over to you from %(from)s by %(by)s.") % {
                      "station": station.name, "counts": _counts_text(result.counts), "from": outgoing.username,
                      "by": by.username})
    if outgoing.is_active:
        notify.notify([outgoing], event_key=f"handover:{station.pk}:{outgoing.pk}:{stamp}:out", url=url,
                      action=action,
                      text=lambda: _("%(station)s: your %(counts)s handed over to %(to)s by %(by)s.") % {
                          "station": station.name, "counts": _counts_text(result.counts), "to": incoming.username,
                          "by": by.username})

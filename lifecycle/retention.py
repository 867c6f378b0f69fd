"""Retention: the mission's periods, legal holds, and the pass that plans and anonymises.

A pass (`run`) does, for each class of records:

1. work out what is past retention now (`due`), leaving out anything under a legal hold (or
   whose hold was lifted less than a notice period ago) and anything already anonymised;
2. bring the plan up to date: a newly due record is listed from now; a listed record that is no
   longer due (a hold was set, it was edited, the period was lengthened) leaves the plan, so its
   notice starts again if it comes back;
3. anonymise the records listed for at least RETENTION_NOTICE_DAYS, in batches, each in its own
   transaction that checks again, under a row lock, that the record is still due.

Nothing is destroyed that the SWPA could not see on the plan page for the whole notice period. A
dry run works out the same counts and writes only its own run row. Running a pass twice changes
nothing more: anonymised records are no longer due.

The audit trail is planned by range, not by row (it is by far the largest class): a run records
the newest event then due (`upto_id`), and a later pass erases events up to the `upto_id` of the
newest run at least a notice period old.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crsv_mis import audit
from crsv_mis.models import AuditEvent, Mission, Role
from incidents.models import Alert, AlertResponse, Consent, Incident, Victim, new_victim_code
from incidents.signals import send_changed
from mara.models import VerificationDecision
from referrals.models import OPEN_STATUSES, FollowUp, Referral, ReferralStatusChange

from .models import Anonymisation, LegalHold, PlanEntry, RecordClass, RetentionPolicy, RetentionRun, RunState

log = logging.getLogger(__name__)

CASE_CLASSES = (RecordClass.INCIDENTS, RecordClass.ALERTS, RecordClass.REFERRALS)
FINAL_REFERRAL_STATUSES = ("CLOSED", "DECLINED_BY_SURVIVOR", "PROVIDER_UNAVAILABLE", "LOST_TO_FOLLOW_UP")
# The batch events that say which audit events were erased: they hold no personal data and are the
# proof of what retention did, so they are never erased themselves.
AUDIT_ERASURE_ACTION = "retention.anonymise_audit"

# What "past retention" counts from, per class (shown on the periods page).
COUNTED_FROM = {
    RecordClass.INCIDENTS: gettext_lazy("the last change to the incident: an edit, a verification decision or "
                                        "archiving; never while one of its referrals is still open"),
    RecordClass.ALERTS: gettext_lazy("the alert's closure (its last acknowledgement or response if that came "
                                     "later); open alerts are never due"),
    RecordClass.REFERRALS: gettext_lazy("the referral's end: its last status change into closed, declined, "
                                        "provider unavailable or lost to follow-up, or its last follow-up"),
    RecordClass.AUDIT: gettext_lazy("the time of each event"),
}


class RetentionError(Exception):
    """A request the rules refuse; the message is for the person who made it."""


def is_retention_officer(user):
    return bool(user and user.is_authenticated and user.is_active and user.mission_id is not None
                and user.role == Role.SWPA)


def _require_officer(user):
    if not is_retention_officer(user):
        raise RetentionError(_("Only the Senior Women Protection Adviser manages retention."))


# ---- periods


def limits(record_class):
    return settings.RETENTION_LIMITS[record_class]


def period_days(mission, record_class):
    policy = RetentionPolicy.objects.filter(mission=mission, record_class=record_class).first()
    return policy.days if policy else limits(record_class)["default"]


def periods(mission):
    """One row per class for the periods page."""
    policies = {p.record_class: p for p in RetentionPolicy.objects.filter(mission=mission).select_related("set_by")}
    return [{"record_class": rc, "label": rc.label, "days": policies[rc].days if rc in policies
             else limits(rc)["default"], "policy": policies.get(rc), "limits": limits(rc),
             "counted_from": COUNTED_FROM[rc]} for rc in RecordClass]


def set_period(mission, record_class, days, *, by, request=None):
    _require_officer(by)
    if record_class not in RecordClass.values:
        raise RetentionError(_("Unknown class of records."))
    bounds = limits(record_class)
    if days is None or not bounds["min"] <= days <= bounds["max"]:
        raise RetentionError(_("%(label)s must be kept between %(min)d and %(max)d days (about %(min_y)s to "
                               "%(max_y)s years); %(days)s is outside that range.") % {
            "label": RecordClass(record_class).label, "min": bounds["min"], "max": bounds["max"],
            "min_y": round(bounds["min"] / 365, 1), "max_y": round(bounds["max"] / 365, 1),
            "days": days if days is not None else "—"})
    with transaction.atomic():
        policy = RetentionPolicy.objects.select_for_update().filter(mission=mission, record_class=record_class).first()
        before = policy.days if policy else bounds["default"]
        if policy is None:
            policy = RetentionPolicy(mission=mission, record_class=record_class)
        policy.days, policy.set_by, policy.set_at = days, by, timezone.now()
        policy.save()
        audit.record("retention.period", user=by, obj=policy, request=request,
                     detail={"class": record_class, "from": before, "to": days})
    return policy


# ---- legal holds


def held_incident_ids(mission, now=None, *, recently_lifted=False):
    """Incidents under a hold (of every mission when `mission` is None). With `recently_lifted`,
    also those whose hold was lifted less than a notice period ago: the audit trail is planned by
    range, so that is how a lifted hold gives it a full notice again (case records get theirs by
    leaving the plan when the hold is set)."""
    holds = LegalHold.objects.all() if mission is None else LegalHold.objects.filter(mission=mission)
    if recently_lifted:
        since = (now or timezone.now()) - datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS)
        holds = holds.filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=since))
    else:
        holds = holds.filter(lifted_at__isnull=True)
    return set(holds.values_list("incident_id", flat=True))


def find_incident(mission, reference):
    return Incident.objects.filter(mission=mission, reference=(reference or "").strip()).first()


def set_hold(incident, *, by, reason, request=None):
    _require_officer(by)
    reason = (reason or "").strip()
    if incident is None or incident.mission_id != by.mission_id:
        raise RetentionError(_("No incident of this mission has that reference."))
    if not reason:
        raise RetentionError(_("Give the reason for the hold, for example the court case reference."))
    if is_anonymised(RecordClass.INCIDENTS, incident.pk):
        raise RetentionError(_("This incident was already anonymised: there is nothing left to hold."))
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=incident.pk).first()
        if LegalHold.objects.active().filter(incident=incident).exists():
            raise RetentionError(_("This incident is already on hold."))
        hold = LegalHold.objects.create(mission_id=incident.mission_id, incident=incident, reason=reason, set_by=by)
        # Out of the plan at once: held records are never listed.
        _drop_held_from_plan(incident)
        audit.record("retention.hold", user=by, obj=incident, request=request, detail={"hold": hold.pk})
    return hold


def _drop_held_from_plan(incident):
    PlanEntry.objects.filter(record_class=RecordClass.INCIDENTS, object_id=incident.pk).delete()
    PlanEntry.objects.filter(record_class=RecordClass.ALERTS,
                             object_id__in=list(incident.alerts.values_list("pk", flat=True))).delete()
    PlanEntry.objects.filter(record_class=RecordClass.REFERRALS,
                             object_id__in=list(incident.referrals.values_list("pk", flat=True))).delete()


def lift_hold(hold, *, by, reason, request=None):
    _require_officer(by)
    reason = (reason or "").strip()
    if hold.mission_id != by.mission_id:
        raise RetentionError(_("No such hold."))
    if not reason:
        raise RetentionError(_("Say why the hold is lifted, for example that the case is closed."))
    with transaction.atomic():
        updated = LegalHold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=by, lift_reason=reason)
        if not updated:
            raise RetentionError(_("This hold was already lifted."))
        hold.refresh_from_db()
        audit.record("retention.lift_hold", user=by, obj=hold.incident, request=request, detail={"hold": hold.pk})
    return hold


def is_anonymised(record_class, object_id):
    return Anonymisation.objects.filter(record_class=record_class, object_id=object_id).exists()


# ---- what is due


def _anonymised_ids(record_class):
    return Anonymisation.objects.filter(record_class=record_class).values("object_id")


def _as_text(field):
    return Cast(field, output_field=CharField())


def due(mission, record_class, now=None):
    """The records of `record_class` past retention now, not held, not anonymised."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=period_days(mission, record_class))
    if record_class == RecordClass.AUDIT:
        return _due_audit_events(mission, cutoff, now)
    held = held_incident_ids(mission, now)
    if record_class == RecordClass.INCIDENTS:
        return (Incident.objects.filter(mission=mission, updated_at__lt=cutoff)
                .exclude(archived_at__gte=cutoff)
                .exclude(pk__in=held)
                .exclude(pk__in=_anonymised_ids(record_class))
                .exclude(Exists(VerificationDecision.objects.filter(incident=OuterRef("pk"), decided_at__gte=cutoff)))
                .exclude(Exists(Referral.objects.filter(incident=OuterRef("pk"), status__in=OPEN_STATUSES))))
    if record_class == RecordClass.ALERTS:
        closed_lately = AuditEvent.objects.filter(action="alert.close", object_type="incidents.alert",
                                                  object_id=_as_text(OuterRef("pk")), at__gte=cutoff)
        return (Alert.objects.filter(mission=mission, status="CLOSED", reported_at__lt=cutoff)
                .exclude(acknowledged_at__gte=cutoff)
                .exclude(incident_id__in=held)
                .exclude(pk__in=_anonymised_ids(record_class))
                .exclude(Exists(AlertResponse.objects.filter(alert=OuterRef("pk"), responded_at__gte=cutoff)))
                .exclude(Exists(closed_lately)))
    if record_class == RecordClass.REFERRALS:
        return (Referral.objects.filter(incident__mission=mission, status__in=FINAL_REFERRAL_STATUSES,
                                        created_at__lt=cutoff)
                .exclude(closed_at__gte=cutoff)
                .exclude(incident_id__in=held)
                .exclude(pk__in=_anonymised_ids(record_class))
                .exclude(Exists(ReferralStatusChange.objects.filter(referral=OuterRef("pk"), changed_at__gte=cutoff)))
                .exclude(Exists(FollowUp.objects.filter(referral=OuterRef("pk"), recorded_at__gte=cutoff))))
    raise ValueError(record_class)


def _due_audit_events(mission, cutoff, now):
    """The mission's audit events past its period. Events of no mission (system tasks, events
    recorded before events named theirs) are due only past every mission's period. Events about a
    record under a hold of any mission stay whole (a court may ask who read or changed the file)."""
    longest = max([period_days(m, RecordClass.AUDIT) for m in Mission.objects.all()] + [0])
    shared_cutoff = min(cutoff, now - datetime.timedelta(days=longest))
    events = (AuditEvent.objects.filter(Q(mission=mission, at__lt=cutoff)
                                        | Q(mission__isnull=True, at__lt=shared_cutoff))
              .filter(anonymised_at__isnull=True).exclude(action=AUDIT_ERASURE_ACTION))
    held = held_incident_ids(None, now, recently_lifted=True)
    if held:
        held_text = [str(pk) for pk in held]
        alerts = [str(pk) for pk in Alert.objects.filter(incident_id__in=held).values_list("pk", flat=True)]
        referrals = [str(pk) for pk in Referral.objects.filter(incident_id__in=held).values_list("pk", flat=True)]
        events = events.exclude(Q(object_type="incidents.incident", object_id__in=held_text)
                                | Q(object_type="incidents.alert", object_id__in=alerts)
                                | Q(object_type="referrals.referral", object_id__in=referrals))
    return events


def _labels(record_class, queryset):
    """(pk, label) pairs: the reference where the record has one."""
    if record_class == RecordClass.REFERRALS:
        return [(pk, f"{ref} #{pk}") for pk, ref in queryset.values_list("pk", "incident__reference")]
    return list(queryset.values_list("pk", "reference"))


# ---- anonymisation, one record at a time (each in the caller's batch transaction)


def _anonymise_incident(incident_id, run):
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    # Exact place dropped: the territory (or the province) stays, so admin1/admin2 are unchanged.
    # The version moves on and the record is closed to edits (incidents.services.RecordAnonymised), so
    # nothing typed can come back.
    Incident.objects.filter(pk=incident_id).update(
        narrative="", coordinates="", summary="", location=Coalesce(F("admin2"), F("admin1")),
        version=F("version") + 1, anonymised_at=timezone.now())
    victims = list(Victim.objects.filter(incident_id=incident_id).values_list("pk", flat=True))
    for victim_id in victims:
        # A new pseudonymous code: notes kept elsewhere under the old code no longer lead here.
        # The age in years goes; the age group (and so the victim group) stays.
        Victim.objects.filter(pk=victim_id).update(name="", contact="", previously_interviewed_by="", age_years=None,
                                                   code=new_victim_code())
    Consent.objects.filter(victim__incident_id=incident_id).update(decided_by="")
    # A rationale is free text about this one case.
    VerificationDecision.objects.filter(incident_id=incident_id).update(rationale="")
    return incident, {"victims": len(victims)}


def _anonymise_alert(alert_id, run):
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    Alert.objects.filter(pk=alert_id).update(description="", location=Coalesce(F("admin2"), F("admin1")))
    responses = AlertResponse.objects.filter(alert_id=alert_id).update(outcome="")
    return alert, {"responses": responses}


def _anonymise_referral(referral_id, run):
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    Referral.objects.filter(pk=referral_id).update(note="", consent_decided_by="", version=F("version") + 1)
    ReferralStatusChange.objects.filter(referral_id=referral_id).update(reason="")
    follow_ups = FollowUp.objects.filter(referral_id=referral_id).update(note="", outcome="")
    return referral, {"follow_ups": follow_ups}


MODELS = {RecordClass.INCIDENTS: Incident, RecordClass.ALERTS: Alert, RecordClass.REFERRALS: Referral}
ANONYMISERS = {
    RecordClass.INCIDENTS: _anonymise_incident,
    RecordClass.ALERTS: _anonymise_alert,
    RecordClass.REFERRALS: _anonymise_referral,
}


def _anonymise_batch(mission, record_class, entries, run, now):
    """Anonymise one batch of plan entries in one transaction; returns how many were done. Each
    record is checked again, under the transaction, to be still due (a hold set or an edit made
    since the plan was read wins)."""
    done, months = 0, set()
    with transaction.atomic():
        ids = [e.object_id for e in entries]
        # Lock first, then check: a pass running beside this one has either finished with these
        # records (and its anonymisations are seen) or waits for this one.
        list(MODELS[record_class].objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        still_due = set(due(mission, record_class, now).filter(pk__in=ids).values_list("pk", flat=True))
        for entry in entries:
            if entry.object_id not in still_due:
                continue
            obj, detail = ANONYMISERS[record_class](entry.object_id, run)
            Anonymisation.objects.create(mission=mission, record_class=record_class, object_id=entry.object_id,
                                         label=entry.label, run=run, anonymised_at=now)
            # One event per record, on the record: its own history shows when and by which run.
            audit.record("retention.anonymise", obj=obj, detail={"class": record_class, "run": run.pk, **detail})
            done += 1
            if record_class == RecordClass.INCIDENTS:
                months.add(obj.incident_date)
        if months:
            # Counts must not move; marking the months stale (once per batch, not per record) has
            # the rollup recount them, which proves it.
            send_changed(mission.pk, *months)
        PlanEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
    return done


def _erase_audit_batch(ids, run, now):
    """Erase the personal fields of a batch of audit events; one event lists them (one event per
    erased event would grow the trail by as much as retention empties it)."""
    with transaction.atomic():
        erased = audit.anonymise(AuditEvent.objects.filter(pk__in=ids), at=now)
        if erased:
            audit.record(AUDIT_ERASURE_ACTION, detail={"run": run.pk, "count": erased, "ids": ids})
    return erased


# ---- the pass


def _sync_plan(mission, record_class, due_qs, run, now):
    """Drop listed records that are no longer due; list the newly due ones. Returns (new count)."""
    listed = PlanEntry.objects.filter(mission=mission, record_class=record_class)
    listed.exclude(object_id__in=due_qs.values("pk")).delete()
    fresh = due_qs.exclude(pk__in=listed.values("object_id"))
    new = 0
    batch = settings.RETENTION_BATCH_SIZE * 10
    while True:
        chunk = _labels(record_class, fresh.order_by("pk")[:batch])
        if not chunk:
            return new
        PlanEntry.objects.bulk_create(
            [PlanEntry(mission=mission, record_class=record_class, object_id=pk, label=label or str(pk),
                       listed_at=now, listed_by_run=run) for pk, label in chunk], ignore_conflicts=True)
        new += len(chunk)


def _notice_start(now):
    return now - datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS)


def _held_count(mission, record_class, now):
    """Records past retention that a hold keeps."""
    held = held_incident_ids(mission, now)
    if not held or record_class == RecordClass.AUDIT:
        return 0
    cutoff = now - datetime.timedelta(days=period_days(mission, record_class))
    if record_class == RecordClass.INCIDENTS:
        return Incident.objects.filter(pk__in=held, updated_at__lt=cutoff).count()
    if record_class == RecordClass.ALERTS:
        return Alert.objects.filter(incident_id__in=held, status="CLOSED", reported_at__lt=cutoff).count()
    return Referral.objects.filter(incident_id__in=held, status__in=FINAL_REFERRAL_STATUSES,
                                   created_at__lt=cutoff).count()


def _case_class(mission, record_class, run, now, dry_run):
    due_qs = due(mission, record_class, now)
    listed = PlanEntry.objects.filter(mission=mission, record_class=record_class)
    counts = {"due": due_qs.count(), "held": _held_count(mission, record_class, now), "anonymised": 0}
    ready = listed.filter(listed_at__lte=_notice_start(now), object_id__in=due_qs.values("pk"))
    if dry_run:
        counts["new"] = due_qs.exclude(pk__in=listed.values("object_id")).count()
        counts["ready"] = ready.count()
        return counts
    counts["new"] = _sync_plan(mission, record_class, due_qs, run, now)
    counts["ready"] = ready.count()
    while True:
        entries = list(ready.order_by("pk")[:settings.RETENTION_BATCH_SIZE])
        if not entries:
            break
        counts["anonymised"] += _anonymise_batch(mission, record_class, entries, run, now)
    return counts


def _audit_class(mission, run, now, dry_run):
    due_qs = due(mission, RecordClass.AUDIT, now)
    newest = due_qs.order_by("-pk").values_list("pk", flat=True).first()
    counts = {"due": due_qs.count(), "held": 0, "anonymised": 0, "upto_id": newest}
    listed_run = (RetentionRun.objects.filter(mission=mission, dry_run=False, state=RunState.DONE,
                                              started_at__lte=_notice_start(now), counts__audit__upto_id__isnull=False)
                  .order_by("-started_at").first())
    upto = listed_run.counts["audit"]["upto_id"] if listed_run else None
    ready = due_qs.filter(pk__lte=upto) if upto else due_qs.none()
    counts["ready"] = ready.count()
    if dry_run:
        return counts
    while True:
        ids = list(ready.order_by("pk").values_list("pk", flat=True)[:settings.RETENTION_BATCH_SIZE])
        if not ids:
            break
        counts["anonymised"] += _erase_audit_batch(ids, run, now)
    return counts


def run(mission, *, dry_run=False, trigger="command", now=None):
    """One pass over `mission` (see the module docstring). Returns the RetentionRun."""
    now = now or timezone.now()
    retention_run = RetentionRun.objects.create(mission=mission, dry_run=dry_run, trigger=trigger, started_at=now)
    counts = {}
    try:
        for record_class in CASE_CLASSES:
            counts[record_class] = _case_class(mission, record_class, retention_run, now, dry_run)
        counts[RecordClass.AUDIT] = _audit_class(mission, retention_run, now, dry_run)
    except Exception:
        RetentionRun.objects.filter(pk=retention_run.pk).update(state=RunState.FAILED, finished_at=timezone.now(),
                                                                counts=counts)
        raise
    retention_run.counts, retention_run.state, retention_run.finished_at = counts, RunState.DONE, timezone.now()
    retention_run.save(update_fields=["counts", "state", "finished_at"])
    audit.record("retention.dry_run" if dry_run else "retention.run", obj=retention_run,
                 detail={rc: {k: v for k, v in c.items() if k != "upto_id"} for rc, c in counts.items()})
    return retention_run


# ---- what the pages show


def plan(mission, now=None, limit=100):
    """The plan per class: records listed, when each will be anonymised at the earliest, and the
    audit trail's range."""
    now = now or timezone.now()
    notice = datetime.timedelta(days=settings.RETENTION_NOTICE_DAYS)
    rows = []
    for record_class in CASE_CLASSES:
        listed = PlanEntry.objects.filter(mission=mission, record_class=record_class)
        entries = [{"label": e.label, "listed_at": e.listed_at, "from": e.listed_at + notice,
                    "ready": e.listed_at + notice <= now} for e in listed.order_by("listed_at", "id")[:limit]]
        rows.append({"record_class": record_class, "label": record_class.label, "count": listed.count(),
                     "ready": listed.filter(listed_at__lte=now - notice).count(), "entries": entries,
                     "days": period_days(mission, record_class)})
    latest = RetentionRun.objects.filter(mission=mission, dry_run=False, state=RunState.DONE).first()
    audit_counts = (latest.counts or {}).get(RecordClass.AUDIT, {}) if latest else {}
    return {"classes": rows, "audit": audit_counts, "latest_run": latest,
            "audit_days": period_days(mission, RecordClass.AUDIT), "notice_days": settings.RETENTION_NOTICE_DAYS}


def anonymisation_of(record_class, object_id):
    return Anonymisation.objects.filter(record_class=record_class, object_id=object_id).first()


def active_hold_of(incident):
    return LegalHold.objects.active().filter(incident=incident).first()

"""Intake rules: create, edit with a version check, archive (asked by an administrator, done by the
SWPA). Views and the API call these."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv_mis import audit
from crsv_mis.models import Location, Role

from .choices import ConsentKind
from .models import (
    ArchiveRequest,
    ArchiveRequestState,
    Consent,
    FormOfViolence,
    Incident,
    Perpetrator,
    ReferenceCounter,
    Victim,
)
from .sharing import shareable_with_mara
from .signals import send_changed

VICTIM_FIELDS = ("sex", "age_years", "age_group", "displacement", "disability", "name", "contact",
                 "previously_interviewed_by")
PERPETRATOR_FIELDS = ("party", "party_type", "number", "sex")
INCIDENT_FIELDS = (
    "duty_station", "incident_date", "incident_date_precision", "incident_date_end", "reported_date",
    "location", "coordinates", "site_type", "conflict_nexus", "source_type", "source_sex",
    "source_reliability", "source_credibility", "shared_under_isp", "narrative", "summary",
)


class EditConflict(Exception):
    """Someone else saved the incident since this edit began."""


class RecordAnonymised(Exception):
    """Retention destroyed the incident's identifying fields; nothing may be typed back in."""

    def __init__(self):
        super().__init__(_("This incident was anonymised under the retention rules: it can no longer be edited."))


def next_reference(mission, year):
    # The UPDATE locks the counter row (PostgreSQL) or the database (SQLite) until commit,
    # so two submissions can never read the same number.
    counter, _created = ReferenceCounter.objects.get_or_create(mission=mission, year=year)
    ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{mission.code}-{year}-{counter.last:05d}"


def reserve_references(mission, years):
    """Take a block of sequence numbers per year from ReferenceCounter; return the first free one per year.

    The counter is moved past the block before any incident is written, so create_incident
    running meanwhile (or later) continues after it and never collides.
    """
    first = {}
    with transaction.atomic():
        for year, count in sorted(years.items()):
            ReferenceCounter.objects.get_or_create(mission=mission, year=year)
            counter = ReferenceCounter.objects.select_for_update().get(mission=mission, year=year)
            prefix = f"{mission.code}-{year}-"
            # Belt and braces: never reuse a number already present, even if the counter lags behind.
            newest = (Incident.objects.filter(reference__startswith=prefix)
                      .order_by(Length("reference").desc(), "-reference")
                      .values_list("reference", flat=True).first())
            used = int(newest[len(prefix):]) if newest and newest[len(prefix):].isdigit() else 0
            start = max(counter.last, used)
            counter.last = start + count
            counter.save(update_fields=["last"])
            first[year] = start + 1
    return first


def _save_consents(victim, data, *, by):
    kinds = set(data.get("consent_kinds") or [])
    existing = {c.kind: c for c in victim.consents.all()}
    date = data.get("consent_date") or timezone.localdate()
    for kind in ConsentKind.values:
        given = kind in kinds
        consent = existing.get(kind)
        if consent is None:
            Consent.objects.create(
                victim=victim, kind=kind, given=given, date=date, taken_by=by,
                given_by=data.get("consent_given_by") or "SURVIVOR",
                decided_by=data.get("consent_decided_by") or "",
            )
        elif consent.active and not given:
            # Unticking a consent that was given is a withdrawal; the grant stays on record.
            consent.withdrawn_at = timezone.localdate()
            consent.save(update_fields=["withdrawn_at"])
        elif given and not consent.active:
            consent.given, consent.withdrawn_at, consent.date, consent.taken_by = True, None, date, by
            consent.given_by = data.get("consent_given_by") or consent.given_by
            consent.decided_by = data.get("consent_decided_by") or consent.decided_by
            consent.save()


def refresh_mara_shareable(incident):
    victims = incident.victims.prefetch_related("consents")
    shareable = shareable_with_mara(
        shared_under_isp=incident.shared_under_isp,
        consents_per_victim=[{c.kind for c in v.consents.all() if c.active} for v in victims])
    Incident.objects.filter(pk=incident.pk).update(mara_shareable=shareable)
    incident.mara_shareable = shareable


def _write_children(incident, *, victims, perpetrators, by):
    keep = []
    for data in victims:
        victim = incident.victims.filter(pk=data["id"]).first() if data.get("id") else None
        victim = victim or Victim(incident=incident)
        for field in VICTIM_FIELDS:
            value = data.get(field)
            setattr(victim, field, "" if value is None and field != "age_years" else value)
        victim.save()
        keep.append(victim.pk)
        _save_consents(victim, data, by=by)
    incident.victims.exclude(pk__in=keep).delete()
    Incident.objects.filter(pk=incident.pk).update(victim_count=len(keep))
    incident.victim_count = len(keep)
    incident.perpetrators.all().delete()
    Perpetrator.objects.bulk_create(
        Perpetrator(incident=incident, **{f: p.get(f) for f in PERPETRATOR_FIELDS}) for p in perpetrators
    )
    refresh_mara_shareable(incident)


class PlaceOutsideMission(PermissionDenied):
    """A place of another mission's country: refused whatever the caller (form, API, import, alert)."""


def check_place(mission, location):
    if location is not None and not Location.objects.of_mission(mission).filter(pk=location.pk).exists():
        raise PlaceOutsideMission(_("This place is not in the mission's country."))


def create_incident(*, by, mission, fields, form_codes, victims, perpetrators, request=None):
    """Record a new incident with its victims, perpetrators and consents, in one transaction."""
    check_place(mission, fields.get("location"))
    with transaction.atomic():
        incident = Incident(mission=mission, created_by=by, **{k: fields.get(k) for k in INCIDENT_FIELDS})
        incident.coordinates = incident.coordinates or ""
        incident.narrative = incident.narrative or ""
        incident.reference = next_reference(mission, incident.reported_date.year)
        incident.save()
        incident.forms.set(FormOfViolence.objects.filter(code__in=form_codes))
        _write_children(incident, victims=victims, perpetrators=perpetrators, by=by)
        send_changed(mission.pk, incident.incident_date)
        audit.record("incident.create", user=by, obj=incident, request=request,
                     detail={"victims": len(victims), "perpetrators": len(perpetrators)})
    return incident


def update_incident(incident, *, by, expected_version, fields, form_codes, victims, perpetrators, request=None):
    """Save an edit only if nobody saved the incident since `expected_version` was read."""
    check_place(incident.mission, fields.get("location"))
    with transaction.atomic():
        bumped = Incident.objects.filter(pk=incident.pk, version=expected_version, anonymised_at__isnull=True).update(
            version=F("version") + 1
        )
        if not bumped:
            if Incident.objects.filter(pk=incident.pk, anonymised_at__isnull=False).exists():
                raise RecordAnonymised
            raise EditConflict(_("Someone else saved this incident while you were editing it."))
        # Compare with the stored row: a bound form may already have written onto `incident`.
        stored = Incident.objects.get(pk=incident.pk)
        changed = sorted(k for k in INCIDENT_FIELDS if getattr(stored, k) != fields.get(k))
        for key in INCIDENT_FIELDS:
            value = fields.get(key)
            if key in ("coordinates", "narrative") and value is None:
                value = ""
            setattr(incident, key, value)
        incident.version = expected_version + 1
        incident.save()
        old_forms = set(incident.forms.values_list("code", flat=True))
        if old_forms != set(form_codes):
            changed.append("forms")
            incident.forms.set(FormOfViolence.objects.filter(code__in=form_codes))
        _write_children(incident, victims=victims, perpetrators=perpetrators, by=by)
        send_changed(incident.mission_id, stored.incident_date, incident.incident_date)
        audit.record("incident.change", user=by, obj=incident, request=request,
                     detail={"fields": changed, "version": incident.version})
    return incident


def request_archive(incident, *, by, reason, request=None):
    """An administrator asks to archive an incident named by its reference, without reading it.
    Nothing is hidden yet: an SWPA of the mission confirms or declines (confirm_archive)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Give a reason for archiving."))
    with transaction.atomic():
        pending = ArchiveRequest.objects.select_for_update().filter(
            incident=incident, state=ArchiveRequestState.PENDING).first()
        if pending is not None:
            return pending
        archive_request = ArchiveRequest.objects.create(incident=incident, reason=reason, requested_by=by)
        audit.record("incident.archive_request", user=by, obj=incident, request=request)
    return archive_request


def can_archive(user, incident):
    """Archiving hides an incident from everyday lists and counts for good: only an SWPA of its
    mission does it, who keeps reading archived records."""
    return bool(user.is_active and user.role == Role.SWPA and user.mission_id == incident.mission_id)


def archive_incident(incident, *, by, reason, request=None, requested_by=None):
    """Incidents are never deleted; an SWPA archives one with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Give a reason for archiving."))
    if not can_archive(by, incident):
        raise PermissionDenied
    with transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(
            archived_at=timezone.now(), archived_by=by, archive_reason=reason, version=F("version") + 1
        )
        incident.refresh_from_db()
        send_changed(incident.mission_id, incident.incident_date)
        audit.record("incident.archive", user=by, obj=incident, request=request,
                     detail={"requested_by": requested_by.username} if requested_by else None)
    return incident


def _decide_archive(archive_request, *, by, state):
    archive_request = ArchiveRequest.objects.select_for_update().select_related("incident", "requested_by").get(
        pk=archive_request.pk)
    if not can_archive(by, archive_request.incident):
        raise PermissionDenied
    if archive_request.state != ArchiveRequestState.PENDING:
        raise ValueError(_("This request was already decided."))
    archive_request.state, archive_request.decided_by, archive_request.decided_at = state, by, timezone.now()
    archive_request.save(update_fields=["state", "decided_by", "decided_at"])
    return archive_request


@transaction.atomic
def confirm_archive(archive_request, *, by, request=None):
    archive_request = _decide_archive(archive_request, by=by, state=ArchiveRequestState.CONFIRMED)
    if archive_request.incident.archived_at is None:
        archive_incident(archive_request.incident, by=by, reason=archive_request.reason, request=request,
                         requested_by=archive_request.requested_by)
    return archive_request


@transaction.atomic
def decline_archive(archive_request, *, by, request=None):
    archive_request = _decide_archive(archive_request, by=by, state=ArchiveRequestState.DECLINED)
    audit.record("incident.archive_decline", user=by, obj=archive_request.incident, request=request,
                 detail={"requested_by": archive_request.requested_by.username})
    return archive_request


def archive_requests_for(user):
    """The pending requests an SWPA decides: their mission's."""
    if user.role != Role.SWPA or user.mission_id is None:
        return ArchiveRequest.objects.none()
    return ArchiveRequest.objects.filter(incident__mission_id=user.mission_id, state=ArchiveRequestState.PENDING,
                                         incident__archived_at__isnull=True).select_related("incident", "requested_by")


def record_view(incident, *, request):
    audit.record("incident.view", obj=incident, request=request)

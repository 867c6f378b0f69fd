"""Referral rules: create, change status, follow up, withdraw consent. Views and the API call these.

Style of incidents/services.py: one function per transition, checks + history + audit in one
transaction, and a conditional version UPDATE so that a concurrent change is never overwritten.
"""

from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from crsv_mis import access, audit, notify
from crsv_mis.models import Role
from incidents.choices import ConsentGivenBy, ConsentKind
from incidents.models import Consent
from incidents.services import EditConflict

from .models import OPEN_STATUSES, FollowUp, Referral, ReferralStatus, ReferralStatusChange

S = ReferralStatus
TRANSITIONS = {
    S.PROPOSED: frozenset({S.REFERRED, S.DECLINED_BY_SURVIVOR, S.PROVIDER_UNAVAILABLE}),
    S.REFERRED: frozenset({S.ACCEPTED, S.DECLINED_BY_SURVIVOR, S.PROVIDER_UNAVAILABLE, S.LOST_TO_FOLLOW_UP}),
    S.ACCEPTED: frozenset({S.SERVICE_PROVIDED, S.LOST_TO_FOLLOW_UP, S.DECLINED_BY_SURVIVOR}),
    S.SERVICE_PROVIDED: frozenset({S.CLOSED}),
}
# What the provider's focal point may record on a referral assigned to them.
FOCAL_POINT_TARGETS = frozenset({S.ACCEPTED, S.SERVICE_PROVIDED, S.PROVIDER_UNAVAILABLE})
CONSENT_WITHDRAWN = "consent withdrawn"


class ReferralNotAllowed(Exception):
    """The person may not do this, or the step itself is not allowed."""


class ReferralConflict(EditConflict):
    """Someone else changed the referral since the page was read."""


def is_referrer_side(user, referral):
    """WPA/HRO/SWPA who see the referral's incident."""
    return bool(access.can_refer(user) and access.referrals_visible_to(user).filter(pk=referral.pk).exists())


def is_assigned_focal_point(user, referral):
    """A focal point of the referral's provider now (access.referrals_visible_to says who)."""
    return bool(
        user and user.is_authenticated and user.role == Role.REFERRAL_FOCAL_POINT
        and access.referrals_visible_to(user).filter(pk=referral.pk).exists()
    )


def allowed_targets(user, referral):
    """Statuses `user` may move `referral` to now, in the order of ReferralStatus."""
    targets = TRANSITIONS.get(referral.status, frozenset())
    if is_referrer_side(user, referral):
        pass
    elif is_assigned_focal_point(user, referral):
        targets = targets & FOCAL_POINT_TARGETS
    else:
        return []
    if not referral.consent_active:
        targets = targets - {S.REFERRED}
    return [value for value in S.values if value in targets]


def consent_problem(*, given, date, given_by, decided_by, victim):
    """Why the consent recorded for a referral is not enough, or None."""
    if not given:
        return _("The survivor's consent to this referral is not recorded.")
    if not date:
        return _("Give the date the consent was given.")
    if date > timezone.localdate():
        return _("The date of consent cannot be in the future.")
    if not given_by:
        return _("Say who gave the consent.")
    if victim.is_child:
        if given_by == ConsentGivenBy.SURVIVOR:
            return _("For a child survivor, the consent is the caregiver's or a best-interest decision.")
        if not (decided_by or "").strip():
            return _("For a child survivor, record who decided and in what capacity.")
    return None


def create_referral(*, by, victim, service, provider, urgency, note="", consent_given=False, consent_date=None,
                    consent_given_by="", consent_decided_by="", send=False, request=None):
    """Record a PROPOSED referral; with `send`, move it to REFERRED at once (needs an active consent)."""
    if not access.can_refer(by) or not access.incidents_visible_to(by).filter(pk=victim.incident_id).exists():
        raise ReferralNotAllowed(_("You may not refer this survivor."))
    incident = victim.incident
    if provider.mission_id != incident.mission_id:
        raise ReferralNotAllowed(_("This provider is not in the mission of the incident."))
    if not provider.services.filter(service=service, active=True).exists():
        raise ReferralNotAllowed(_("This provider does not offer this service."))
    if consent_given:
        problem = consent_problem(given=consent_given, date=consent_date, given_by=consent_given_by,
                                  decided_by=consent_decided_by, victim=victim)
        if problem:
            raise ReferralNotAllowed(problem)
    elif send:
        raise ReferralNotAllowed(_("A referral cannot be sent without the survivor's consent to it."))
    with transaction.atomic():
        referral = Referral.objects.create(
            incident=incident, victim=victim, service=service, provider=provider, urgency=urgency,
            note=note or "", referred_by=by, consent_given=bool(consent_given),
            consent_date=consent_date if consent_given else None,
            consent_given_by=consent_given_by if consent_given else "",
            consent_decided_by=(consent_decided_by or "") if consent_given else "",
            consent_taken_by=by if consent_given else None,
        )
        ReferralStatusChange.objects.create(referral=referral, from_status="", to_status=S.PROPOSED, changed_by=by)
        audit.record("referral.create", user=by, obj=referral, request=request,
                     detail={"service": service, "provider": provider.pk, "urgency": urgency,
                             "victim": victim.code, "consent": bool(consent_given)})
        if send:
            change_status(referral, by=by, to=S.REFERRED, request=request)
    return referral


def _referred_text(referral):
    return _("A referral was sent to %(provider)s (%(service)s, %(urgency)s).") % {
        "provider": referral.provider.name, "service": referral.get_service_display(),
        "urgency": referral.get_urgency_display(),
    }


def _notify_focal_points(referral):
    # Sending is idempotent: one notification per focal point and referral.
    notify.notify(referral.provider.focal_points.filter(is_active=True), event_key=f"referral:{referral.pk}:referred",
                  url=f"/referrals/{referral.pk}/", text=partial(_referred_text, referral),
                  action=pgettext_lazy("notification action", "Accept or decline the referral"))


def change_status(referral, *, by, to, reason="", expected_version=None, request=None, _system=False):
    """Move `referral` to `to`, keeping the step in its history, in one transaction."""
    if to not in S.values:
        raise ReferralNotAllowed(_("Unknown status."))
    reason = (reason or "").strip()[:500]
    if not _system:
        if is_referrer_side(by, referral):
            pass
        elif is_assigned_focal_point(by, referral):
            if to not in FOCAL_POINT_TARGETS:
                raise ReferralNotAllowed(_("The provider's focal point records only acceptance, the service "
                                           "provided, or that the provider is unavailable."))
        else:
            raise ReferralNotAllowed(_("You may not change this referral."))
    expected = referral.version if expected_version is None else expected_version
    with transaction.atomic():
        stored = Referral.objects.select_for_update().get(pk=referral.pk)
        if stored.version != expected:
            raise ReferralConflict(_("Someone else changed this referral while you were reading it."))
        from_status = stored.status
        if to not in TRANSITIONS.get(from_status, frozenset()):
            raise ReferralNotAllowed(_("A referral that is %(from)s cannot be marked %(to)s.") % {
                "from": S(from_status).label, "to": S(to).label})
        if to == S.REFERRED and not stored.consent_active:
            raise ReferralNotAllowed(_("This referral cannot be sent: the survivor's consent to it is not "
                                       "recorded or has been withdrawn."))
        now = timezone.now()
        changes = {"status": to, "version": F("version") + 1}
        if to == S.REFERRED:
            changes["referred_at"] = now
        elif to == S.SERVICE_PROVIDED:
            changes["service_provided_at"] = now
        elif to == S.CLOSED:
            changes["closed_at"] = now
        bumped = Referral.objects.filter(pk=referral.pk, version=expected, status=from_status).update(**changes)
        if not bumped:
            raise ReferralConflict(_("Someone else changed this referral while you were reading it."))
        ReferralStatusChange.objects.create(referral=referral, from_status=from_status, to_status=to,
                                            changed_by=by, changed_at=now, reason=reason)
        referral.refresh_from_db()
        if to == S.REFERRED:
            _notify_focal_points(referral)
        audit.record("referral.status", user=by, obj=referral, request=request,
                     detail={"from": from_status, "to": to, "version": referral.version})
    return referral


def add_follow_up(referral, *, by, date, outcome, note="", next_follow_up=None, request=None):
    """A dated note with an outcome (referrer side only)."""
    if not is_referrer_side(by, referral):
        raise ReferralNotAllowed(_("Only the referring officers record follow-ups."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ReferralNotAllowed(_("Give the outcome of the follow-up."))
    if date > timezone.localdate():
        raise ReferralNotAllowed(_("The follow-up date cannot be in the future."))
    if next_follow_up is not None and next_follow_up < date:
        raise ReferralNotAllowed(_("The next follow-up cannot be before this one."))
    with transaction.atomic():
        follow_up = FollowUp.objects.create(referral=referral, date=date, outcome=outcome[:300], note=note or "",
                                            next_follow_up=next_follow_up, recorded_by=by)
        audit.record("referral.follow_up", user=by, obj=referral, request=request,
                     detail={"follow_up": follow_up.pk, "date": date.isoformat(),
                             "next": next_follow_up.isoformat() if next_follow_up else None})
    return follow_up


def _stop(referral, *, by, request):
    referral.refresh_from_db()
    if referral.status in OPEN_STATUSES:
        change_status(referral, by=by, to=S.DECLINED_BY_SURVIVOR, reason=CONSENT_WITHDRAWN, request=request,
                      _system=True)


def record_consent(referral, *, by, date, given_by, decided_by="", request=None):
    """Record the survivor's consent on a PROPOSED referral (taken after it was proposed)."""
    if not is_referrer_side(by, referral):
        raise ReferralNotAllowed(_("Only the referring officers record consent."))
    if referral.status != S.PROPOSED or referral.consent_given:
        raise ReferralNotAllowed(_("Consent can be added only to a proposed referral that has none."))
    problem = consent_problem(given=True, date=date, given_by=given_by, decided_by=decided_by,
                              victim=referral.victim)
    if problem:
        raise ReferralNotAllowed(problem)
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, status=S.PROPOSED, consent_given=False).update(
            consent_given=True, consent_date=date, consent_given_by=given_by, consent_taken_by=by,
            version=F("version") + 1)
        if not updated:
            raise ReferralConflict(_("Someone else changed this referral; reload it."))
        referral.refresh_from_db()
        # The encrypted field goes through the model so it is stored encrypted.
        referral.consent_decided_by = decided_by or ""
        referral.save(update_fields=["consent_decided_by"])
        audit.record("referral.consent_recorded", user=by, obj=referral, request=request,
                     detail={"given_by": given_by})
    return referral


def withdraw_consent(referral, *, by, date, request=None):
    """Record the withdrawal of the consent to this referral; an open referral stops (DECLINED_BY_SURVIVOR)."""
    if not is_referrer_side(by, referral):
        raise ReferralNotAllowed(_("Only the referring officers record a withdrawal of consent."))
    if date > timezone.localdate():
        raise ReferralNotAllowed(_("The date of withdrawal cannot be in the future."))
    with transaction.atomic():
        updated = Referral.objects.filter(pk=referral.pk, consent_withdrawn_at__isnull=True).update(
            consent_withdrawn_at=date, version=F("version") + 1)
        referral.refresh_from_db()
        if updated:
            audit.record("referral.consent_withdrawn", user=by, obj=referral, request=request,
                         detail={"date": date.isoformat()})
        _stop(referral, by=by, request=request)
    return referral


def withdraw_victim_referral_consent(victim, *, by, date, request=None):
    """The survivor withdraws consent to be referred at all: the incident Consent REFER and every referral."""
    if not access.can_refer(by) or not access.incidents_visible_to(by).filter(pk=victim.incident_id).exists():
        raise ReferralNotAllowed(_("You may not change this survivor's consents."))
    with transaction.atomic():
        Consent.objects.filter(victim=victim, kind=ConsentKind.REFER, withdrawn_at__isnull=True).update(
            withdrawn_at=date)
        audit.record("victim.consent_withdrawn", user=by, obj=victim.incident, request=request,
                     detail={"victim": victim.code, "kind": ConsentKind.REFER, "date": date.isoformat()})
        for referral in Referral.objects.filter(victim=victim):
            withdraw_consent(referral, by=by, date=date, request=request)

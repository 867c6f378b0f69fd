"""Verification of incidents by the MARA review, and who may record it.

The MARA chair, or a member the chair has designated, records each step of an incident's
verification with the standard applied and a written rationale. Every step is a new
VerificationDecision row; a revision points at the decision it revises. Nothing here changes
or deletes a history row.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from crsv_mis import access, audit, notify
from crsv_mis.models import Role, User
from incidents.choices import VerificationStatus
from incidents.models import Incident
from incidents.services import EditConflict
from incidents.signals import send_changed

from ..models import VerificationDecision, VerifierDesignation

DECIDED = frozenset({VerificationStatus.VERIFIED, VerificationStatus.NOT_VERIFIED, VerificationStatus.DISCARDED})
# Where an incident may go from each status. A decided incident moves only to another outcome
# (a revision); it never goes back to REPORTED or UNDER_VERIFICATION.
TRANSITIONS = {
    VerificationStatus.REPORTED: frozenset({VerificationStatus.UNDER_VERIFICATION}) | DECIDED,
    VerificationStatus.UNDER_VERIFICATION: DECIDED,
    **{status: DECIDED - {status} for status in DECIDED},
}
STANDARD_MAX_LENGTH = VerificationDecision._meta.get_field("standard").max_length


class VerificationNotAllowed(Exception):
    """The person may not record this step, or the step itself is not allowed."""


class VerificationConflict(EditConflict):
    """Someone else changed the incident since the page was read."""


def default_standard():
    return settings.VERIFICATION_STANDARD


def allowed_targets(status):
    """Statuses an incident in `status` may move to, in the order the form offers them."""
    targets = TRANSITIONS.get(status, frozenset())
    return [value for value in VerificationStatus.values if value in targets]


def _active_designation(user):
    return VerifierDesignation.objects.filter(user=user, mission_id=user.mission_id, revoked_at__isnull=True)


def is_verifier(user):
    """The chair, or a member with a designation the chair has not revoked."""
    if not user or not user.is_authenticated or not user.is_active or user.mission_id is None:
        return False
    if user.role not in access.VERIFIER_ROLES:
        return False
    if user.role == Role.MARA_CHAIR:
        return True
    return _active_designation(user).exists()


def verification_refusal(user, incident):
    """Why `user` may not record a verification step on `incident`, or None when they may."""
    if not is_verifier(user):
        return _("Only the MARA chair or a member the chair has designated records verification decisions.")
    if incident.created_by_id == user.pk:
        # docs/domain.md: verification is decided by the MARA review, not by the officer who logged it.
        return _("You logged this incident, so another verifier must decide it.")
    if not access.incidents_visible_to(user).filter(pk=incident.pk).exists():
        return _("This incident is not available to the MARA review.")
    return None


def can_verify(user, incident):
    return verification_refusal(user, incident) is None


def decide_verification(incident, *, by, decision, standard=None, rationale, expected_version=None, request=None):
    """Move `incident` to `decision` and keep the step in its history, in one transaction.

    `expected_version` is the version the person read; None means the version on `incident`.
    A step from a decided status is a revision: it must give a new rationale and points at
    the decision it revises.
    """
    refusal = verification_refusal(by, incident)
    if refusal:
        raise VerificationNotAllowed(refusal)
    rationale = (rationale or "").strip()
    if not rationale:
        raise VerificationNotAllowed(_("Write the rationale for this decision."))
    standard = (standard or "").strip() or default_standard()
    if len(standard) > STANDARD_MAX_LENGTH:
        raise VerificationNotAllowed(_("The standard of proof is too long (at most %(n)d characters).")
                                     % {"n": STANDARD_MAX_LENGTH})
    expected = incident.version if expected_version is None else expected_version
    with transaction.atomic():
        # Read the stored status, not the caller's copy: the rules apply to what is in the database.
        stored = Incident.objects.select_for_update().only("status", "version").get(pk=incident.pk)
        if stored.version != expected:
            raise VerificationConflict(_("Someone else changed this incident while you were reading it."))
        from_status = stored.status
        if decision not in TRANSITIONS.get(from_status, frozenset()):
            raise VerificationNotAllowed(
                _("An incident that is %(from)s cannot be marked %(to)s.") % {
                    "from": VerificationStatus(from_status).label,
                    "to": VerificationStatus(decision).label if decision in VerificationStatus.values else decision,
                })
        previous = None
        if from_status in DECIDED:
            previous = incident.verification_history.order_by("-decided_at", "-id").first()
            if previous is not None and " ".join(previous.rationale.split()) == " ".join(rationale.split()):
                raise VerificationNotAllowed(_("A revision needs a new rationale: say why the earlier decision "
                                               "no longer holds."))
        # Conditional on the version (and status) read above, so a concurrent step is never overwritten.
        bumped = Incident.objects.filter(pk=incident.pk, version=expected, status=from_status).update(
            status=decision, version=F("version") + 1, updated_at=timezone.now()
        )
        if not bumped:
            raise VerificationConflict(_("Someone else changed this incident while you were reading it."))
        step = VerificationDecision.objects.create(
            incident=incident, from_status=from_status, to_status=decision, standard=standard,
            rationale=rationale, decided_by=by, revises=previous,
        )
        incident.status = decision
        incident.version = expected + 1
        send_changed(incident.mission_id, incident.incident_date)
        # The rationale and standard are free text that may describe the case: they stay out of the trail.
        audit.record("incident.verification", user=by, obj=incident, request=request, detail={
            "from": from_status, "to": decision, "decision": step.pk,
            "revises": previous.pk if previous else None, "version": incident.version,
        })
        _notify_officer_in_charge(incident, step)
    return step


def _notify_officer_in_charge(incident, step):
    """The officer following the incident hears the MARA's decision (the status, never the rationale),
    if they still read the record."""
    # Read from the row, not the caller's copy: a handover may have changed it meanwhile.
    in_charge = Incident.objects.filter(pk=incident.pk).values_list("assigned_to_id", flat=True).first()
    officer = User.objects.filter(pk=in_charge, is_active=True).first()
    if officer is None or not access.incidents_visible_to(officer).filter(pk=incident.pk).exists():
        return
    notify.notify([officer], event_key=f"incident:{incident.pk}:verification:{step.pk}",
                  url=reverse("incident_detail", args=[incident.reference]),
                  text=lambda: _("Incident %(ref)s: the MARA review recorded %(status)s.") % {
                      "ref": incident.reference, "status": VerificationStatus(step.to_status).label},
                  action=pgettext_lazy("notification action", "Open the incident"))


def open_verification(incident, *, by, rationale, standard=None, expected_version=None, request=None):
    """REPORTED -> UNDER_VERIFICATION, with a note on what will be checked."""
    return decide_verification(incident, by=by, decision=VerificationStatus.UNDER_VERIFICATION, standard=standard,
                               rationale=rationale, expected_version=expected_version, request=request)


def history(incident):
    """The incident's verification steps, oldest first, with readable status labels."""
    labels = dict(VerificationStatus.choices)
    steps = list(incident.verification_history.select_related("decided_by").order_by("decided_at", "id"))
    for step in steps:
        # The history keeps codes (no choices on the model); show what people read elsewhere.
        step.from_label = labels.get(step.from_status, step.from_status)
        step.to_label = labels.get(step.to_status, step.to_status)
    return steps


# ---- Designations


def designatable_members(chair):
    """MARA members of the chair's mission, each with their current designation (or None)."""
    members = list(User.objects.filter(mission_id=chair.mission_id, role=Role.MARA_MEMBER, is_active=True)
                   .order_by("username"))
    current = {
        d.user_id: d for d in VerifierDesignation.objects.filter(
            mission_id=chair.mission_id, revoked_at__isnull=True, user__in=members).select_related("designated_by")
    }
    return [(member, current.get(member.pk)) for member in members]


def designation_history(chair):
    """Every designation of the mission, ended ones included, newest first."""
    return VerifierDesignation.objects.filter(mission_id=chair.mission_id).select_related("user", "designated_by")


def _check_chair_and_member(chair, member):
    if not chair or not chair.is_authenticated or chair.role != Role.MARA_CHAIR or chair.mission_id is None:
        raise VerificationNotAllowed(_("Only the MARA chair designates verifiers."))
    if member.role != Role.MARA_MEMBER or member.mission_id != chair.mission_id or not member.is_active:
        raise VerificationNotAllowed(_("Only an active MARA member of your mission can be designated."))


def designate_verifier(*, chair, member, request=None):
    """The chair lets a MARA member record verification decisions."""
    _check_chair_and_member(chair, member)
    with transaction.atomic():
        if _active_designation(member).select_for_update().exists():
            raise VerificationNotAllowed(_("%(user)s is already a designated verifier.") % {"user": member.username})
        designation = VerifierDesignation.objects.create(mission_id=chair.mission_id, user=member,
                                                         designated_by=chair)
        audit.record("mara.verifier_designate", user=chair, obj=designation, request=request,
                     detail={"member": member.pk})
    return designation


def revoke_verifier(*, chair, member, request=None):
    """End a member's designation. The designation row stays, with the date it ended."""
    _check_chair_and_member(chair, member)
    with transaction.atomic():
        designations = list(_active_designation(member).select_for_update())
        if not designations:
            raise VerificationNotAllowed(_("%(user)s is not a designated verifier.") % {"user": member.username})
        now = timezone.now()
        for designation in designations:
            designation.revoked_at = now
            designation.save(update_fields=["revoked_at"])
            audit.record("mara.verifier_revoke", user=chair, obj=designation, request=request,
                         detail={"member": member.pk})
    return designations

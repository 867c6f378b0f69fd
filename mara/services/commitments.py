"""Commitments by parties (communiqués, action plans, command orders) and their reviews.

Commitments concern parties, not survivors: the only survivor-related figures on these pages are
aggregate incident counts per party, taken from access.incidents_countable_by.
"""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crsv_mis import access, audit, disclosure
from crsv_mis.models import Role
from incidents.choices import VerificationStatus
from incidents.models import Party

from ..models import Commitment, CommitmentReview, CommitmentStatus

READER_ROLES = frozenset({Role.MARA_CHAIR, Role.MARA_MEMBER, Role.SWPA, Role.LEADERSHIP})
MANAGER_ROLES = frozenset({Role.MARA_CHAIR, Role.SWPA})
COMMITMENT_FIELDS = ("party", "kind", "title", "date_signed", "status")


class CommitmentNotAllowed(Exception):
    """The person may not make this change, or the change itself is refused."""


def _in_mission(user):
    return bool(user and user.is_authenticated and user.is_active and user.mission_id is not None)


def can_read_commitments(user):
    return _in_mission(user) and user.role in READER_ROLES


def can_manage_commitments(user):
    return _in_mission(user) and user.role in MANAGER_ROLES


def parties_for(user):
    """Parties of the person's mission."""
    if not can_read_commitments(user):
        return Party.objects.none()
    return Party.objects.filter(mission_id=user.mission_id)


def commitments_for(user):
    """Commitments of the person's mission; anything else answers 404."""
    if not can_read_commitments(user):
        return Commitment.objects.none()
    return Commitment.objects.filter(party__mission_id=user.mission_id).select_related("party", "created_by")


def party_incident_counts(user):
    """{party id: (incidents, verified incidents)} over the incidents this person may count.

    One grouped query; an incident with two perpetrators of the same party counts once.
    """
    rows = (
        access.incidents_countable_by(user)
        .filter(perpetrators__party__isnull=False)
        .values("perpetrators__party")
        .annotate(total=Count("pk", distinct=True),
                  verified=Count("pk", distinct=True, filter=Q(status=VerificationStatus.VERIFIED)))
        .order_by()
    )
    return {row["perpetrators__party"]: (row["total"], row["verified"]) for row in rows}


def parties_with_commitments(user):
    """One row per party for the list page: the party, its counts and its commitments.

    Active parties are always listed; an inactive one only while it has commitments on record.
    """
    counts = party_incident_counts(user)
    by_party = {}
    for commitment in commitments_for(user).order_by("-date_signed", "-id"):
        by_party.setdefault(commitment.party_id, []).append(commitment)
    rows = []
    for party in parties_for(user).order_by("name"):
        if not party.active and party.pk not in by_party:
            continue
        total, verified = counts.get(party.pk, (0, 0))
        rows.append({"party": party, "total": disclosure.shown(total, user),
                     "verified": disclosure.shown(verified, user),
                     "commitments": by_party.get(party.pk, [])})
    return rows


def _check_manager(user):
    if not can_manage_commitments(user):
        raise CommitmentNotAllowed(_("Only the MARA chair or the senior WPA records commitments."))


def _check_fields(user, fields):
    party = fields.get("party")
    if party is None or party.mission_id != user.mission_id:
        raise CommitmentNotAllowed(_("Choose a party of your mission."))
    if not (fields.get("title") or "").strip():
        raise CommitmentNotAllowed(_("Give the commitment a title."))
    if fields.get("status") not in CommitmentStatus.values:
        raise CommitmentNotAllowed(_("Choose a status."))
    signed = fields.get("date_signed")
    if signed and signed > timezone.localdate():
        raise CommitmentNotAllowed(_("The date signed cannot be in the future."))


def create_commitment(*, by, fields, request=None):
    """Record a commitment; `fields` holds party, kind, title, date_signed and status."""
    _check_manager(by)
    _check_fields(by, fields)
    with transaction.atomic():
        commitment = Commitment.objects.create(created_by=by, **{k: fields.get(k) for k in COMMITMENT_FIELDS})
        audit.record("mara.commitment_create", user=by, obj=commitment, request=request, detail={
            "party": commitment.party_id, "kind": commitment.kind, "status": commitment.status})
    return commitment


def update_commitment(commitment, *, by, fields, request=None):
    """Save an edit and record which fields changed."""
    _check_manager(by)
    _check_fields(by, fields)
    if commitment.party.mission_id != by.mission_id:
        raise CommitmentNotAllowed(_("This commitment belongs to another mission."))
    with transaction.atomic():
        # Compare with the stored row: a bound ModelForm may already have written onto `commitment`.
        stored = Commitment.objects.select_for_update().get(pk=commitment.pk)
        changed = sorted(k for k in COMMITMENT_FIELDS if getattr(stored, k) != fields.get(k))
        for key in COMMITMENT_FIELDS:
            setattr(commitment, key, fields.get(key))
        commitment.save()
        audit.record("mara.commitment_change", user=by, obj=commitment, request=request, detail={
            "fields": changed, "status_from": stored.status, "status_to": commitment.status})
    return commitment


def add_review(commitment, *, by, date, note, status_after="", request=None):
    """A dated implementation review. A status given with it becomes the commitment's status."""
    _check_manager(by)
    if commitment.party.mission_id != by.mission_id:
        raise CommitmentNotAllowed(_("This commitment belongs to another mission."))
    note = (note or "").strip()
    if not note:
        raise CommitmentNotAllowed(_("Write what the review found."))
    if date is None or date > timezone.localdate():
        raise CommitmentNotAllowed(_("Give the date of the review; it cannot be in the future."))
    status_after = status_after or ""
    if status_after and status_after not in CommitmentStatus.values:
        raise CommitmentNotAllowed(_("Choose a status."))
    with transaction.atomic():
        stored = Commitment.objects.select_for_update().get(pk=commitment.pk)
        review = CommitmentReview.objects.create(commitment=commitment, date=date, note=note,
                                                 status_after=status_after, reviewed_by=by)
        if status_after and status_after != stored.status:
            Commitment.objects.filter(pk=commitment.pk).update(status=status_after)
        commitment.status = status_after or stored.status
        # The note stays out of the trail: free text about a party's conduct can name people.
        audit.record("mara.commitment_review", user=by, obj=commitment, request=request, detail={
            "review": review.pk, "status_from": stored.status, "status_to": commitment.status})
    return review

"""Who gets a data role: one person asks, a second person on the data side approves.

An administrator (or the command line) can only ask: the person keeps the role they had (none
for a new account) until an SWPA of the mission, other than the one who asked and the person
themself, approves. Adding duty stations or moving a data-role holder to another mission widens
what they read, so it is asked and approved the same way; narrowing applies at once. Both steps
are audited. The models refuse any save that would skip this (User.save, and the duty stations'
m2m signal), so no path bypasses it.
"""

import contextlib

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .models import DATA_ROLES, GrantState, Role, RoleGrant, User, data_role_assignment_allowed


@contextlib.contextmanager
def without_approval():
    """Lets the block give data roles directly. Only the approval below, the bootstrap of a
    mission's first SWPA, the demo seeding and test fixtures use it; never a request's path."""
    token = data_role_assignment_allowed.set(True)
    try:
        yield
    finally:
        data_role_assignment_allowed.reset(token)


def _codes(stations):
    return sorted(s.code for s in stations)


def needs_approval(stored, *, role, mission, duty_stations):
    """Whether giving `role` at `duty_stations` in `mission` to `stored` (None: a new account)
    widens what they read."""
    if role not in DATA_ROLES:
        return False
    if stored is None or stored.role != role or stored.mission_id != getattr(mission, "pk", None):
        return True
    return bool({s.pk for s in duty_stations} - set(stored.duty_stations.values_list("pk", flat=True)))


@transaction.atomic
def assign(user, *, role, mission, duty_stations, by, request=None):
    """Give `user` (already saved) a role, a mission and duty stations, as an administrator or the
    command line asks. What widens data access becomes a pending RoleGrant (returned); the rest
    applies now. Any earlier pending request for the person is withdrawn."""
    duty_stations = list(duty_stations)
    if role in DATA_ROLES and mission is None:
        raise ValueError(_("A role that reads survivor data belongs to a mission, whose SWPA approves it."))
    stored = User.objects.get(pk=user.pk)
    _withdraw_pending(user, by=by, request=request)
    if not needs_approval(stored, role=role, mission=mission, duty_stations=duty_stations):
        User.objects.filter(pk=user.pk).update(role=role, mission=mission, is_staff=role == Role.ADMIN)
        user.role, user.mission, user.is_staff = role, mission, role == Role.ADMIN
        user.duty_stations.set(duty_stations)
        return None
    # Meanwhile the person keeps the role they had, less any duty station taken away; a holder of
    # a data role also keeps their mission (anyone else joins the new one now).
    user.role, user.mission = stored.role, stored.mission if stored.role in DATA_ROLES else mission
    User.objects.filter(pk=user.pk).update(mission=user.mission)
    keep = [s for s in duty_stations if s.pk in set(stored.duty_stations.values_list("pk", flat=True))]
    user.duty_stations.set(keep)
    grant = RoleGrant.objects.create(user=user, mission=mission, role=role, requested_by=by)
    grant.duty_stations.set(duty_stations)
    audit.record("role.request", user=by, obj=user, request=request,
                 detail={"grant": grant.pk, "role": role, "duty_stations": _codes(duty_stations),
                         "mission": mission.code if mission else None})
    return grant


def _withdraw_pending(user, *, by, request):
    for grant in RoleGrant.objects.select_for_update().filter(user=user, state=GrantState.PENDING):
        grant.state, grant.decided_by, grant.decided_at = GrantState.WITHDRAWN, by, timezone.now()
        grant.save(update_fields=["state", "decided_by", "decided_at"])
        audit.record("role.withdraw", user=by, obj=user, request=request, detail={"grant": grant.pk})


def pending_for(approver):
    """The requests this person may decide: an SWPA's, in their mission."""
    if not can_approve(approver):
        return RoleGrant.objects.none()
    return (RoleGrant.objects.filter(mission_id=approver.mission_id, state=GrantState.PENDING)
            .select_related("user", "requested_by").prefetch_related("duty_stations"))


def can_approve(user):
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.SWPA
                and user.mission_id is not None)


def _check_approver(grant, by):
    if not can_approve(by) or by.mission_id != grant.mission_id:
        raise PermissionDenied
    if grant.state != GrantState.PENDING:
        raise ValueError(_("This request was already decided."))
    if by.pk in (grant.requested_by_id, grant.user_id):
        raise ValueError(_("Someone other than the requester and the person themself decides this request."))


@transaction.atomic
def approve(grant, *, by, request=None):
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    _check_approver(grant, by)
    user = User.objects.select_for_update().get(pk=grant.user_id)
    stations = list(grant.duty_stations.all())
    with without_approval():
        user.role, user.mission = grant.role, grant.mission
        user.is_staff = False
        user.save(update_fields=["role", "mission", "is_staff"])
        user.duty_stations.set(stations)
    grant.state, grant.decided_by, grant.decided_at = GrantState.APPROVED, by, timezone.now()
    grant.save(update_fields=["state", "decided_by", "decided_at"])
    audit.record("role.approve", user=by, obj=user, request=request,
                 detail={"grant": grant.pk, "role": grant.role, "duty_stations": _codes(stations),
                         "requested_by": grant.requested_by.username if grant.requested_by else "command line"})
    return grant


@transaction.atomic
def decline(grant, *, by, request=None):
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    _check_approver(grant, by)
    grant.state, grant.decided_by, grant.decided_at = GrantState.DECLINED, by, timezone.now()
    grant.save(update_fields=["state", "decided_by", "decided_at"])
    audit.record("role.decline", user=by, obj=grant.user, request=request,
                 detail={"grant": grant.pk, "role": grant.role})
    return grant


@transaction.atomic
def bootstrap_first_swpa(user, *, mission):
    """The one data role given without a second person: a mission's first SWPA, from the command
    line, when the mission has no active SWPA to approve anyone. Audited."""
    if User.objects.filter(mission=mission, role=Role.SWPA, is_active=True).exclude(pk=user.pk).exists():
        raise PermissionDenied("The mission has an SWPA: ask for the role and let them approve it.")
    with without_approval():
        user.role, user.mission = Role.SWPA, mission
        user.save(update_fields=["role", "mission"])
    audit.record("role.bootstrap", obj=user, detail={"role": Role.SWPA, "mission": mission.code})

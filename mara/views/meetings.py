"""Meeting pages: list, record, edit, read, and action point progress. The rules are in
mara.services.meetings; these only route requests to them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mara.forms_meetings import MeetingForms
from mara.models import ActionStatus
from mara.services import meetings as service


def _require_reader(user):
    if not service.can_read_mara(user):
        raise PermissionDenied


def _require_editor(user):
    if not service.can_edit_meetings(user):
        raise PermissionDenied


def _meeting(user, pk):
    # A meeting of another mission is not found, so its existence does not leak.
    return get_object_or_404(service.meetings_of(user), pk=pk)


@login_required
def meeting_list(request):
    _require_reader(request.user)
    meetings = service.meetings_of(request.user).prefetch_related("attendees", "action_points")
    return render(request, "mara/meeting_list.html", {
        "meetings": meetings, "can_edit": service.can_edit_meetings(request.user),
    })


@login_required
def meeting_detail(request, pk):
    _require_reader(request.user)
    meeting = _meeting(request.user, pk)
    return render(request, "mara/meeting_detail.html", {
        "meeting": meeting,
        "attendees": meeting.attendees.select_related("user"),
        "action_points": meeting.action_points.order_by("due_date", "id"),
        "figures": service.participation(meeting),
        "can_edit": service.can_edit_meetings(request.user),
        "statuses": ActionStatus.choices,
    })


def _render_form(request, bundle, *, meeting=None, status=200):
    return render(request, "mara/meeting_form.html", {"bundle": bundle, "meeting": meeting}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    _require_editor(request.user)
    bundle = MeetingForms(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and bundle.is_valid():
        meeting = service.create_meeting(by=request.user, request=request, **bundle.service_kwargs())
        messages.success(request, _("Meeting recorded."))
        return redirect("meeting_detail", pk=meeting.pk)
    failed = request.method == "POST" and not bundle.adding
    return _render_form(request, bundle, status=400 if failed else 200)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    _require_editor(request.user)
    meeting = _meeting(request.user, pk)
    bundle = MeetingForms(request.user, request.POST if request.method == "POST" else None, instance=meeting)
    if request.method == "POST" and bundle.is_valid():
        try:
            service.update_meeting(meeting, by=request.user, request=request,
                                   expected_fingerprint=bundle.expected_fingerprint, **bundle.service_kwargs())
        except service.EditConflict as conflict:
            bundle.meeting.add_error(None, _("%(msg)s Your changes are below and were not saved: open the meeting "
                                             "in a new tab, then re-apply them.") % {"msg": conflict})
            return _render_form(request, bundle, meeting=meeting, status=409)
        messages.success(request, _("Meeting saved."))
        return redirect("meeting_detail", pk=meeting.pk)
    failed = request.method == "POST" and not bundle.adding
    return _render_form(request, bundle, meeting=meeting, status=400 if failed else 200)


@login_required
@require_POST
def action_point_status(request, pk):
    _require_editor(request.user)
    point = get_object_or_404(service.action_points_of(request.user), pk=pk)
    try:
        service.set_action_status(point, by=request.user, status=request.POST.get("status", ""),
                                  expected_status=request.POST.get("expected_status") or None, request=request)
    except (service.EditConflict, service.RuleError) as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, _("Action point updated."))
    target = request.POST.get("next")
    if target == "home":
        return redirect("mara_home")
    return redirect("meeting_detail", pk=point.meeting_id)

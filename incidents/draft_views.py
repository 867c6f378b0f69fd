"""Intake drafts: save (autosave or the "Save draft" button), the person's list, discard.

Resuming is the intake page itself (incident_create with ?draft=<id>); the rules are in drafts.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crsv_mis import access, audit

from . import drafts
from .forms import reports_un_personnel


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _answer(request, status, message, draft=None):
    if _wants_json(request):
        body = {"message": message}
        if draft is not None:
            body.update({"id": draft.pk, "version": draft.version})
        return JsonResponse(body, status=status)
    if status >= 400:
        messages.error(request, message)
        return redirect("intake_drafts")
    messages.success(request, message)
    return redirect(f"{reverse('incident_create')}?draft={draft.pk}")


@login_required
@require_POST
def draft_save(request):
    """Keep the posted intake form as the person's draft. Answers JSON to the page's autosave."""
    if not (access.can_record_incidents(request.user) and request.user.mission_id):
        raise PermissionDenied
    draft_id = request.POST.get("draft", "")
    if reports_un_personnel(request.POST):
        # SEA is not recorded here at all: no draft of it is kept either.
        draft = drafts.owned(request.user, draft_id)
        if draft is not None:
            drafts.discard(draft, request=request, reason="sea")
        audit.record("incident.sea_redirected", request=request)
        return _answer(request, 409, _("Not saved: an alleged perpetrator who is UN personnel is handled by "
                                       "Conduct and Discipline, not recorded here."))
    try:
        draft, forked = drafts.save(by=request.user, post=request.POST, draft_id=draft_id,
                                    version=request.POST.get("draft_version"), request=request)
    except drafts.DraftGone:
        return _answer(request, 410, _("Not saved: this draft was submitted or discarded meanwhile."))
    message = drafts.saved_message(draft)
    if forked:
        message = _("%(saved)s as a new draft: the earlier one was changed on another page or device.") % {
            "saved": message}
    return _answer(request, 200, message, draft)


@login_required
def draft_list(request):
    if not access.can_record_incidents(request.user):
        raise PermissionDenied
    rows = [{"draft": d, "victims": drafts.victim_count(d), "expires_at": drafts.expires_at(d)}
            for d in access.intake_drafts_visible_to(request.user).select_related("duty_station")]
    return render(request, "incidents/drafts.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def draft_discard(request, pk):
    """A confirmation page, then the draft is deleted for good."""
    draft = drafts.owned(request.user, pk)
    if draft is None:
        raise Http404
    if request.method == "POST":
        drafts.discard(draft, request=request)
        messages.success(request, _("Draft discarded."))
        return redirect("intake_drafts")
    return render(request, "incidents/draft_discard.html", {"draft": draft, "victims": drafts.victim_count(draft)})

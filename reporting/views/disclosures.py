"""Disclosure pages (/reports/disclosures/): the list, a new request, a request's page with the consent
check per victim, the SWPA's decision, recording it as sent, and the download of what was sent.

A role with no disclosure page (everyone but WPA, HRO and SWPA) gets 403; a request outside what the
person may open answers 404. Rules: reporting.disclosures.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crsv_mis import access, audit

from .. import disclosures
from ..forms import ApproveForm, CancelForm, DisclosureRequestForm, RefuseForm, SendForm
from ..models import DisclosureState
from .reports import _file_response


def _require_page(user):
    if not access.can_request_disclosures(user):
        raise PermissionDenied


def _disclosure(request, pk):
    _require_page(request.user)
    return get_object_or_404(disclosures.disclosures_of(request.user).select_related(
        "mission", "requested_by", "decided_by", "sent_by", "cancelled_by"), pk=pk)


@login_required
def disclosure_list(request):
    user = request.user
    _require_page(user)
    items = list(disclosures.disclosures_of(user).select_related("requested_by", "decided_by")[:200])
    audit.record("disclosure.list", request=request, detail={"count": len(items)})
    return render(request, "reporting/disclosure_list.html", {"disclosures": items})


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_new(request):
    user = request.user
    _require_page(user)
    if request.method == "GET":
        form = DisclosureRequestForm(initial={"incidents": request.GET.get("incidents", "")[:2000]})
        return render(request, "reporting/disclosure_new.html", {"form": form})
    form = DisclosureRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            disclosure = disclosures.request_disclosure(
                by=user, recipient=data["recipient"], recipient_reference=data["recipient_reference"],
                legal_basis=data["legal_basis"], purpose=data["purpose"], items=data["items"],
                references=disclosures.parse_references(data["incidents"]), request=request)
        except disclosures.DisclosureError as problem:
            # What was typed comes back in the form: nothing is lost.
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Request recorded. An SWPA other than you decides on it."))
            return redirect("disclosure_detail", pk=disclosure.pk)
    return render(request, "reporting/disclosure_new.html", {"form": form}, status=400)


def _render_detail(request, disclosure, *, forms=None, error=None, status=200):
    user = request.user
    checks = disclosures.consent_check(disclosure, user)
    state = disclosure.state
    initial = {"version": disclosure.version}
    forms = forms or {}
    can_decide = disclosures.can_decide(user, disclosure) and state == DisclosureState.REQUESTED
    can_act = disclosures.can_send_or_cancel(user, disclosure)
    if state == DisclosureState.SENT:
        checks = disclosures.with_sent_checks(disclosure, checks)
    return render(request, "reporting/disclosure_detail.html", {
        "disclosure": disclosure,
        "checks": checks,
        "counts": disclosures.summary_of(checks),
        "items": disclosures.item_labels(disclosure),
        "file": getattr(disclosure, "file", None) if state == DisclosureState.SENT else None,
        "own_request": state == DisclosureState.REQUESTED and user.pk == disclosure.requested_by_id
                       and access.can_approve_disclosures(user),
        "approve_form": forms.get("approve") or (ApproveForm(initial=initial) if can_decide else None),
        "refuse_form": forms.get("refuse") or (RefuseForm(initial=initial) if can_decide else None),
        "send_form": forms.get("send") or (SendForm(initial=initial)
                                           if can_act and state == DisclosureState.APPROVED else None),
        "cancel_form": forms.get("cancel") or (CancelForm(initial=initial) if can_act and state in (
            DisclosureState.REQUESTED, DisclosureState.APPROVED) else None),
        "error": error,
    }, status=status)


@login_required
def disclosure_detail(request, pk):
    disclosure = _disclosure(request, pk)
    audit.record("disclosure.view", request=request, obj=disclosure,
                 detail={"state": disclosure.state, "version": disclosure.version})
    return _render_detail(request, disclosure)


def _step(request, pk, name, form_class, step, done_message):
    """One decision: the form, then the rule; on a problem the page comes back with the typed text."""
    disclosure = _disclosure(request, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _render_detail(request, disclosure, forms={name: form},
                              error=_("Check the form below."), status=400)
    try:
        step(disclosure, form.cleaned_data)
    except disclosures.DisclosureError as problem:
        disclosure = _disclosure(request, pk)
        status = 409 if isinstance(problem, disclosures.EditConflict) else 400
        return _render_detail(request, disclosure, forms={name: form}, error=str(problem), status=status)
    messages.success(request, done_message)
    return redirect("disclosure_detail", pk=pk)


@login_required
@require_POST
def disclosure_approve(request, pk):
    return _step(request, pk, "approve", ApproveForm, lambda d, data: disclosures.approve(
        d, by=request.user, expected_version=data["version"], note=data["note"], request=request),
        _("Approved. The file can now be made and recorded as sent."))


@login_required
@require_POST
def disclosure_refuse(request, pk):
    return _step(request, pk, "refuse", RefuseForm, lambda d, data: disclosures.refuse(
        d, by=request.user, expected_version=data["version"], reason=data["reason"], request=request),
        _("Refused. The requester sees the reason on this page."))


@login_required
@require_POST
def disclosure_cancel(request, pk):
    return _step(request, pk, "cancel", CancelForm, lambda d, data: disclosures.cancel(
        d, by=request.user, expected_version=data["version"], reason=data["reason"], request=request),
        _("Cancelled. Nothing was sent."))


@login_required
@require_POST
def disclosure_send(request, pk):
    return _step(request, pk, "send", SendForm, lambda d, data: disclosures.send(
        d, by=request.user, expected_version=data["version"], sent_on=data["sent_on"], channel=data["channel"],
        note=data["note"], request=request),
        _("Recorded as sent. Download the file below: it is the one stored with its checksum."))


@login_required
def disclosure_download(request, pk):
    disclosure = _disclosure(request, pk)
    if disclosure.state != DisclosureState.SENT:
        raise Http404  # nothing was sent, so there is no file
    try:
        return _file_response(*disclosures.download(disclosure, user=request.user, request=request))
    except disclosures.DisclosureError as problem:
        return _render_detail(request, disclosure, error=str(problem), status=409)

"""Retention pages, for the SWPA only (others get 403, like the other SWPA-only pages): the plan
(what retention will do), the periods, legal holds, and past runs. Rules: lifecycle/retention.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crsv_mis import audit

from . import retention
from .forms import HoldForm, LiftForm, PeriodForm
from .models import LegalHold, RetentionRun


def _require_officer(user):
    if not retention.is_retention_officer(user):
        raise PermissionDenied


@login_required
@require_GET
def plan(request):
    _require_officer(request.user)
    # The plan names records (by reference): reading it is recorded like reading a list.
    audit.record("retention.plan_view", request=request)
    return render(request, "lifecycle/plan.html", {"plan": retention.plan(request.user.mission)})


def _periods_page(request, form=None, error_class=None, status=200):
    rows = retention.periods(request.user.mission)
    for row in rows:
        row["form"] = form if form is not None and row["record_class"] == error_class else PeriodForm(
            initial={"record_class": row["record_class"], "days": row["days"]})
    return render(request, "lifecycle/periods.html", {"rows": rows}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def periods(request):
    user = request.user
    _require_officer(user)
    if request.method == "GET":
        return _periods_page(request)
    form = PeriodForm(request.POST)
    record_class = request.POST.get("record_class", "")
    if form.is_valid():
        try:
            retention.set_period(user.mission, form.cleaned_data["record_class"], form.cleaned_data["days"],
                                 by=user, request=request)
        except retention.RetentionError as error:
            form.add_error("days", str(error))
        else:
            messages.success(request, _("Retention period saved."))
            return redirect("retention_periods")
    return _periods_page(request, form, record_class, status=400)


def _holds_page(request, form=None, lift_error=None, status=200):
    # The reasons (court cases) are read here in clear.
    audit.record("retention.holds_view", request=request)
    holds = LegalHold.objects.filter(mission_id=request.user.mission_id).select_related(
        "incident", "set_by", "lifted_by")
    return render(request, "lifecycle/holds.html", {
        "active": [h for h in holds if h.lifted_at is None], "lifted": [h for h in holds if h.lifted_at][:50],
        "form": form or HoldForm(), "lift_form": LiftForm(), "lift_error": lift_error}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def holds(request):
    user = request.user
    _require_officer(user)
    if request.method == "GET":
        return _holds_page(request, HoldForm(initial={"reference": request.GET.get("reference", "")}))
    form = HoldForm(request.POST)
    if form.is_valid():
        incident = retention.find_incident(user.mission, form.cleaned_data["reference"])
        try:
            retention.set_hold(incident, by=user, reason=form.cleaned_data["reason"], request=request)
        except retention.RetentionError as error:
            form.add_error("reference" if incident is None else None, str(error))
        else:
            messages.success(request, _("Legal hold set on %(reference)s.") % {"reference": incident.reference})
            return redirect("retention_holds")
    return _holds_page(request, form, status=400)


@login_required
@require_POST
def lift(request, pk):
    user = request.user
    _require_officer(user)
    hold = get_object_or_404(LegalHold.objects.filter(mission_id=user.mission_id), pk=pk)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            retention.lift_hold(hold, by=user, reason=form.cleaned_data["reason"], request=request)
        except retention.RetentionError as error:
            return _holds_page(request, lift_error=(hold.pk, str(error)), status=400)
        messages.success(request, _("Legal hold on %(reference)s lifted.") % {"reference": hold.incident.reference})
        return redirect("retention_holds")
    return _holds_page(request, lift_error=(hold.pk, _("Say why the hold is lifted.")), status=400)


@login_required
@require_GET
def runs(request):
    _require_officer(request.user)
    return render(request, "lifecycle/runs.html", {
        "runs": RetentionRun.objects.filter(mission_id=request.user.mission_id)[:100]})

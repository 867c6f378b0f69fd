"""Pages of the fast lane: report an alert, the alert list and detail, acknowledge, respond,
close, and the response times. Every alert comes from access.alerts_visible_to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crsv_mis import access, audit, disclosure

from . import alert_stats, alerts
from .alert_forms import AlertForm, AlertResponseForm
from .models import AlertStatus

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def alert_create(request):
    if not access.can_submit_alerts(request.user):
        raise PermissionDenied
    form = AlertForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        alert = alerts.submit_alert(by=request.user, request=request, **form.cleaned_data)
        messages.success(request, _("Alert %(ref)s sent to the duty station's focal points.")
                         % {"ref": alert.reference})
        if access.alerts_visible_to(request.user).filter(pk=alert.pk).exists():
            return redirect("alert_detail", reference=alert.reference)
        # Roles that read no alert back keep the reference from the message and can report another.
        return redirect("alert_create")
    return render(request, "incidents/alert_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def alert_list(request):
    if not access.can_list_alerts(request.user):
        raise PermissionDenied
    queryset = access.alerts_visible_to(request.user).select_related("duty_station", "admin1", "admin2")
    status = request.GET.get("status", "")
    if status in AlertStatus.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset.order_by("-reported_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record("alert.list", request=request, detail={"page": page.number,
                                                        "references": [a.reference for a in page]})
    return render(request, "incidents/alert_list.html", {
        "page": page, "status": status, "statuses": AlertStatus.choices,
        "content": access.sees_alert_content(request.user),
        "times": access.can_read_alert_times(request.user),
    })


def _scoped(user, reference):
    return get_object_or_404(
        access.alerts_visible_to(user).select_related("duty_station", "location", "admin1", "admin2",
                                                       "reported_by", "acknowledged_by", "incident"),
        reference=reference,
    )


def _render_detail(request, alert, response_form=None, status=200):
    # Every rendering shows the alert, error pages included, so every one is a recorded read.
    alerts.record_view(alert, request=request)
    content = access.sees_alert_content(request.user)
    can_handle = access.can_handle_alert(request.user, alert)
    if can_handle and response_form is None and alert.status != AlertStatus.CLOSED:
        response_form = AlertResponseForm(alert=alert)
    return render(request, "incidents/alert_detail.html", {
        "alert": alert, "content": content, "can_handle": can_handle,
        "can_acknowledge": can_handle and alert.status == AlertStatus.NEW,
        "response_form": response_form if alert.status != AlertStatus.CLOSED else None,
        "responses": alert.responses.select_related("recorded_by") if content else None,
        "indicators": alert.indicators.all() if content else None,
        "can_record_incident": can_handle and access.can_record_incidents(request.user) and not alert.incident_id,
    }, status=status)


@login_required
def alert_detail(request, reference):
    alert = _scoped(request.user, reference)
    return _render_detail(request, alert)


@login_required
@require_POST
def alert_acknowledge(request, reference):
    alert = _scoped(request.user, reference)
    if alerts.acknowledge_alert(alert, by=request.user, request=request):
        messages.success(request, _("Alert %(ref)s acknowledged.") % {"ref": alert.reference})
    else:
        messages.info(request, _("Alert %(ref)s was already acknowledged.") % {"ref": alert.reference})
    return redirect("alert_detail", reference=alert.reference)


@login_required
@require_POST
def alert_respond(request, reference):
    alert = _scoped(request.user, reference)
    if not access.can_handle_alert(request.user, alert):
        raise PermissionDenied
    form = AlertResponseForm(request.POST, alert=alert)
    if form.is_valid():
        try:
            alerts.add_response(alert, by=request.user, request=request, **form.cleaned_data)
        except alerts.AlertError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Response recorded."))
        return redirect("alert_detail", reference=alert.reference)
    return _render_detail(request, alert, response_form=form, status=400)


@login_required
@require_POST
def alert_close(request, reference):
    alert = _scoped(request.user, reference)
    if alerts.close_alert(alert, by=request.user, request=request):
        messages.success(request, _("Alert %(ref)s closed.") % {"ref": alert.reference})
    return redirect("alert_detail", reference=alert.reference)


@login_required
def alert_response_times(request):
    if not access.can_read_alert_times(request.user):
        raise PermissionDenied
    return render(request, "incidents/alert_response_times.html", {
        "rows": alert_stats.response_times_for(request.user),
        "suppressed": disclosure.audience_of(request.user) == disclosure.OUTSIDE,
        "threshold": disclosure.threshold(), "withheld_mark": disclosure.WITHHELD})

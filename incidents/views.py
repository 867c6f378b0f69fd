from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crsv_mis import access, audit
from crsv_mis.models import Role

from . import alerts, drafts, services
from .filters import IncidentFilter
from .forms import IntakeForms, reports_un_personnel

PAGE_SIZE = 25


def _list_queryset(user):
    return (
        access.incidents_visible_to(user)
        .select_related("admin1", "admin2", "location", "duty_station")
        .prefetch_related("forms")
            )


@login_required
def incident_list(request):
    if access.record_layer(request.user) is None:
        raise PermissionDenied
    filterset = IncidentFilter(request.GET or None, queryset=_list_queryset(request.user),
                               mission_id=request.user.mission_id)
    queryset = filterset.qs if filterset.is_bound else filterset.queryset
    if not (filterset.is_bound and filterset.form.cleaned_data.get("sort")):
        queryset = queryset.order_by("-reported_date", "-id")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record("incident.list", request=request, detail={"page": page.number,
                                                           "references": [i.reference for i in page]})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "incidents/list.html", {
        "filter": filterset, "page": page, "query": query.urlencode(),
        "identifying": access.sees_identifying_data(request.user),
    })


def _scoped(user, reference):
    return get_object_or_404(
        access.incidents_visible_to(user).select_related("duty_station", "location", "admin1", "admin2"),
        reference=reference,
    )


@login_required
def incident_detail(request, reference):
    incident = _scoped(request.user, reference)
    services.record_view(incident, request=request)
    identifying = access.sees_identifying_data(request.user)
    victims = incident.victims.prefetch_related("consents__taken_by")
    return render(request, "incidents/detail.html", {
        "incident": incident,
        "identifying": identifying,
        "victims": victims,
        "perpetrators": incident.perpetrators.select_related("party"),
        "access_log": audit.events_for(incident)[:200] if request.user.role == Role.SWPA else None,
    })


def _render_form(request, intake, *, instance=None, status=200, draft=None):
    return render(request, "incidents/form.html", {
        "intake": intake, "incident": instance, "draft": draft,
        # The version this page last saved (the autosave keeps it in the form), else the stored one.
        "draft_version": request.POST.get("draft_version") or (draft.version if draft else ""),
        "draft_saved": drafts.saved_message(draft) if draft is not None else "",
    }, status=status)


def _source_alert(request):
    """The alert being recorded as an incident (?from_alert=<id>); only for those who read it."""
    alert_id = request.GET.get("from_alert", "")
    if not alert_id:
        return None
    if not (alert_id.isdigit() and access.sees_alert_content(request.user)):
        raise Http404
    alert = get_object_or_404(access.alerts_visible_to(request.user), pk=alert_id)
    if request.method == "GET":
        alerts.record_view(alert, request=request)  # the form shows its description
    return alert


def _draft_of(request):
    """The person's draft this page continues (?draft= on opening it, then the form's hidden input)."""
    draft_id = request.POST.get("draft") if request.method == "POST" else request.GET.get("draft")
    if not draft_id:
        return None
    draft = drafts.owned(request.user, draft_id)
    if draft is None and request.method == "GET":
        raise Http404
    return draft


@login_required
@require_http_methods(["GET", "POST"])
def incident_create(request):
    if not access.can_record_incidents(request.user):
        raise PermissionDenied
    draft = _draft_of(request)
    if request.method == "POST" and reports_un_personnel(request.POST):
        if draft is not None:
            drafts.discard(draft, request=request, reason="sea")  # SEA is not recorded here: nor its draft
        audit.record("incident.sea_redirected", request=request)
        return render(request, "incidents/sea.html")
    source_alert = _source_alert(request)
    if source_alert is not None and source_alert.incident_id:
        messages.info(request, _("Alert %(ref)s is already recorded as an incident.") % {"ref": source_alert.reference})
        return redirect("alert_detail", reference=source_alert.reference)
    add_victim = "add_victim" in request.POST
    resumed = drafts.resume(draft, request=request) if draft is not None and request.method == "GET" else None
    intake = IntakeForms(request.user, request.POST or None, add_victim=add_victim, draft=resumed,
                         initial=alerts.incident_initial(source_alert) if source_alert else None)
    if request.method == "POST" and not add_victim and intake.is_valid():
        kwargs = {"by": request.user, "mission": request.user.mission, "request": request, **intake.service_kwargs()}
        try:
            with transaction.atomic():
                if source_alert is None:
                    incident = services.create_incident(**kwargs)
                else:
                    incident = alerts.record_as_incident(source_alert, **kwargs)
                if draft is not None:
                    drafts.submitted(draft, incident=incident, request=request)
        except alerts.AlertError as error:
            messages.error(request, str(error))
            return redirect("alert_detail", reference=source_alert.reference)
        if access.record_layer(request.user) is None:
            # A field reporter submits but reads nothing back: the reference is all they get.
            return render(request, "incidents/submitted.html", {"reference": incident.reference})
        messages.success(request, _("Incident %(ref)s recorded.") % {"ref": incident.reference})
        return redirect("incident_detail", reference=incident.reference)
    status = 400 if request.method == "POST" and not add_victim else 200
    return _render_form(request, intake, status=status, draft=draft)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request, reference):
    incident = _scoped(request.user, reference)
    if not access.sees_identifying_data(request.user):
        raise Http404
    if incident.anonymised_at:
        messages.error(request, services.RecordAnonymised().args[0])
        return redirect("incident_detail", reference=incident.reference)
    if request.method == "POST" and reports_un_personnel(request.POST):
        return render(request, "incidents/sea.html")
    add_victim = "add_victim" in request.POST
    intake = IntakeForms(request.user, request.POST or None, instance=incident, add_victim=add_victim)
    if request.method == "POST" and not add_victim and intake.is_valid():
        try:
            services.update_incident(
                incident, by=request.user, request=request,
                expected_version=intake.incident.cleaned_data.get("version") or 0, **intake.service_kwargs(),
            )
        except services.RecordAnonymised as closed:
            messages.error(request, str(closed))
            return redirect("incident_detail", reference=incident.reference)
        except services.EditConflict as conflict:
            intake.incident.add_error(None, _("%(msg)s Your changes are below and were not saved: open the "
                                              "incident in a new tab, then re-apply them.") % {"msg": conflict})
            return _render_form(request, intake, instance=incident, status=409)
        messages.success(request, _("Incident %(ref)s saved.") % {"ref": incident.reference})
        return redirect("incident_detail", reference=incident.reference)
    if request.method == "GET":
        services.record_view(incident, request=request)
    status = 400 if request.method == "POST" and not add_victim else 200
    return _render_form(request, intake, instance=incident, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def incident_archive(request):
    if request.user.role != Role.ADMIN:
        raise PermissionDenied
    error = None
    if request.method == "POST":
        reference = request.POST.get("reference", "").strip()
        reason = request.POST.get("reason", "").strip()
        incident = access.incidents_archivable_by(request.user).filter(reference=reference).first()
        if incident is None:
            error = _("No active incident has that reference.")
        elif not reason:
            error = _("Give a reason for archiving.")
        else:
            services.request_archive(incident, by=request.user, reason=reason, request=request)
            messages.success(request, _("Archiving %(ref)s awaits the SWPA's confirmation.") % {"ref": reference})
            return redirect("incident_archive")
    return render(request, "incidents/archive.html", {"error": error, "data": request.POST},
                  status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def incident_archive_requests(request):
    """The SWPA confirms or declines the archives an administrator asked for."""
    if request.user.role != Role.SWPA:
        raise PermissionDenied
    pending = services.archive_requests_for(request.user)
    if request.method == "POST":
        chosen = request.POST.get("request", "")
        archive_request = pending.filter(pk=chosen).first() if chosen.isdigit() else None
        decide = {"confirm": services.confirm_archive, "decline": services.decline_archive}.get(
            request.POST.get("decision"))
        if archive_request is None or decide is None:
            return render(request, "incidents/archive_requests.html", {"pending": pending}, status=400)
        decide(archive_request, by=request.user, request=request)
        return redirect("incident_archive_requests")
    return render(request, "incidents/archive_requests.html", {"pending": pending})

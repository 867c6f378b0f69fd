"""Quarterly report pages: the MARA room's list and generate form, the job page that follows a build,
a version's page (narrative, workflow, figures, downloads, history), downloads, the leadership page
of released reports, and the SWPA's yearly contribution to the SG report.

A role with no reports page at all gets 403; a report or job outside what the person may read
(another mission's, or a draft for leadership) answers 404. Rules: reporting.services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crsv_mis import access, audit

from .. import deidentified, editions, services, sg_export
from ..forms import DeidentifiedExportForm, GenerateForm, NarrativeForm, ReturnForm, SgExportForm
from ..models import Edition, FileFormat, JobState, ReportStatus

# Editions in URLs: readable, lower case.
EDITION_SLUGS = {"mara-room": Edition.MARA_ROOM, "external": Edition.EXTERNAL}
SLUG_OF_EDITION = {edition: slug for slug, edition in EDITION_SLUGS.items()}


def _require(allowed, user):
    if not allowed(user):
        raise PermissionDenied


def _file_response(data, name, content_type, digest):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Length"] = str(len(data))
    response["X-Content-SHA256"] = digest
    response["Cache-Control"] = "private, no-store"
    return response


# ---- the MARA room's list and generating


def _render_list(request, form=None, status=200):
    user = request.user
    return render(request, "reporting/report_list.html", {
        "quarters": services.quarters_overview(user),
        "form": form or GenerateForm(),
        "can_generate": access.can_generate_reports(user),
        "can_export_sg": access.can_export_sg_contribution(user),
        "jobs": access.report_jobs_visible_to(user).filter(report__isnull=True).exclude(
            state=JobState.DONE).order_by("-created_at")[:10],
    }, status=status)


@login_required
def report_list(request):
    user = request.user
    if not access.can_read_report_drafts(user):
        if access.can_read_released_reports(user):
            return redirect("report_released")
        raise PermissionDenied
    return _render_list(request)


@login_required
@require_POST
def report_generate(request):
    user = request.user
    _require(access.can_generate_reports, user)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form=form, status=400)
    try:
        job = services.start_job_in_background(mission=user.mission, year=form.cleaned_data["year"],
                                                 quarter=form.cleaned_data["quarter"], by=user, request=request)
    except services.RuleError as problem:
        form.add_error(None, str(problem))
        return _render_list(request, form=form, status=400)
    return redirect("report_job", pk=job.pk)


@login_required
def report_job(request, pk):
    user = request.user
    _require(access.can_read_report_drafts, user)
    job = get_object_or_404(access.report_jobs_visible_to(user).select_related("report", "requested_by"), pk=pk)
    return render(request, "reporting/job.html", {
        "job": job,
        "step": services.step_label(job.step),
        "working": job.state in (JobState.QUEUED, JobState.RUNNING),
        "can_retry": services.job_can_be_retried(job) and access.can_generate_reports(user),
    })


@login_required
@require_POST
def report_job_retry(request, pk):
    user = request.user
    _require(access.can_generate_reports, user)
    job = get_object_or_404(access.report_jobs_visible_to(user), pk=pk)
    try:
        services.retry_job(job, by=user, request=request)
    except services.RuleError as problem:
        messages.error(request, str(problem))
        return redirect("report_job", pk=job.pk)
    return redirect("report_job", pk=job.pk)


# ---- one version


def _report(request, pk):
    user = request.user
    _require(access.can_read_released_reports, user)
    return get_object_or_404(services.reports_of(user).select_related(
        "mission", "generated_by", "approved_by", "released_by"), pk=pk)


def _downloads(user, report):
    return [{"edition": edition, "label": Edition(edition).label, "slug": SLUG_OF_EDITION[edition],
             "formats": [{"fmt": fmt, "label": FileFormat(fmt).label} for fmt in services.ALL_FORMATS]}
            for edition in services.editions_for(user, report)]


def _render_report(request, report, *, form=None, return_form=None, error=None, status=200):
    user = request.user
    edition = services.reading_edition(user, report)
    draft = report.status == ReportStatus.DRAFT
    can_edit = draft and access.can_edit_report_narrative(user)
    if form is None and can_edit:
        form = NarrativeForm(instance=report)
    generated_it = report.generated_by_id is not None and report.generated_by_id == user.pk
    return render(request, "reporting/report_detail.html", {
        "report": report,
        "edition": edition,
        "edition_label": Edition(edition).label,
        "in_the_room": edition == Edition.MARA_ROOM,
        "tables": editions.tables(report.figures, edition),
        # Outside the MARA room the narrative shows places no finer than the province.
        "narratives": editions.narratives(report, edition),
        "form": form if can_edit else None,
        "rejected_form": form if form is not None and not can_edit else None,
        "return_form": return_form or ReturnForm(),
        "can_approve": draft and access.can_approve_reports(user) and not generated_it,
        "generated_it": draft and access.can_approve_reports(user) and generated_it,
        "can_return": report.status == ReportStatus.APPROVED and access.can_approve_reports(user),
        "can_release": report.status == ReportStatus.APPROVED and access.can_release_reports(user),
        "downloads": _downloads(user, report),
        "versions": services.versions_of_quarter(user, report),
        "error": error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk):
    report = _report(request, pk)
    if request.method == "GET":
        audit.record("report.view", request=request, obj=report,
                     detail={"year": report.year, "quarter": report.quarter, "version": report.version})
        return _render_report(request, report)
    # POST: the narrative of a draft.
    _require(access.can_edit_report_narrative, request.user)
    form = NarrativeForm(request.POST, instance=report)
    if not form.is_valid():
        return _render_report(request, report, form=form, status=400)
    try:
        services.edit_narrative(report, by=request.user, request=request,
                                expected_edit_version=form.cleaned_data["edit_version"],
                                key_messages=form.cleaned_data["key_messages"],
                                analysis=form.cleaned_data["analysis"], response=form.cleaned_data["response"])
    except services.RuleError as conflict:
        # The typed text comes back in the form: nothing is lost, nothing is overwritten.
        form.add_error(None, _("%(msg)s Your text is below and was not saved: copy it, reload the page, "
                               "then re-apply it.") % {"msg": conflict})
        report.refresh_from_db()
        return _render_report(request, report, form=form, status=409)
    messages.success(request, _("Draft saved."))
    return redirect("report_detail", pk=report.pk)


def _edit_version(request):
    try:
        return int(request.POST.get("edit_version", ""))
    except ValueError:
        return -1


def _workflow_step(request, pk, allowed, step, done_message):
    report = _report(request, pk)
    _require(allowed, request.user)
    try:
        step(report)
    except services.RuleError as problem:
        report.refresh_from_db()
        status = 409 if isinstance(problem, services.EditConflict | services.ReleasedReportLocked) else 400
        return _render_report(request, report, error=str(problem), status=status)
    messages.success(request, done_message)
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_approve(request, pk):
    return _workflow_step(
        request, pk, access.can_approve_reports,
        lambda report: services.approve(report, by=request.user, request=request,
                                        expected_edit_version=_edit_version(request)),
        _("Approved. The SWPA or the MARA chair can now release it to leadership."))


@login_required
@require_POST
def report_return(request, pk):
    form = ReturnForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _workflow_step(
        request, pk, access.can_approve_reports,
        lambda report: services.return_to_draft(report, by=request.user, reason=reason, request=request),
        _("Back to draft: the approval is withdrawn."))


@login_required
@require_POST
def report_release(request, pk):
    return _workflow_step(
        request, pk, access.can_release_reports,
        lambda report: services.release(report, by=request.user, request=request),
        _("Released. Leadership can now read and download it; this version no longer changes."))


@login_required
def report_download(request, pk, edition, fmt):
    report = _report(request, pk)
    edition = EDITION_SLUGS.get(edition)
    if edition not in services.editions_for(request.user, report) or fmt not in FileFormat.values:
        raise Http404
    return _file_response(*services.download(report, edition=edition, fmt=fmt, user=request.user, request=request))


# ---- leadership


@login_required
def report_released(request):
    _require(access.can_read_released_reports, request.user)
    return render(request, "reporting/released.html", {
        "quarters": services.released_overview(request.user),
        "slug": SLUG_OF_EDITION[Edition.EXTERNAL],
        "formats": [{"fmt": fmt, "label": FileFormat(fmt).label} for fmt in services.ALL_FORMATS],
        "in_the_room": access.can_read_report_drafts(request.user),
    })


# ---- the SG annual report


@login_required
def sg_annual(request):
    user = request.user
    _require(access.can_export_sg_contribution, user)
    form = SgExportForm(request.GET or None)
    if form.is_bound:
        if form.is_valid():
            return _file_response(*sg_export.download(user.mission, form.cleaned_data["year"],
                                                      form.cleaned_data["format"], user=user, request=request))
        return render(request, "reporting/sg_annual.html", {"form": form}, status=400)
    return render(request, "reporting/sg_annual.html", {"form": form})


@login_required
def deidentified_export(request):
    user = request.user
    _require(access.can_export_deidentified, user)
    form = DeidentifiedExportForm(request.GET or None)
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            return _file_response(*deidentified.download(user, data["from"], data["to"], data["format"],
                                                         request=request))
        return render(request, "reporting/deidentified.html", {"form": form}, status=400)
    return render(request, "reporting/deidentified.html", {"form": form})

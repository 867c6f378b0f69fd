"""The SWPA's import pages: upload, the check's report and the choice, progress, result, the template
and the to-fix file. Thin: the rules are in incidents/imports/services.py.

Another role gets 403 (the page is the SWPA's, like the SG contribution); an import of another
mission answers 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from crsv_mis import access, audit

from .imports import services, template
from .models import ImportMode, ImportState

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
SHOWN_PROBLEMS = 500


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Incident matrix (XLSX or CSV)"),
                           help_text=gettext_lazy("The template's format. Nothing is written before you have "
                                                  "read the check's report and chosen."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB: split it into several files."))
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("Upload an .xlsx or a .csv file (an old .xls: save it as .xlsx first)."))
        return upload


class ChoiceForm(forms.Form):
    mode = forms.ChoiceField(choices=ImportMode.choices, widget=forms.RadioSelect, label=gettext_lazy("What to import"))
    include_duplicates = forms.BooleanField(
        required=False, label=gettext_lazy("Also import the rows flagged as possible duplicates"),
        help_text=gettext_lazy("Only if you checked that they are different incidents."))


def _require_importer(user):
    if not access.can_import_incidents(user):
        raise PermissionDenied


def _scoped(user, pk):
    return get_object_or_404(access.incident_imports_visible_to(user).select_related("created_by"), pk=pk)


def _file_response(data, name, content_type):
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    user = request.user
    _require_importer(user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                incident_import = services.upload(by=user, file_name=upload.name, data=upload.read(),
                                                  request=request)
            except services.RuleError as error:
                form.add_error("file", str(error))
            else:
                services.run_or_queue(incident_import)
                return redirect("incident_import_detail", pk=incident_import.pk)
        status = 400
    else:
        status = 200
    recent = access.incident_imports_visible_to(user).select_related("created_by")[:20]
    return render(request, "incidents/import_upload.html", {"form": form, "recent": recent}, status=status)


@login_required
def import_template(request, fmt):
    user = request.user
    _require_importer(user)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if fmt == "xlsx":
        data, content_type = template.xlsx(user.mission), template.XLSX_TYPE
    else:
        data, content_type = template.csv_bytes(user.mission), template.CSV_TYPE
    audit.record("incident_import.template_download", request=request, detail={"format": fmt})
    return _file_response(data, f"incident-matrix-template.{fmt}", content_type)


@login_required
def import_detail(request, pk):
    user = request.user
    _require_importer(user)
    incident_import = _scoped(user, pk)
    working = incident_import.state in (ImportState.CHECKING, ImportState.IMPORTING)
    report = services.report(incident_import)
    if not working and report:
        audit.record("incident_import.view", obj=incident_import, request=request)
    problems = report.get("problems", [])
    return render(request, "incidents/import_detail.html", {
        "imp": incident_import,
        "working": working,
        "progress": services.progress_of(incident_import),
        "report": report,
        "problems": problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, report.get("problems_total", 0) - SHOWN_PROBLEMS),
        "choice": ChoiceForm(initial={"mode": ImportMode.ALL_OR_NOTHING if not incident_import.rows_invalid
                                      else ImportMode.VALID_ROWS}),
        "can_retry": incident_import.state == ImportState.FAILED and services.file_kept(incident_import),
        "has_fix_file": incident_import.state == ImportState.DONE and services.fix_file_of(incident_import),
        "incidents_url": f"{reverse('incident_list')}?source_import={incident_import.pk}",
    })


@login_required
@require_POST
def import_choose(request, pk):
    user = request.user
    _require_importer(user)
    incident_import = _scoped(user, pk)
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to import."))
        return redirect("incident_import_detail", pk=pk)
    try:
        incident_import = services.choose(incident_import, by=user, mode=form.cleaned_data["mode"],
                                          include_duplicates=form.cleaned_data["include_duplicates"],
                                          request=request)
    except services.RuleError as error:
        messages.error(request, str(error))
        return redirect("incident_import_detail", pk=pk)
    services.run_or_queue(incident_import)
    return redirect("incident_import_detail", pk=pk)


@login_required
def import_fix_file(request, pk):
    user = request.user
    _require_importer(user)
    incident_import = _scoped(user, pk)
    try:
        data, name = services.download_fix_file(incident_import, by=user, request=request)
    except services.RuleError as error:
        messages.error(request, str(error))
        return redirect("incident_import_detail", pk=pk)
    return _file_response(data, name, template.XLSX_TYPE)


@login_required
@require_POST
def import_discard(request, pk):
    user = request.user
    _require_importer(user)
    incident_import = _scoped(user, pk)
    try:
        services.discard(incident_import, by=user, request=request)
    except services.RuleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The file was deleted from the server."))
    return redirect("incident_import_detail", pk=pk)


@login_required
@require_POST
def import_retry(request, pk):
    user = request.user
    _require_importer(user)
    incident_import = _scoped(user, pk)
    try:
        incident_import = services.retry(incident_import, by=user, request=request)
    except services.RuleError as error:
        messages.error(request, str(error))
        return redirect("incident_import_detail", pk=pk)
    services.run_or_queue(incident_import)
    return redirect("incident_import_detail", pk=pk)

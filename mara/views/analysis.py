"""Monthly analysis pages: the months, the current revision of a month (edited while a draft),
endorsement and reopening by the chair, and past revisions. Rules: mara.services.analysis."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mara.forms_analysis import AnalysisForm, ReopenForm
from mara.models import AnalysisStatus, MonthlyAnalysis
from mara.services import analysis as service
from mara.services import recommendations as recommendation_service


def _require_reader(user):
    if not service.can_read_analysis(user):
        raise PermissionDenied


def _month(text):
    try:
        return service.parse_month(text)
    except ValueError:
        raise Http404 from None


@login_required
def analysis_list(request):
    _require_reader(request.user)
    return render(request, "mara/analysis_list.html", {"months": service.months_overview(request.user)})


def _render_month(request, month, *, form=None, reopen_form=None, error=None, status=200):
    user = request.user
    analysis = service.current_revision(user, month)
    draft = analysis is None or analysis.status == AnalysisStatus.DRAFT
    can_edit = draft and service.can_edit_analysis(user)
    if form is None and can_edit:
        form = AnalysisForm(instance=analysis or MonthlyAnalysis(month=month))
    context = {
        "month": month, "key": service.month_key(month), "analysis": analysis, "draft": draft,
        "form": form if can_edit else None,
        # Text typed into a draft that was endorsed meanwhile: shown back so it can be copied, not saved.
        "rejected_form": form if form is not None and not can_edit else None,
        "can_endorse": bool(analysis) and draft and service.can_endorse(user),
        "reopen_form": reopen_form or ReopenForm(),
        "can_reopen": bool(analysis) and analysis.status == AnalysisStatus.ENDORSED and service.can_endorse(user),
        "revisions": service.revisions(user, month),
        "error": error,
        "tracked": recommendation_service.of_month(user, month),
        "can_track": bool(analysis) and recommendation_service.can_edit_recommendations(user),
    }
    if draft:
        # The draft is written beside the live figures; an endorsed revision shows only what was frozen.
        context["figures"] = service.figure_tables(service.live_figures(user, month))
    else:
        context["figures"] = service.figure_tables(analysis.figures_snapshot)
    return render(request, "mara/analysis_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def analysis_month(request, month):
    _require_reader(request.user)
    month = _month(month)
    if request.method == "GET":
        return _render_month(request, month)
    if not service.can_edit_analysis(request.user):
        raise PermissionDenied
    form = AnalysisForm(request.POST)
    if not form.is_valid():
        return _render_month(request, month, form=form, status=400)
    try:
        service.save_draft(by=request.user, month=month, request=request, fields=form.cleaned_data,
                           expected_version=form.cleaned_data.get("version") or 0)
    except service.EditConflict as conflict:
        # The typed text comes back in the form; nothing is lost, nothing is overwritten.
        form.add_error(None, _("%(msg)s Your text is below and was not saved: copy it, reload the page, "
                               "then re-apply it.") % {"msg": conflict})
        return _render_month(request, month, form=form, status=409)
    messages.success(request, _("Draft saved."))
    return redirect("analysis_month", month=service.month_key(month))


def _current(request, month):
    analysis = service.current_revision(request.user, month)
    if analysis is None:
        raise Http404
    return analysis


@login_required
@require_POST
def analysis_endorse(request, month):
    if not service.can_endorse(request.user):
        raise PermissionDenied
    month = _month(month)
    analysis = _current(request, month)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        service.endorse(analysis, by=request.user, expected_version=version, request=request)
    except service.EditConflict as conflict:
        return _render_month(request, month, error=str(conflict), status=409)
    except service.RuleError as problem:
        return _render_month(request, month, error=str(problem), status=400)
    messages.success(request, _("Analysis endorsed. Its figures are frozen with the text."))
    return redirect("analysis_month", month=service.month_key(month))


@login_required
@require_POST
def analysis_reopen(request, month):
    if not service.can_endorse(request.user):
        raise PermissionDenied
    month = _month(month)
    analysis = _current(request, month)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _render_month(request, month, reopen_form=form, status=400)
    try:
        draft = service.reopen(analysis, by=request.user, reason=form.cleaned_data["reason"], request=request)
    except service.EditConflict as conflict:
        return _render_month(request, month, error=str(conflict), status=409)
    messages.success(request, _("Reopened as revision %(n)s. The endorsed revision is kept.") % {"n": draft.revision})
    return redirect("analysis_month", month=service.month_key(month))


@login_required
def analysis_revision(request, month, revision):
    _require_reader(request.user)
    month = _month(month)
    analysis = get_object_or_404(service.revisions(request.user, month), revision=revision)
    return render(request, "mara/analysis_revision.html", {
        "analysis": analysis, "month": month, "key": service.month_key(month),
        "figures": service.figure_tables(analysis.figures_snapshot),
        "revisions": service.revisions(request.user, month),
    })

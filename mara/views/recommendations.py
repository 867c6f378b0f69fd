"""Recommendation pages: the list (open or closed), one recommendation, create and update.
Rules: mara.services.recommendations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mara.forms_recommendations import RecommendationForm
from mara.services import analysis as analysis_service
from mara.services import recommendations as service

STATES = ("open", "closed", "all")


def _require_reader(user):
    if not service.can_read_recommendations(user):
        raise PermissionDenied


def _require_editor(user):
    if not service.can_edit_recommendations(user):
        raise PermissionDenied


@login_required
def recommendation_list(request):
    _require_reader(request.user)
    state = request.GET.get("status") if request.GET.get("status") in STATES else "open"
    return render(request, "mara/recommendation_list.html", {
        "recommendations": service.filtered(request.user, state), "state": state,
        "can_edit": service.can_edit_recommendations(request.user),
        "can_read_analysis": analysis_service.can_read_analysis(request.user),
        "today": timezone.localdate(),
    })


@login_required
def recommendation_detail(request, pk):
    _require_reader(request.user)
    recommendation = get_object_or_404(service.recommendations_of(request.user), pk=pk)
    return render(request, "mara/recommendation_detail.html", {
        "recommendation": recommendation,
        "can_edit": service.can_edit_recommendations(request.user),
        "can_read_analysis": analysis_service.can_read_analysis(request.user),
        "today": timezone.localdate(),
    })


def _render_form(request, form, *, recommendation=None, status=200):
    return render(request, "mara/recommendation_form.html", {"form": form, "recommendation": recommendation},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request):
    _require_editor(request.user)
    analyses = service.linkable_analyses(request.user)
    initial = {}
    if request.GET.get("analysis", "").isdigit():
        # "Track a recommendation" on an analysis page comes here with the analysis chosen.
        initial["analysis"] = analyses.filter(pk=request.GET["analysis"]).first()
    form = RecommendationForm(request.POST or None, analyses=analyses, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            recommendation = service.create_recommendation(by=request.user, fields=form.cleaned_data,
                                                           request=request)
        except service.RuleError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Recommendation recorded."))
            return redirect("recommendation_detail", pk=recommendation.pk)
    return _render_form(request, form, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request, pk):
    _require_editor(request.user)
    recommendation = get_object_or_404(service.recommendations_of(request.user), pk=pk)
    form = RecommendationForm(request.POST or None, instance=recommendation,
                              analyses=service.linkable_analyses(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            service.update_recommendation(recommendation, by=request.user, request=request,
                                          expected_fingerprint=form.cleaned_data.get("fingerprint") or "",
                                          fields=form.cleaned_data)
        except service.EditConflict as conflict:
            form.add_error(None, _("%(msg)s Your changes are below and were not saved: open the recommendation "
                                   "in a new tab, then re-apply them.") % {"msg": conflict})
            return _render_form(request, form, recommendation=recommendation, status=409)
        except service.RuleError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, _("Recommendation saved."))
            return redirect("recommendation_detail", pk=pk)
    return _render_form(request, form, recommendation=recommendation,
                        status=400 if request.method == "POST" else 200)

"""Commitments by parties: list per party with incident counts, create/edit, reviews."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ..models import Commitment, CommitmentKind, CommitmentReview, CommitmentStatus
from ..services import commitments as services

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# ---- Forms (kept beside their views: mara/forms.py belongs to the whole working-group app)


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["party", "kind", "title", "date_signed", "status"]
        widgets = {"date_signed": DATE}
        labels = {"party": gettext_lazy("Party")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = services.parties_for(user).order_by("name")
        self.fields["party"].empty_label = _("— choose —")
        self.fields["kind"].choices = [("", _("— choose —"))] + list(CommitmentKind.choices)

    def clean_date_signed(self):
        value = self.cleaned_data.get("date_signed")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date signed cannot be in the future."))
        return value


class ReviewForm(forms.ModelForm):
    class Meta:
        model = CommitmentReview
        fields = ["date", "note", "status_after"]
        widgets = {"date": DATE, "note": forms.Textarea(attrs={"rows": 4})}
        labels = {"status_after": gettext_lazy("Status after the review")}
        help_texts = {"status_after": gettext_lazy("Leave empty to keep the current status.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status_after"].choices = [("", _("— keep the current status —"))] + list(
            CommitmentStatus.choices)

    def clean_date(self):
        value = self.cleaned_data.get("date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The review date cannot be in the future."))
        return value


# ---- Views


def _require_reader(user):
    if not services.can_read_commitments(user):
        raise PermissionDenied


def _require_manager(user):
    if not services.can_manage_commitments(user):
        raise PermissionDenied


@login_required
def commitment_list(request):
    _require_reader(request.user)
    return render(request, "mara/commitment_list.html", {
        "rows": services.parties_with_commitments(request.user),
        "can_manage": services.can_manage_commitments(request.user),
    })


@login_required
def commitment_detail(request, pk):
    _require_reader(request.user)
    commitment = get_object_or_404(services.commitments_for(request.user), pk=pk)
    return _render_detail(request, commitment, ReviewForm(initial={"date": timezone.localdate()}))


def _render_detail(request, commitment, review_form, *, status=200, error=None):
    can_manage = services.can_manage_commitments(request.user)
    return render(request, "mara/commitment_detail.html", {
        "commitment": commitment,
        "reviews": commitment.reviews.select_related("reviewed_by"),
        "can_manage": can_manage,
        "review_form": review_form if can_manage else None,
        "error": error,
    }, status=status)


def _render_form(request, form, *, commitment=None, status=200, error=None):
    return render(request, "mara/commitment_form.html", {"form": form, "commitment": commitment, "error": error},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request):
    _require_manager(request.user)
    initial = {"party": request.GET.get("party")} if request.GET.get("party", "").isdigit() else {}
    form = CommitmentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST":
        if not form.is_valid():
            return _render_form(request, form, status=400)
        try:
            commitment = services.create_commitment(by=request.user, fields=form.cleaned_data, request=request)
        except services.CommitmentNotAllowed as refusal:
            return _render_form(request, form, status=400, error=str(refusal))
        messages.success(request, _("Commitment recorded."))
        return redirect("commitment_detail", pk=commitment.pk)
    return _render_form(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request, pk):
    _require_manager(request.user)
    commitment = get_object_or_404(services.commitments_for(request.user), pk=pk)
    form = CommitmentForm(request.POST or None, user=request.user, instance=commitment)
    if request.method == "POST":
        if not form.is_valid():
            return _render_form(request, form, commitment=commitment, status=400)
        try:
            services.update_commitment(commitment, by=request.user, fields=form.cleaned_data, request=request)
        except services.CommitmentNotAllowed as refusal:
            return _render_form(request, form, commitment=commitment, status=400, error=str(refusal))
        messages.success(request, _("Commitment saved."))
        return redirect("commitment_detail", pk=commitment.pk)
    return _render_form(request, form, commitment=commitment)


@login_required
@require_POST
def commitment_review(request, pk):
    _require_manager(request.user)
    commitment = get_object_or_404(services.commitments_for(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, commitment, form, status=400)
    try:
        services.add_review(commitment, by=request.user, date=form.cleaned_data["date"],
                            note=form.cleaned_data["note"], status_after=form.cleaned_data["status_after"],
                            request=request)
    except services.CommitmentNotAllowed as refusal:
        return _render_detail(request, commitment, form, status=400, error=str(refusal))
    messages.success(request, _("Review recorded."))
    return redirect("commitment_detail", pk=commitment.pk)

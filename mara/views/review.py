"""The MARA review: the queue of incidents awaiting verification, the decision page, verifiers.

Every incident here comes from access.incidents_visible_to, and the pages show de-identified
fields only, whoever reads them (the SWPA too): the review decides on the de-identified record.
"""

import calendar
import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from crsv_mis import access, audit
from crsv_mis.models import Role
from incidents.choices import VerificationStatus
from incidents.services import record_view

from ..services import verification

PAGE_SIZE = 25
REVIEW_ROLES = frozenset({Role.MARA_CHAIR, Role.MARA_MEMBER, Role.SWPA})
AWAITING = (VerificationStatus.REPORTED, VerificationStatus.UNDER_VERIFICATION)


def _require_reviewer(user):
    if user.role not in REVIEW_ROLES or access.record_layer(user) is None:
        raise PermissionDenied


# ---- Forms (kept beside their views: mara/forms.py belongs to the whole working-group app)


class PeriodForm(forms.Form):
    """A month, or any range of dates reported. Empty means the current month."""

    month = forms.RegexField(regex=r"^(19|20)\d\d-(0[1-9]|1[0-2])$", required=False, label=gettext_lazy("Month"),
                             widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
                             error_messages={"invalid": gettext_lazy("Give the month as YYYY-MM.")})
    start = forms.DateField(required=False, label=pgettext_lazy("start of a date range", "From"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(required=False, label=pgettext_lazy("end of a date range", "To"),
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def add_prefix(self, field_name):
        # The query string says ?from=&to=; "from" is a Python keyword, so the fields are start/end.
        return {"start": "from", "end": "to"}.get(field_name, field_name)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if self.errors:
            return cleaned
        if start or end:
            if not (start and end):
                raise forms.ValidationError(_("Give both dates of the range."))
            if start > end:
                raise forms.ValidationError(_("The range ends before it starts."))
            cleaned["period"] = (start, end)
            return cleaned
        month = cleaned.get("month")
        if month:
            year, number = (int(part) for part in month.split("-"))
        else:
            today = timezone.localdate()
            year, number = today.year, today.month
        last = calendar.monthrange(year, number)[1]
        cleaned["period"] = (datetime.date(year, number, 1), datetime.date(year, number, last))
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"))
    standard = forms.CharField(label=gettext_lazy("Standard of proof applied"),
                               max_length=verification.STANDARD_MAX_LENGTH)
    rationale = forms.CharField(
        label=gettext_lazy("Rationale"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Why the information does or does not meet the standard. Keep it de-identified: "
                               "no names, contacts or exact places."),
        error_messages={"required": gettext_lazy("Write the rationale for this decision.")},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, status, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(VerificationStatus.choices)
        self.fields["decision"].choices = [("", _("— choose —"))] + [
            (value, labels[value]) for value in verification.allowed_targets(status)
        ]


# ---- Views


@login_required
def review_queue(request):
    _require_reviewer(request.user)
    period = PeriodForm(request.GET)
    page = None
    if period.is_valid():
        start, end = period.cleaned_data["period"]
        queryset = (
            # Archived records are out of everyday lists, the SWPA's included (the helper returns them to the SWPA).
            access.incidents_visible_to(request.user).active()
            .filter(status__in=AWAITING, reported_date__gte=start, reported_date__lte=end)
            .select_related("admin1", "admin2")
            .prefetch_related("forms")
                        .order_by("reported_date", "id")
        )
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        audit.record("incident.list", request=request, detail={
            "view": "mara_review", "page": page.number, "references": [i.reference for i in page]})
    else:
        start = end = None
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "mara/review_queue.html", {
        "period": period, "page": page, "start": start, "end": end, "query": query.urlencode(),
        "is_chair": request.user.role == Role.MARA_CHAIR,
    }, status=200 if page is not None else 400)


def _render_decision(request, incident, form, *, status=200, error=None):
    # Every rendering shows the record, error pages included, so every one is a recorded read.
    record_view(incident, request=request)
    user = request.user
    refusal = verification.verification_refusal(user, incident)
    return render(request, "mara/review_decision.html", {
        "incident": incident,
        "victims": incident.victims.all(),
        "perpetrators": incident.perpetrators.select_related("party"),
        "history": verification.history(incident),
        "form": form if refusal is None and form.fields["decision"].choices[1:] else None,
        # Only a verifier is told why they cannot decide this one (e.g. they logged it).
        "refusal": refusal if verification.is_verifier(user) else None,
        "error": error,
    }, status=status)


def _new_form(incident, data=None):
    initial = {"standard": verification.default_standard(), "version": incident.version}
    return DecisionForm(data, initial=initial, status=incident.status)


@login_required
@require_http_methods(["GET", "POST"])
def review_decision(request, reference):
    _require_reviewer(request.user)
    incident = get_object_or_404(
        access.incidents_visible_to(request.user).select_related("admin1", "admin2"), reference=reference
    )
    if request.method == "GET":
        return _render_decision(request, incident, _new_form(incident))
    if not verification.can_verify(request.user, incident):
        raise PermissionDenied
    form = _new_form(incident, request.POST)
    if not form.is_valid():
        return _render_decision(request, incident, form, status=400)
    try:
        verification.decide_verification(
            incident, by=request.user, decision=form.cleaned_data["decision"],
            standard=form.cleaned_data["standard"], rationale=form.cleaned_data["rationale"],
            expected_version=form.cleaned_data["version"], request=request,
        )
    except verification.VerificationConflict as conflict:
        incident.refresh_from_db()
        # Keep the typed text, but against the version now shown: submitting again after reading
        # the newer history is a deliberate decision, not a blind overwrite.
        data = request.POST.copy()
        data["version"] = incident.version
        return _render_decision(request, incident, _new_form(incident, data), status=409, error=_(
            "%(msg)s Read the history below; your text is kept in the form.") % {"msg": conflict})
    except verification.VerificationNotAllowed as refusal:
        return _render_decision(request, incident, form, status=400, error=str(refusal))
    messages.success(request, _("%(ref)s is now %(status)s.") % {
        "ref": incident.reference, "status": incident.get_status_display()})
    return redirect("mara_review_decision", reference=incident.reference)


@login_required
@require_http_methods(["GET"])
def verifiers(request):
    if request.user.role != Role.MARA_CHAIR:
        raise PermissionDenied
    return render(request, "mara/verifiers.html", {
        "rows": verification.designatable_members(request.user),
        "past": verification.designation_history(request.user),
    })


@login_required
@require_POST
def verifier_change(request):
    if request.user.role != Role.MARA_CHAIR:
        raise PermissionDenied
    member_id = request.POST.get("member", "")
    if not member_id.isdigit():
        raise Http404
    member = get_object_or_404(get_user_model(), pk=member_id, mission_id=request.user.mission_id,
                               role=Role.MARA_MEMBER)
    action = request.POST.get("action")
    try:
        if action == "designate":
            verification.designate_verifier(chair=request.user, member=member, request=request)
            messages.success(request, _("%(user)s may now record verification decisions.") % {
                "user": member.username})
        elif action == "revoke":
            verification.revoke_verifier(chair=request.user, member=member, request=request)
            messages.success(request, _("%(user)s no longer records verification decisions.") % {
                "user": member.username})
        else:
            messages.error(request, _("Choose designate or revoke."))
    except verification.VerificationNotAllowed as refusal:
        messages.error(request, str(refusal))
    return redirect("mara_verifiers")

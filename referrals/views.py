"""Referral pages: create from a victim, list, detail with status changes, follow-ups and consent withdrawal.

A referral focal point sees only what a referral needs (survivor code, service, urgency, the note,
status and dates) and only the referrals assigned to them; anything else answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from crsv_mis import access, audit
from crsv_mis.models import Role
from incidents.models import Victim

from . import services
from .deadlines import medical_deadlines
from .forms import ConsentForm, FollowUpForm, ReferralForm, ServiceForm, StatusForm, WithdrawForm
from .models import ReferralStatus, Service
from .providers import providers_for

PAGE_SIZE = 25


def _is_focal(user):
    return user.role == Role.REFERRAL_FOCAL_POINT


def _visible(user):
    return access.referrals_visible_to(user).select_related("provider", "victim")


@login_required
def referral_list(request):
    if not (access.can_refer(request.user) or _is_focal(request.user)):
        raise Http404
    page = Paginator(_visible(request.user).order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    audit.record("referral.list", request=request, detail={"page": page.number, "ids": [r.pk for r in page]})
    return render(request, "referrals/referral_list.html", {"page": page, "focal": _is_focal(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request):
    if not access.can_refer(request.user):
        raise Http404
    victim_id = request.GET.get("victim") or ""
    if not victim_id.isdigit():
        raise Http404
    victim = get_object_or_404(
        Victim.objects.select_related("incident__location"),
        pk=int(victim_id), incident__in=access.incidents_visible_to(request.user),
    )
    incident = victim.incident
    service_form = ServiceForm(request.GET if "service" in request.GET else None)
    service = service_form.cleaned_data["service"] if service_form.is_valid() else None
    if service is None:
        return render(request, "referrals/referral_service.html", {"victim": victim, "service_form": service_form})
    providers = providers_for(incident.mission_id, service, incident.location)
    data = request.POST if request.method == "POST" else None
    form = ReferralForm(data, victim=victim, providers=providers, initial={"service": service})
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["service"] == service and form.cleaned_data["provider"]:
            d = form.cleaned_data
            try:
                referral = services.create_referral(
                    by=request.user, victim=victim, service=service, provider=d["provider"], urgency=d["urgency"],
                    note=d["note"], consent_given=d["consent_given"], consent_date=d["consent_date"],
                    consent_given_by=d["consent_given_by"], consent_decided_by=d["consent_decided_by"],
                    send="send" in request.POST, request=request,
                )
            except services.ReferralNotAllowed as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Referral recorded: %(status)s.") % {
                    "status": referral.get_status_display()})
                return redirect("referral_detail", pk=referral.pk)
        status = 400
    return render(request, "referrals/referral_form.html", {
        "victim": victim, "incident": incident, "service": Service(service), "form": form,
        "no_providers": not providers,
    }, status=status)


def _detail_context(request, referral, **forms):
    user = request.user
    focal = _is_focal(user)
    referrer = not focal and access.can_refer(user)
    targets = services.allowed_targets(user, referral)
    context = {
        "referral": referral,
        "focal": focal,
        "referrer": referrer,
        # Once the consent is withdrawn nothing more goes out to the provider.
        "show_note": not (focal and referral.consent_withdrawn_at),
        # PEP and emergency-contraception windows, for a recent MEDICAL referral.
        "deadlines": None if referral.consent_withdrawn_at else medical_deadlines(referral),
        "status_form": forms.get("status_form") or (
            StatusForm(targets=targets, initial={"version": referral.version}) if targets else None),
    }
    if referrer:
        context.update({
            "history": referral.history.select_related("changed_by"),
            "follow_ups": referral.follow_ups.select_related("recorded_by"),
            "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
            "withdraw_form": (forms.get("withdraw_form") or WithdrawForm()) if not referral.consent_withdrawn_at
            else None,
            "consent_form": (forms.get("consent_form") or ConsentForm())
            if referral.status == ReferralStatus.PROPOSED and not referral.consent_given else None,
        })
    return context


def _render_detail(request, referral, status=200, **forms):
    # Every rendering shows the referral, error pages included, so every one is a recorded read.
    audit.record("referral.view", request=request, obj=referral,
                 detail={"status": referral.status, "victim": referral.victim.code})
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral, **forms),
                  status=status)


def _get(request, pk):
    return get_object_or_404(_visible(request.user).select_related("incident", "referred_by"), pk=pk)


@login_required
def referral_detail(request, pk):
    referral = _get(request, pk)
    return _render_detail(request, referral)


@login_required
@require_POST
def referral_status(request, pk):
    referral = _get(request, pk)
    targets = services.allowed_targets(request.user, referral)
    form = StatusForm(request.POST, targets=targets)
    if form.is_valid():
        try:
            services.change_status(referral, by=request.user, to=form.cleaned_data["to"],
                                   reason=form.cleaned_data["reason"],
                                   expected_version=form.cleaned_data["version"], request=request)
        except services.ReferralConflict as error:
            messages.error(request, str(error))
            return redirect("referral_detail", pk=referral.pk)
        except services.ReferralNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Status changed."))
            return redirect("referral_detail", pk=referral.pk)
    return _render_detail(request, referral, status=400, status_form=form)


@login_required
@require_POST
def referral_follow_up(request, pk):
    referral = _get(request, pk)
    if not services.is_referrer_side(request.user, referral):
        raise Http404
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.add_follow_up(referral, by=request.user, request=request, **form.cleaned_data)
        except services.ReferralNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("referral_detail", pk=referral.pk)
    return _render_detail(request, referral, status=400, follow_up_form=form)


@login_required
@require_POST
def referral_withdraw(request, pk):
    referral = _get(request, pk)
    if not services.is_referrer_side(request.user, referral):
        raise Http404
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_consent(referral, by=request.user, date=form.cleaned_data["date"], request=request)
        except services.ReferralNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Consent withdrawal recorded; the referral has stopped."))
            return redirect("referral_detail", pk=referral.pk)
    return _render_detail(request, referral, status=400, withdraw_form=form)


@login_required
@require_POST
def referral_consent(request, pk):
    referral = _get(request, pk)
    if not services.is_referrer_side(request.user, referral):
        raise Http404
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_consent(referral, by=request.user, date=form.cleaned_data["date"],
                                    given_by=form.cleaned_data["given_by"],
                                    decided_by=form.cleaned_data["decided_by"], request=request)
        except (services.ReferralNotAllowed, services.ReferralConflict) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Consent recorded; the referral can now be sent."))
            return redirect("referral_detail", pk=referral.pk)
    return _render_detail(request, referral, status=400, consent_form=form)

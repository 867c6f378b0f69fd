"""Provider directory (list, create, edit) and the service gaps by area."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import providers as directory
from .models import Provider
from .provider_forms import ProviderForm


@login_required
@require_GET
def provider_list(request):
    if not directory.can_read_directory(request.user):
        raise PermissionDenied
    return render(request, "referrals/provider_list.html", {
        "providers": directory.providers_of(request.user),
        "show_contact": directory.sees_contact(request.user),
        "can_manage": directory.can_manage_providers(request.user),
        "can_read_gaps": directory.can_read_gaps(request.user),
    })


def _form_page(request, form, provider=None, status=200):
    return render(request, "referrals/provider_form.html", {"form": form, "provider": provider}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def provider_create(request):
    if not directory.can_manage_providers(request.user):
        raise PermissionDenied
    mission = request.user.mission
    form = ProviderForm(request.POST or None, instance=Provider(mission=mission), mission=mission)
    if request.method == "POST":
        if not form.is_valid():
            return _form_page(request, form, status=400)
        directory.save_provider(form, by=request.user, request=request)
        messages.success(request, _("Provider added to the directory."))
        return redirect("provider_list")
    return _form_page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, pk):
    if not directory.can_manage_providers(request.user):
        raise PermissionDenied
    provider = get_object_or_404(Provider.objects.filter(mission_id=request.user.mission_id), pk=pk)
    form = ProviderForm(request.POST or None, instance=provider, mission=request.user.mission)
    if request.method == "POST":
        if not form.is_valid():
            return _form_page(request, form, provider, status=400)
        directory.save_provider(form, by=request.user, request=request)
        messages.success(request, _("Provider updated."))
        return redirect("provider_list")
    return _form_page(request, form, provider)


@login_required
@require_GET
def service_gaps(request):
    if not directory.can_read_gaps(request.user):
        raise PermissionDenied
    return render(request, "referrals/service_gaps.html", {
        "rows": directory.service_gaps(request.user),
        "window": directory.gap_window(timezone.localdate()),
    })

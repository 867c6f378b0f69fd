"""Handover pages: a duty station's open work, and giving an officer's share of it to another.

The station's officers (WPA, HRO) and the SWPA only; other roles get 403, a station outside the
person's scope 404. Rules: lifecycle/handover.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from crsv_mis import access, audit
from crsv_mis.models import User

from . import handover
from .forms import HandoverConfirmForm, HandoverForm


def _require_viewer(user):
    if not access.can_view_handovers(user):
        raise PermissionDenied


def _station(request, code):
    _require_viewer(request.user)
    return get_object_or_404(access.handover_stations_for(request.user), code=code)


def _form(request, station, form_class=HandoverForm, data=None, initial=None):
    return form_class(data, initial=initial, outgoing=handover.outgoing_choices(request.user, station),
                      mission_users=User.objects.filter(mission_id=station.mission_id),
                      eligible=handover.incoming_choices(station))


@login_required
@require_GET
def handover_home(request):
    _require_viewer(request.user)
    stations = list(access.handover_stations_for(request.user))
    if len(stations) == 1:
        return redirect("handover_station", stations[0].code)
    return render(request, "lifecycle/handover_home.html", {"stations": stations})


def _station_page(request, station, form, status=200):
    work = handover.open_work(request.user, station)
    # The page names records (references, survivors' codes): reading it is recorded like a list.
    audit.record("handover.view", request=request, obj=station,
                 detail={kind: len(items) for kind, items in work.items()})
    return render(request, "lifecycle/handover.html", {"station": station, "work": work, "form": form},
                  status=status)


@login_required
@require_GET
def handover_station(request, code):
    station = _station(request, code)
    initial = {"outgoing": request.user.pk} if request.user.role != access.Role.SWPA else None
    return _station_page(request, station, _form(request, station, initial=initial))


def _checked(request, station, form):
    """(outgoing, incoming) of a valid form the rules allow, else None with the reason on the form."""
    if not form.is_valid():
        return None
    outgoing, incoming = form.cleaned_data["outgoing"], form.cleaned_data["incoming"]
    reason = handover.refusal(request.user, station, outgoing, incoming)
    if reason:
        form.add_error(None, reason)
        return None
    return outgoing, incoming


@login_required
@require_POST
def handover_preview(request, code):
    station = _station(request, code)
    form = _form(request, station, data=request.POST)
    people = _checked(request, station, form)
    if people is None:
        return _station_page(request, station, form, status=400)
    outgoing, incoming = people
    counts, fingerprint = handover.preview(request.user, station, outgoing, incoming)
    confirm = _form(request, station, HandoverConfirmForm, initial={
        "outgoing": outgoing.pk, "incoming": incoming.pk, "fingerprint": fingerprint})
    return render(request, "lifecycle/handover_preview.html", {
        "station": station, "outgoing": outgoing, "incoming": incoming, "counts": counts,
        "total": sum(counts.values()), "form": confirm})


@login_required
@require_POST
def handover_confirm(request, code):
    station = _station(request, code)
    form = _form(request, station, HandoverConfirmForm, data=request.POST)
    people = _checked(request, station, form)
    if people is None:
        return _station_page(request, station, form, status=400)
    outgoing, incoming = people
    try:
        result = handover.reassign(by=request.user, station=station, outgoing=outgoing, incoming=incoming,
                                   expected_fingerprint=form.cleaned_data["fingerprint"], request=request)
    except handover.HandoverRefused as refused:
        messages.error(request, str(refused))
        return redirect("handover_station", station.code)
    messages.success(request, ngettext(
        "%(n)d item handed over from %(from)s to %(to)s.", "%(n)d items handed over from %(from)s to %(to)s.",
        result.total) % {"n": result.total, "from": outgoing.username, "to": incoming.username})
    return redirect("handover_station", station.code)


import sys
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import defaults, i18n
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from . import access, audit, audit_trail, languages, notify, roles, second_factor, tour
from .forms import TokenForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("auth.login_password", request=self.request)
        if settings.REQUIRE_2FA:
            return redirect(f"{reverse('otp_verify')}?{urlencode({'next': self.get_success_url()})}")
        audit.record("auth.login", request=self.request, detail={"second_factor": False})
        return response


@require_POST
def set_language(request):
    """Django's set_language (the cookie, back to `next`); a signed-in person's choice is also saved
    on their account, so the next sign-in, on any device, opens in it."""
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        languages.save_choice(request.user, request.POST.get("language"), request=request)
    return response


def _qr_svg(url):
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Second step of login; on the first login it enrols a TOTP device with a QR code, its secret
    made for this session and shown once (crsv_mis/second_factor.py)."""
    if request.user.is_verified():
        return redirect("home")
    device = second_factor.confirmed_device(request.user)
    enrolling = device is None
    form = TokenForm(request.POST or None)
    new_secret = False
    if enrolling:
        device = second_factor.shown_device(request) if request.method == "POST" else None
        if device is None:
            if request.method == "POST":
                form.is_valid()
                form.add_error(None, _("The key was replaced by a newer one. Scan this new key, then enter its code."))
            device, new_secret = second_factor.start(request), True
    if request.method == "POST" and not new_secret and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many wrong codes in a row. Wait a few seconds, then try the new code."))
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                second_factor.confirm(request, device)
                audit.record("auth.2fa_enrolled", request=request)
            otp_login(request, device)
            audit.record("auth.login", request=request)
            return redirect(_safe_next(request) or "home")
        else:
            audit.record("auth.2fa_failed", request=request)
            form.add_error("token", _("That code is not valid. Wait for the next code and try again."))
    context = {"form": form, "enrolling": enrolling}
    if new_secret:
        context["qr_svg"] = _qr_svg(device.config_url)
        context["secret"] = second_factor.secret_text(device)
    return render(request, "registration/otp.html", context)


def _safe_next(request):
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit.record("auth.logout", request=request)
        messages.info(request, _("You are signed out."))
        return super().post(request, *args, **kwargs)


@login_required
def home(request):
    first_tour = tour.first_visit(request.user)
    if access.can_read_released_reports(request.user) and not access.can_read_report_drafts(request.user):
        # Leadership reads figures only: the released reports and the trends come first.
        return render(request, "reporting/leadership_home.html", {"tour": first_tour})
    return render(request, "crsv_mis/home.html", {
        "layer": access.record_layer(request.user),
        "can_record": access.can_record_incidents(request.user),
        "tour": first_tour,
    })


@login_required
def help_index(request):
    return render(request, "crsv_mis/help.html", {"can_record": access.can_record_incidents(request.user)})


@login_required
def tour_page(request):
    """The tour of the person's role, whenever they want it again."""
    return render(request, "crsv_mis/tour.html", {"tour": tour.steps_for(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def role_requests(request):
    """The SWPA approves or declines the data roles asked for in their mission."""
    if not roles.can_approve(request.user):
        raise PermissionDenied
    pending = roles.pending_for(request.user)
    if request.method == "POST":
        chosen = request.POST.get("grant", "")
        grant = pending.filter(pk=chosen).first() if chosen.isdigit() else None
        decide = {"approve": roles.approve, "decline": roles.decline}.get(request.POST.get("decision"))
        if grant is None or decide is None:
            return render(request, "crsv_mis/role_requests.html", {"pending": pending}, status=400)
        try:
            decide(grant, by=request.user, request=request)
        except ValueError as refusal:
            messages.error(request, str(refusal))
        return redirect("role_requests")
    return render(request, "crsv_mis/role_requests.html", {"pending": pending})


NOTIFICATIONS_PAGE_SIZE = 50


def _is_local_path(url):
    # Notification links are paths of this site; anything else is not followed.
    return bool(url) and url.startswith("/") and not url.startswith("//")


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The person's own in-app notifications; POST marks one (id) or all of them read, or marks one
    read and goes to the page it asks to act on (open)."""
    mine = request.user.notifications.all()
    if request.method == "POST":
        if request.POST.get("open", "").isdigit():
            target = mine.filter(pk=request.POST["open"]).first()
            if target is not None:
                notify.mark_read(mine.filter(pk=target.pk))
                if _is_local_path(target.url):
                    return redirect(target.url)
            return redirect("notifications")
        unread = mine
        if request.POST.get("id", "").isdigit():
            unread = unread.filter(pk=request.POST["id"])
        elif "all" not in request.POST:
            unread = unread.none()
        notify.mark_read(unread)
        return redirect("notifications")
    page = Paginator(mine, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "crsv_mis/notifications.html", {"page": page})


AUDIT_PAGE_SIZE = 50


@login_required
def audit_trail_page(request):
    if not access.can_read_audit_trail(request.user):
        raise PermissionDenied
    filterset, events = audit_trail.filtered(request.user, request.GET)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    audit_trail.record_view(request, request.GET, page=page.number, count=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "crsv_mis/audit_trail.html", {
        "filter": filterset, "page": page, "query": query.urlencode(),
        "rows": [(event, audit_trail.detail_text(event.detail)) for event in audit_trail.shown(page)],
    })


@login_required
def audit_export(request):
    if not access.can_read_audit_trail(request.user):
        raise PermissionDenied
    _filterset, events = audit_trail.filtered(request.user, request.GET)
    audit_trail.record_export(request, request.GET)
    response = StreamingHttpResponse(audit_trail.csv_lines(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


def page_not_found(request, exception):
    """An address under /api/ that matches no route answers in JSON, like every API answer (a script
    reading the API gets no HTML page); elsewhere, the site's own 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """The 500 page, or the 503 page when the database is out of reach (restarting, failed over,
    connections exhausted). Rendered without the request's context, like Django's own: a context
    processor would query the database that just failed.

    The page cannot say whether what was being saved was saved: a failure at the commit, or after
    it (the session is saved last), leaves that unknown. Each write is one transaction, so it is
    saved whole or not at all; the page says to check before entering it again."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())

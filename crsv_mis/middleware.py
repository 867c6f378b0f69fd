import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

# Reachable after the password step, before the second factor.
OPEN_PATHS = ("/accounts/", "/static/", "/i18n/")


class SecondFactorRequiredMiddleware:
    """With REQUIRE_2FA, a password-only session reaches nothing but the 2FA pages.

    API calls with a token are authenticated later by DRF and are not affected:
    the token is issued to an account that already enrolled a device.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(OPEN_PATHS)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Two-factor verification required.")}, status=401)
            return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


# The query a page's own reload carries (templates/auto_refresh.html): not a request the person made.
AUTOMATIC_REFRESH = ("refresh", "auto")
LAST_ACTIVITY = "crsv_last_activity"


class IdleSessionMiddleware:
    """A session ends SESSION_IDLE_SECONDS after the last request its person made.

    The stored session's own expiry is renewed by every request, the automatic ones included: a
    progress page left open on a job that never ends would keep it alive for good. So the last
    request that was not a page's own reload is kept in the session, and the session ends once
    it is older than the limit, whatever came since. Placed after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last >= settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif last is None or request.GET.get(AUTOMATIC_REFRESH[0]) != AUTOMATIC_REFRESH[1]:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in person's saved language wins over the cookie and the browser, so it follows them
    to any device. Before sign-in, Django's LocaleMiddleware (cookie, then Accept-Language) decides.

    The cookie is set to the saved language too, so the sign-in page after signing out speaks it.
    Placed after AuthenticationMiddleware; API calls with a token are authenticated later by DRF
    and keep the language of their Accept-Language header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        language = user.language if user.is_authenticated and user.language in dict(settings.LANGUAGES) else None
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != user.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE)
        return response

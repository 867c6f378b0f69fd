from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

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
                return JsonResponse({"detail": "Two-factor verification required."}, status=401)
            return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

from django.conf import settings

from crsv_mis import access

from .retention import is_retention_officer


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or (settings.REQUIRE_2FA and not user.is_verified()):
        return {}
    return {"nav_retention": is_retention_officer(user), "nav_handover": access.can_view_handovers(user)}

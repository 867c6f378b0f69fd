from django.conf import settings

from . import access
from .models import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if settings.REQUIRE_2FA and not user.is_verified():
        # Between the password and the code: nothing to navigate to yet.
        return {"nav_pending_2fa": True}
    return {
        "nav_can_record": access.can_record_incidents(user),
        "nav_can_list": access.record_layer(user) is not None,
        "nav_is_admin": user.role == Role.ADMIN,
        "nav_role_label": Role(user.role).label if user.role in Role.values else "",
    }

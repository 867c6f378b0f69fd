from . import access
from .models import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_can_record": access.can_record_incidents(user),
        "nav_can_list": access.record_layer(user) is not None,
        "nav_is_admin": user.role == Role.ADMIN,
        "nav_role_label": Role(user.role).label if user.role in Role.values else "",
    }

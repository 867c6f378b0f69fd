from crsv_mis import access
from crsv_mis.context_processors import second_factor_pending

from .retention import is_retention_officer


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or second_factor_pending(user):
        return {}
    return {"nav_retention": is_retention_officer(user), "nav_handover": access.can_view_handovers(user)}

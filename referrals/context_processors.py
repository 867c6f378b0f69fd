from crsv_mis import access
from crsv_mis.context_processors import second_factor_pending
from crsv_mis.models import Role

from .providers import can_read_directory


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or second_factor_pending(user):
        return {}
    return {
        "nav_referrals": access.can_refer(user) or user.role == Role.REFERRAL_FOCAL_POINT,
        "nav_providers": can_read_directory(user),
    }

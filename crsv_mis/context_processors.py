from django.conf import settings

from . import access, roles
from .models import Role


def second_factor_pending(user):
    """Whether the menus wait for the second factor. A user signed in by an API token on one of DRF's
    HTML pages (the API docs) never went through OTPMiddleware and has no is_verified: the menus are
    the browser session's, so none for them either."""
    return settings.REQUIRE_2FA and not getattr(user, "is_verified", lambda: False)()


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if second_factor_pending(user):
        # Between the password and the code: nothing to navigate to yet.
        return {"nav_pending_2fa": True}
    return {
        "nav_can_record": access.can_record_incidents(user),
        "nav_can_list": access.record_layer(user) is not None,
        "nav_can_import": access.can_import_incidents(user),
        "nav_is_admin": user.role == Role.ADMIN,
        # The SWPA approves data roles and archives that an administrator asks for.
        "nav_approvals": roles.can_approve(user),
        "nav_role_label": Role(user.role).label if user.role in Role.values else "",
        "nav_can_report_alert": access.can_submit_alerts(user),
        "nav_can_list_alerts": access.can_list_alerts(user),
        # Leadership and the MARA have no alert list: the response times are their way in.
        "nav_alert_times": access.can_read_alert_times(user) and not access.can_list_alerts(user),
        "nav_mara": user.role in (Role.MARA_CHAIR, Role.MARA_MEMBER, Role.SWPA),
        # The MARA room reads every count; leadership reads the same page with small cells suppressed.
        "nav_dashboard": access.can_read_aggregates(user),
        # Quarterly reports: the MARA room's list of every version, or leadership's released reports.
        "nav_reports": ("all" if access.can_read_report_drafts(user)
                        else "released" if access.can_read_released_reports(user) else ""),
        "nav_disclosures": access.can_request_disclosures(user),  # requests to disclose to outside bodies
        "nav_audit_trail": access.can_read_audit_trail(user),
        "nav_unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api, views

# Database errors get a page of their own (503) instead of the generic one.
handler500 = "crsv_mis.views.server_error"
handler404 = "crsv_mis.views.page_not_found"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/2fa/", views.otp_verify, name="otp_verify"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("incidents/", include("incidents.urls")),
    path("alerts/", include("incidents.alert_urls")),
    path("notifications/", views.notifications, name="notifications"),
    path("accounts/role-requests/", views.role_requests, name="role_requests"),
    path("audit/", views.audit_trail_page, name="audit_trail"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("help/", views.help_index, name="help"),
    path("help/tour/", views.tour_page, name="tour"),
    path("help/", include("incidents.guide_urls")),
    # The trends dashboard is the MARA room's page, built on the reporting app's rollup.
    path("mara/dashboard/", include("reporting.urls_dashboard")),
    path("mara/", include("mara.urls")),
    path("referrals/", include("referrals.urls")),
    path("reports/", include("reporting.urls")),
    path("retention/", include("lifecycle.urls")),
    path("handover/", include("lifecycle.urls_handover")),
    path("api/v1/stats/", include("reporting.api_urls")),
    path("api/v1/", include("referrals.api_urls")),
    path("api/v1/", include("incidents.api_urls")),
    path("api/v1/audit-events/", api.AuditEventViewSet.as_view({"get": "list"}), name="audit-event-list"),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("django-admin/", admin.site.urls),
]

# Each area keeps its own URL module.
from django.urls import include, path  # noqa: F401

urlpatterns = [
    path("providers/", include("referrals.urls_providers")),
    path("", include("referrals.urls_referrals")),
]

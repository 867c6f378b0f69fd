from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import ReferralStatsView, ReferralViewSet

router = DefaultRouter()
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    path("stats/referrals/", ReferralStatsView.as_view(), name="stats-referrals"),
    *router.urls,
]

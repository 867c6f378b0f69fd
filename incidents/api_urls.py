from rest_framework.routers import DefaultRouter

from .api import IncidentViewSet, LocationViewSet, PartyViewSet

router = DefaultRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("parties", PartyViewSet, basename="party")
router.register("locations", LocationViewSet, basename="location")

urlpatterns = router.urls

from django.urls import path

from . import guide_views

urlpatterns = [
    path("consent/", guide_views.consent, name="guide_consent"),
    path("crsv/", guide_views.crsv, name="guide_crsv"),
]

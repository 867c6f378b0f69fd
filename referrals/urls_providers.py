from django.urls import path

from . import provider_views

urlpatterns = [
    path("", provider_views.provider_list, name="provider_list"),
    path("new/", provider_views.provider_create, name="provider_create"),
    path("<int:pk>/edit/", provider_views.provider_edit, name="provider_edit"),
    path("gaps/", provider_views.service_gaps, name="service_gaps"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_create, name="incident_create"),
    path("archive/", views.incident_archive, name="incident_archive"),
    path("<str:reference>/", views.incident_detail, name="incident_detail"),
    path("<str:reference>/edit/", views.incident_edit, name="incident_edit"),
]

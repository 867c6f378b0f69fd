from django.urls import path

from . import handover_views as views

urlpatterns = [
    path("", views.handover_home, name="handover_home"),
    path("<slug:code>/", views.handover_station, name="handover_station"),
    path("<slug:code>/preview/", views.handover_preview, name="handover_preview"),
    path("<slug:code>/confirm/", views.handover_confirm, name="handover_confirm"),
]

from django.urls import path

from mara.views import dashboard

urlpatterns = [
    path("", dashboard.dashboard, name="mara_dashboard"),
]

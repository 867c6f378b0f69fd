from django.urls import path

from mara.views import home

urlpatterns = [
    path("", home.mara_home, name="mara_home"),
]

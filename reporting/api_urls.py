from django.urls import path

from .api import TrendsView

urlpatterns = [
    path("trends/", TrendsView.as_view(), name="stats-trends"),
]

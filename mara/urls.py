# Each area of the working group keeps its own URL module; add one include per area.
from django.urls import include, path  # noqa: F401

urlpatterns = [
]

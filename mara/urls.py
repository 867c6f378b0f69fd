# Each area of the working group keeps its own URL module.
from django.urls import include, path

urlpatterns = [
]

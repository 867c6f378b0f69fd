from django.urls import path

from .views import commitments

urlpatterns = [
    path("", commitments.commitment_list, name="commitment_list"),
    path("new/", commitments.commitment_create, name="commitment_create"),
    path("<int:pk>/", commitments.commitment_detail, name="commitment_detail"),
    path("<int:pk>/edit/", commitments.commitment_edit, name="commitment_edit"),
    path("<int:pk>/reviews/", commitments.commitment_review, name="commitment_review"),
]

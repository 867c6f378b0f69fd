from django.urls import path

from .views import review

urlpatterns = [
    path("", review.review_queue, name="mara_review"),
    # Before <reference>/: "verifiers" is never an incident reference, but keep the order explicit.
    path("verifiers/", review.verifiers, name="mara_verifiers"),
    path("verifiers/change/", review.verifier_change, name="mara_verifier_change"),
    path("<str:reference>/", review.review_decision, name="mara_review_decision"),
]

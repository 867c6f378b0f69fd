# Each area of the working group keeps its own URL module.
from django.urls import include, path

urlpatterns = [
    path("", include("mara.urls_home")),
    path("review/", include("mara.urls_review")),
    path("meetings/", include("mara.urls_meetings")),
    path("analysis/", include("mara.urls_analysis")),
    path("recommendations/", include("mara.urls_recommendations")),
    path("commitments/", include("mara.urls_commitments")),
]

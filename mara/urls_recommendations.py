from django.urls import path

from mara.views import recommendations

urlpatterns = [
    path("", recommendations.recommendation_list, name="recommendation_list"),
    path("new/", recommendations.recommendation_create, name="recommendation_create"),
    path("<int:pk>/", recommendations.recommendation_detail, name="recommendation_detail"),
    path("<int:pk>/edit/", recommendations.recommendation_edit, name="recommendation_edit"),
]

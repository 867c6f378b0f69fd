from django.urls import path

from mara.views import meetings

urlpatterns = [
    path("", meetings.meeting_list, name="meeting_list"),
    path("new/", meetings.meeting_create, name="meeting_create"),
    path("<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("actions/<int:pk>/status/", meetings.action_point_status, name="action_point_status"),
]

from django.urls import path

from . import alert_views

urlpatterns = [
    path("", alert_views.alert_list, name="alert_list"),
    path("new/", alert_views.alert_create, name="alert_create"),
    path("response-times/", alert_views.alert_response_times, name="alert_response_times"),
    path("<str:reference>/", alert_views.alert_detail, name="alert_detail"),
    path("<str:reference>/acknowledge/", alert_views.alert_acknowledge, name="alert_acknowledge"),
    path("<str:reference>/respond/", alert_views.alert_respond, name="alert_respond"),
    path("<str:reference>/close/", alert_views.alert_close, name="alert_close"),
]

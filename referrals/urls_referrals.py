from django.urls import path

from . import views

urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("new/", views.referral_create, name="referral_create"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/status/", views.referral_status, name="referral_status"),
    path("<int:pk>/follow-up/", views.referral_follow_up, name="referral_follow_up"),
    path("<int:pk>/consent/", views.referral_consent, name="referral_consent"),
    path("<int:pk>/withdraw-consent/", views.referral_withdraw, name="referral_withdraw"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("", views.plan, name="retention_plan"),
    path("periods/", views.periods, name="retention_periods"),
    path("holds/", views.holds, name="retention_holds"),
    path("holds/<int:pk>/lift/", views.lift, name="retention_lift"),
    path("runs/", views.runs, name="retention_runs"),
]

from django.urls import path

from .views import reports as views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("generate/", views.report_generate, name="report_generate"),
    path("jobs/<int:pk>/", views.report_job, name="report_job"),
    path("jobs/<int:pk>/retry/", views.report_job_retry, name="report_job_retry"),
    path("released/", views.report_released, name="report_released"),
    path("sg-annual/", views.sg_annual, name="sg_annual"),
    path("deidentified/", views.deidentified_export, name="deidentified_export"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("<int:pk>/return/", views.report_return, name="report_return"),
    path("<int:pk>/release/", views.report_release, name="report_release"),
    path("<int:pk>/download/<slug:edition>/<slug:fmt>/", views.report_download, name="report_download"),
]

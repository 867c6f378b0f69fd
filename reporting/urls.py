from django.urls import path

from .views import disclosures
from .views import reports as views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("generate/", views.report_generate, name="report_generate"),
    path("jobs/<int:pk>/", views.report_job, name="report_job"),
    path("jobs/<int:pk>/retry/", views.report_job_retry, name="report_job_retry"),
    path("released/", views.report_released, name="report_released"),
    path("sg-annual/", views.sg_annual, name="sg_annual"),
    path("deidentified/", views.deidentified_export, name="deidentified_export"),
    path("disclosures/", disclosures.disclosure_list, name="disclosure_list"),
    path("disclosures/new/", disclosures.disclosure_new, name="disclosure_new"),
    path("disclosures/<int:pk>/", disclosures.disclosure_detail, name="disclosure_detail"),
    path("disclosures/<int:pk>/approve/", disclosures.disclosure_approve, name="disclosure_approve"),
    path("disclosures/<int:pk>/refuse/", disclosures.disclosure_refuse, name="disclosure_refuse"),
    path("disclosures/<int:pk>/cancel/", disclosures.disclosure_cancel, name="disclosure_cancel"),
    path("disclosures/<int:pk>/send/", disclosures.disclosure_send, name="disclosure_send"),
    path("disclosures/<int:pk>/download/", disclosures.disclosure_download, name="disclosure_download"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/approve/", views.report_approve, name="report_approve"),
    path("<int:pk>/return/", views.report_return, name="report_return"),
    path("<int:pk>/release/", views.report_release, name="report_release"),
    path("<int:pk>/download/<slug:edition>/<slug:fmt>/", views.report_download, name="report_download"),
]

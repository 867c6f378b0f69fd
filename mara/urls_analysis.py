from django.urls import path, re_path

from mara.views import analysis

MONTH = r"(?P<month>\d{4}-\d{2})"

urlpatterns = [
    path("", analysis.analysis_list, name="analysis_list"),
    re_path(rf"^{MONTH}/$", analysis.analysis_month, name="analysis_month"),
    re_path(rf"^{MONTH}/endorse/$", analysis.analysis_endorse, name="analysis_endorse"),
    re_path(rf"^{MONTH}/reopen/$", analysis.analysis_reopen, name="analysis_reopen"),
    re_path(rf"^{MONTH}/r/(?P<revision>[0-9]+)/$", analysis.analysis_revision, name="analysis_revision"),
]

from django.urls import path

from . import draft_views, import_views, views

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("new/", views.incident_create, name="incident_create"),
    path("archive/", views.incident_archive, name="incident_archive"),
    path("archive/requests/", views.incident_archive_requests, name="incident_archive_requests"),
    path("drafts/", draft_views.draft_list, name="intake_drafts"),
    path("drafts/save/", draft_views.draft_save, name="intake_draft_save"),
    path("drafts/<int:pk>/discard/", draft_views.draft_discard, name="intake_draft_discard"),
    path("import/", import_views.import_upload, name="incident_import"),
    path("import/template.<str:fmt>", import_views.import_template, name="incident_import_template"),
    path("import/<int:pk>/", import_views.import_detail, name="incident_import_detail"),
    path("import/<int:pk>/choose/", import_views.import_choose, name="incident_import_choose"),
    path("import/<int:pk>/to-fix.xlsx", import_views.import_fix_file, name="incident_import_fix_file"),
    path("import/<int:pk>/discard/", import_views.import_discard, name="incident_import_discard"),
    path("import/<int:pk>/retry/", import_views.import_retry, name="incident_import_retry"),
    path("<str:reference>/", views.incident_detail, name="incident_detail"),
    path("<str:reference>/edit/", views.incident_edit, name="incident_edit"),
]

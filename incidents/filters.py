"""Incident filters, shared by the list page and the API so both answer alike."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crsv_mis.models import Location, LocationLevel, Mission

from .choices import CrsvFormCode, VerificationStatus
from .models import Incident, Party


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=VerificationStatus.choices, label=_("Verification status"))
    form = django_filters.ChoiceFilter(
        choices=CrsvFormCode.choices, field_name="forms__code", label=_("Form of CRSV"), distinct=False
    )
    date_from = django_filters.DateFilter(
        field_name="incident_date", lookup_expr="gte", label=pgettext_lazy("start of a date range", "From"))
    date_to = django_filters.DateFilter(
        field_name="incident_date", lookup_expr="lte", label=pgettext_lazy("end of a date range", "To"))
    admin1 = django_filters.ModelChoiceFilter(
        queryset=Location.objects.filter(level=LocationLevel.ADMIN1), label=_("Province / region")
    )
    admin2 = django_filters.ModelChoiceFilter(
        queryset=Location.objects.filter(level=LocationLevel.ADMIN2), label=_("Territory")
    )
    party = django_filters.ModelChoiceFilter(
        queryset=Party.objects.all(), field_name="perpetrators__party", label=_("Party"), distinct=False
    )
    # Every incident written by one import of a file (the import page links here).
    source_import = django_filters.NumberFilter(label=_("Import number"))
    sort = django_filters.OrderingFilter(
        fields=(("reference", "reference"), ("incident_date", "incident_date"),
                ("reported_date", "reported_date"), ("status", "status")),
        field_labels={"reference": _("Reference"), "-reference": _("Reference, last first"),
                      "incident_date": _("Incident date"), "-incident_date": _("Incident date, newest first"),
                      "reported_date": _("Date reported"), "-reported_date": _("Date reported, newest first"),
                      "status": _("Verification status"), "-status": _("Verification status, reversed")},
        label=_("Sort by"),
    )

    class Meta:
        model = Incident
        fields = ["status", "form", "date_from", "date_to", "admin1", "admin2", "party", "source_import"]

    def __init__(self, *args, mission_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mission_id is None and self.request is not None:
            mission_id = getattr(self.request.user, "mission_id", None)
        self.filters["party"].queryset = Party.objects.filter(mission_id=mission_id)
        country = Mission.objects.filter(pk=mission_id).values("country")
        self.filters["admin1"].queryset = Location.objects.filter(level=LocationLevel.ADMIN1, parent__in=country)
        self.filters["admin2"].queryset = Location.objects.filter(
            level=LocationLevel.ADMIN2, admin1__parent__in=country).select_related("admin1")

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Joins through forms or perpetrators can repeat a row; ids keep the page query simple.
        if any(self.form.cleaned_data.get(k) for k in ("form", "party")):
            queryset = queryset.filter(pk__in=queryset.values("pk"))
        return queryset

# Incidents, victims, consents and alerts are deliberately absent from the Django admin:
# administrators manage reference data and must never read survivor data.
from django.contrib import admin

from crsv_mis.admin import ReferenceDataAdmin

from .models import AlertIndicator, Party, PartyAlias


class PartyAliasInline(admin.TabularInline):
    model = PartyAlias
    extra = 1


@admin.register(Party)
class PartyAdmin(ReferenceDataAdmin):
    list_display = ["name", "party_type", "listed_in_sg_annex", "active", "mission"]
    list_filter = ["party_type", "listed_in_sg_annex", "active"]
    search_fields = ["name", "aliases__name"]
    inlines = [PartyAliasInline]


@admin.register(AlertIndicator)
class AlertIndicatorAdmin(ReferenceDataAdmin):
    """Each mission's early-warning indicators. Deactivate rather than delete: alerts refer to them."""

    list_display = ["label", "code", "active", "mission"]
    list_filter = ["active"]
    search_fields = ["label", "code"]

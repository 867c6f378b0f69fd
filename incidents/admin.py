# Incidents, victims and consents are deliberately absent from the Django admin:
# administrators manage reference data and must never read survivor data.
from django.contrib import admin

from crsv_mis.admin import ReferenceDataAdmin

from .models import Party, PartyAlias


class PartyAliasInline(admin.TabularInline):
    model = PartyAlias
    extra = 1


@admin.register(Party)
class PartyAdmin(ReferenceDataAdmin):
    list_display = ["name", "party_type", "listed_in_sg_annex", "active", "mission"]
    list_filter = ["party_type", "listed_in_sg_annex", "active"]
    search_fields = ["name", "aliases__name"]
    inlines = [PartyAliasInline]

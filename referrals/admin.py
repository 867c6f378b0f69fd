from django.contrib import admin

from crsv_mis import audit
from crsv_mis.admin import ReferenceDataAdmin, is_mission_admin

from .models import Provider, ProviderService


class ProviderServiceInline(admin.TabularInline):
    model = ProviderService
    extra = 0

    # The inline follows the provider's admin (whose queryset keeps it to the mission).
    def _is_admin(self, request):
        return is_mission_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False  # set it inactive instead


@admin.register(Provider)
class ProviderAdmin(ReferenceDataAdmin):
    """The ADMIN manages the directory, contacts included: they are the provider's, not a survivor's."""

    list_display = ["name", "provider_type", "mission", "available"]
    list_filter = ["provider_type", "available"]
    search_fields = ["name"]
    filter_horizontal = ["areas", "focal_points"]
    inlines = [ProviderServiceInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record("provider.change" if change else "provider.create", request=request, obj=obj,
                     detail={"fields": sorted(form.changed_data), "via": "admin"})

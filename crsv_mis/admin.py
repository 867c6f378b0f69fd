from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from . import audit
from .models import DutyStation, Location, Mission, Role, User


class ReferenceDataAdmin(admin.ModelAdmin):
    """Accounts and reference data belong to the ADMIN role (no per-model grants to manage)."""

    def _is_admin(self, request):
        return request.user.is_active and (request.user.is_superuser or request.user.role == Role.ADMIN)

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: records refer to these rows


@admin.register(User)
class UserAdmin(ReferenceDataAdmin, BaseUserAdmin):
    list_display = ["username", "role", "mission", "is_active", "last_login"]
    list_filter = ["role", "is_active", "mission"]
    # No superuser, staff or permission flags here: access comes from the role alone.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "language")}),
        ("Role", {"fields": ("role", "mission", "duty_stations", "is_active")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "role", "mission", "duty_stations")}),
    )
    filter_horizontal = ["duty_stations"]

    def user_change_password(self, request, id, form_url=""):
        """Django's password page; a password set here is audited. Django ends the person's other
        sessions by itself: each session keeps a hash of the password it was opened with."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            audit.record("user.password_set", request=request, obj=user, detail={"username": user.username})
        return response

    def save_model(self, request, obj, form, change):
        obj.is_staff = obj.role == Role.ADMIN
        super().save_model(request, obj, form, change)
        audit.record("user.change" if change else "user.create", request=request, obj=obj,
                     detail={"fields": sorted(form.changed_data), "role": obj.role})


@admin.register(Mission)
class MissionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name"]


@admin.register(DutyStation)
class DutyStationAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "mission"]


@admin.register(Location)
class LocationAdmin(ReferenceDataAdmin):
    list_display = ["name", "pcode", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "pcode"]
    raw_id_fields = ["parent"]
    readonly_fields = ["admin1", "admin2"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import DutyStation, Location, Mission, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "mission", "is_active", "last_login"]
    list_filter = ["role", "is_active", "mission"]
    fieldsets = BaseUserAdmin.fieldsets + (("Role", {"fields": ("role", "mission", "duty_stations", "language")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Role", {"fields": ("role", "mission", "duty_stations")}),)
    filter_horizontal = ["duty_stations", "groups", "user_permissions"]


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(DutyStation)
class DutyStationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "mission"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "pcode", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "pcode"]
    raw_id_fields = ["parent"]
    readonly_fields = ["admin1", "admin2"]

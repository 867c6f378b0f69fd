from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.utils.translation import gettext as _

from . import audit, roles
from .models import DutyStation, GrantState, Location, Mission, Role, User


def is_mission_admin(user):
    """An administrator is the administrator of one mission; superuser flags give nothing here."""
    return bool(user.is_active and user.role == Role.ADMIN and user.mission_id is not None)


def in_mission(model, mission_id):
    """The rows of `model` an administrator of `mission_id` may see and pick: their mission's, and
    for the gazetteer the mission's country; a model tied to no mission is shared."""
    if model is Mission:
        return Q(pk=mission_id)
    if model is Location:
        country = Mission.objects.filter(pk=mission_id).values_list("country_id", flat=True).first()
        if country is None:
            return Q(pk__in=[])
        return Q(pk=country) | Q(parent_id=country) | Q(admin1__parent_id=country)
    if any(f.name == "mission" for f in model._meta.get_fields()):
        return Q(mission_id=mission_id)
    return Q()


class ReferenceDataAdmin(admin.ModelAdmin):
    """Accounts and reference data belong to the ADMIN role (no per-model grants to manage), within
    the administrator's own mission: lists, forms' choices and saves never reach another mission."""

    def _is_admin(self, request):
        return is_mission_admin(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not self._is_admin(request):
            return qs.none()
        return qs.filter(in_mission(self.model, request.user.mission_id))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs["queryset"] = self._choices(db_field, request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs["queryset"] = self._choices(db_field, request)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _choices(self, db_field, request):
        model = db_field.related_model
        if not self._is_admin(request):
            return model._default_manager.none()
        return model._default_manager.filter(in_mission(model, request.user.mission_id))

    def save_model(self, request, obj, form, change):
        if any(f.name == "mission" for f in obj._meta.get_fields()):
            obj.mission = request.user.mission
        super().save_model(request, obj, form, change)

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
    list_filter = ["role", "is_active"]
    # No superuser, staff or permission flags here: access comes from the role alone.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "language")}),
        ("Role", {"fields": ("role", "mission", "duty_stations", "is_active", "awaiting_approval")}),
    )
    readonly_fields = ["awaiting_approval"]
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

    @admin.display(description=_("Awaiting approval"))
    def awaiting_approval(self, obj):
        grant = obj.role_grants.filter(state=GrantState.PENDING).last() if obj.pk else None
        return f"{grant.get_role_display()}: {', '.join(s.code for s in grant.duty_stations.all())}" if grant else "-"

    def save_model(self, request, obj, form, change):
        """The form asks; roles.assign decides what applies now and what waits for an SWPA."""
        role, stations = obj.role, form.cleaned_data.pop("duty_stations", [])
        stored = User.objects.get(pk=obj.pk) if change else None
        # Saved first as it was (a new account: no role), so that the model's guard never sees
        # a data role the form merely asks for.
        obj.role, obj.mission = (stored.role, stored.mission) if stored else ("", request.user.mission)
        obj.is_staff = stored.is_staff if stored else False
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        grant = roles.assign(obj, role=role, mission=request.user.mission, duty_stations=stations,
                             by=request.user, request=request)
        audit.record("user.change" if change else "user.create", request=request, obj=obj,
                     detail={"fields": sorted(form.changed_data), "role": obj.role})
        if grant is not None:
            messages.info(request, _("The %(role)s role awaits the approval of an SWPA of the mission.")
                          % {"role": grant.get_role_display()})


@admin.register(Mission)
class MissionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name"]

    def has_add_permission(self, request):
        return False  # an administrator runs their own mission; a new mission is a deployment step


@admin.register(DutyStation)
class DutyStationAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "mission"]
    # A station's mission is its administrator's own: see ReferenceDataAdmin.save_model.
    readonly_fields = ["mission"]


@admin.register(Location)
class LocationAdmin(ReferenceDataAdmin):
    list_display = ["name", "pcode", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "pcode"]
    raw_id_fields = ["parent"]
    readonly_fields = ["admin1", "admin2"]

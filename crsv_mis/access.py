"""The only door to survivor data.

Every queryset of incident or victim data for a person goes through these
helpers. Layers (DOMAIN.md): A identifying, B de-identified, C aggregates.
"""

from django.apps import apps

from .models import Role

LAYER_A = "A"
LAYER_B = "B"
LAYER_C = "C"
NO_ACCESS = None

# Who reads which layer of incident records.
FULL_ACCESS_ROLES = frozenset({Role.WPA, Role.HRO, Role.SWPA})
DEIDENTIFIED_ROLES = frozenset({Role.MARA_CHAIR, Role.MARA_MEMBER})
AGGREGATE_ROLES = frozenset({Role.LEADERSHIP})
INTAKE_ROLES = frozenset({Role.WPA, Role.HRO, Role.SWPA, Role.FIELD_REPORTER})

# Fields that identify a survivor or a place (layer A); never sent below it.
IDENTIFYING_INCIDENT_FIELDS = frozenset({"narrative", "coordinates", "location"})
IDENTIFYING_VICTIM_FIELDS = frozenset({"name", "contact", "previously_interviewed_by"})


def record_layer(user):
    """Which layer of incident records this person may read, or None."""
    if not user or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    if user.role in FULL_ACCESS_ROLES:
        return LAYER_A
    if user.role in DEIDENTIFIED_ROLES:
        return LAYER_B
    return NO_ACCESS


def can_record_incidents(user):
    return bool(user and user.is_authenticated and user.role in INTAKE_ROLES)


def incidents_visible_to(user):
    """Incidents this person may read (any layer). Everything else answers 404."""
    incident_model = apps.get_model("incidents", "Incident")
    layer = record_layer(user)
    if layer is NO_ACCESS or user.mission_id is None:
        return incident_model.objects.none()
    qs = incident_model.objects.filter(mission_id=user.mission_id)
    if user.role == Role.SWPA:
        return qs
    qs = qs.active()
    if user.role in (Role.WPA, Role.HRO):
        # A list of ids, not a subquery: the planner then uses the partial station index.
        return qs.filter(duty_station__in=list(user.duty_stations.values_list("pk", flat=True)))
    # MARA: de-identified records whose survivors consented to sharing, outside any
    # information-sharing protocol (that stays in the human rights compartment).
    return qs.filter(mara_shareable=True, shared_under_isp=False)


def incidents_archivable_by(user):
    """An ADMIN archives by reference without reading the record."""
    incident_model = apps.get_model("incidents", "Incident")
    if not user.is_authenticated or user.role != Role.ADMIN or user.mission_id is None:
        return incident_model.objects.none()
    return incident_model.objects.filter(mission_id=user.mission_id).active()


def victim_fields_visible_to(user):
    """Field names of a victim this person may receive."""
    base = frozenset({"code", "sex", "age_years", "age_group", "victim_group", "displacement", "disability"})
    layer = record_layer(user)
    if layer == LAYER_A:
        return base | IDENTIFYING_VICTIM_FIELDS | {"consents"}
    if layer == LAYER_B:
        return base - {"age_years"}
    return frozenset()


def sees_identifying_data(user):
    return record_layer(user) == LAYER_A


# Aggregates (layer C): who may see counts, and over which incidents.
AGGREGATE_READERS = frozenset({Role.SWPA, Role.MARA_CHAIR, Role.MARA_MEMBER, Role.LEADERSHIP})
VERIFIER_ROLES = frozenset({Role.MARA_CHAIR, Role.MARA_MEMBER})


def can_read_aggregates(user):
    return bool(user and user.is_authenticated and user.role in AGGREGATE_READERS)


def incidents_countable_by(user):
    """Incidents that may be counted in figures shown to this person: active records of the
    mission; information received under an information-sharing protocol is counted only for
    the human rights compartment (SWPA)."""
    incident_model = apps.get_model("incidents", "Incident")
    if not can_read_aggregates(user) or user.mission_id is None:
        return incident_model.objects.none()
    qs = incident_model.objects.filter(mission_id=user.mission_id).active()
    if user.role != Role.SWPA:
        qs = qs.filter(shared_under_isp=False)
    return qs

"""REST API for incidents, parties and the gazetteer. Thin: rules live in services."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from crsv_mis import access, audit
from crsv_mis.models import DutyStation, Location, Role
from crsv_mis.schema import at_callers_layer

from . import services, stats, validators
from .choices import (
    AgeGroup,
    ConsentGivenBy,
    ConsentKind,
    CrsvFormCode,
    DatePrecision,
    Disability,
    Displacement,
    PartyType,
    PerpetratorSex,
    Sex,
)
from .filters import IncidentFilter
from .models import Consent, Incident, Party, PartyAlias, Perpetrator, Victim

# ---- read serializers: one per layer, so a layer B response cannot carry a layer A field


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2026-01"})
class MonthField(serializers.CharField):
    """A month as "YYYY-MM", cleaned to the first day of the month."""

    def to_internal_value(self, data):
        try:
            return stats.parse_month(super().to_internal_value(data))
        except ValueError:
            raise serializers.ValidationError(_("Enter a month as YYYY-MM, for example 2026-01.")) from None


class ConsentSerializer(serializers.ModelSerializer):
    taken_by = serializers.CharField(source="taken_by.username", read_only=True)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Consent
        fields = ["kind", "given", "active", "given_by", "decided_by", "date", "taken_by", "withdrawn_at"]


class VictimFullSerializer(serializers.ModelSerializer):
    consents = ConsentSerializer(many=True, read_only=True)

    class Meta:
        model = Victim
        fields = ["id", "code", "sex", "age_years", "age_group", "victim_group", "displacement", "disability",
                  "name", "contact", "previously_interviewed_by", "consents"]


class VictimDeidentifiedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Victim
        fields = ["code", "sex", "age_group", "victim_group", "displacement", "disability"]


class PerpetratorReadSerializer(serializers.ModelSerializer):
    party_name = serializers.CharField(source="party.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Perpetrator
        fields = ["party", "party_name", "party_type", "number", "sex"]


class LocationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "pcode", "name", "level"]


class IncidentDeidentifiedSerializer(serializers.ModelSerializer):
    """Layer B: what MARA members read. No narrative, names, contacts, coordinates or locality."""

    forms = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    admin1 = LocationBriefSerializer(read_only=True)
    admin2 = LocationBriefSerializer(read_only=True, allow_null=True)
    victims = VictimDeidentifiedSerializer(many=True, read_only=True)
    perpetrators = PerpetratorReadSerializer(many=True, read_only=True)
    duty_station = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Incident
        fields = ["reference", "duty_station", "incident_date", "incident_date_precision", "incident_date_end",
                  "reported_date", "admin1", "admin2", "site_type", "forms", "conflict_nexus", "source_type",
                  "source_sex", "source_reliability", "source_credibility", "summary", "status",
                  "victims", "perpetrators"]


class IncidentFullSerializer(IncidentDeidentifiedSerializer):
    """Layer A: the owning office and the SWPA."""

    location = LocationBriefSerializer(read_only=True)
    victims = VictimFullSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta(IncidentDeidentifiedSerializer.Meta):
        fields = IncidentDeidentifiedSerializer.Meta.fields + [
            "version", "location", "coordinates", "narrative", "shared_under_isp", "created_by", "created_at",
            "updated_at", "archived_at", "archive_reason",
        ]


class IncidentListSerializer(serializers.ModelSerializer):
    forms = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    admin1 = serializers.CharField(source="admin1.name", read_only=True)
    admin2 = serializers.CharField(source="admin2.name", read_only=True, default=None, allow_null=True)
    victim_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Incident
        fields = ["reference", "incident_date", "incident_date_precision", "reported_date", "admin1", "admin2",
                  "site_type", "forms", "status", "victim_count"]


# ---- write serializers


class VictimWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="Only when editing an existing victim.")
    sex = serializers.ChoiceField(choices=Sex.choices)
    age_years = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    age_group = serializers.ChoiceField(choices=AgeGroup.choices, default=AgeGroup.UNKNOWN)
    displacement = serializers.ChoiceField(choices=Displacement.choices, default=Displacement.UNKNOWN)
    disability = serializers.ChoiceField(choices=Disability.choices, default=Disability.UNKNOWN)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    contact = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    previously_interviewed_by = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    consent_kinds = serializers.ListField(child=serializers.ChoiceField(choices=ConsentKind.choices), default=list)
    consent_date = serializers.DateField(required=False, allow_null=True)
    consent_given_by = serializers.ChoiceField(choices=ConsentGivenBy.choices, default=ConsentGivenBy.SURVIVOR)
    consent_decided_by = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")

    def validate(self, data):
        errors = validators.check_victim(
            age_years=data.get("age_years"), age_group=data.get("age_group"),
            consent_kinds=data.get("consent_kinds"), consent_given_by=data.get("consent_given_by"),
            consent_decided_by=data.get("consent_decided_by"), consent_date=data.get("consent_date"),
        )
        if errors:
            raise ValidationError(errors)
        return data


class PerpetratorWriteSerializer(serializers.Serializer):
    party = serializers.PrimaryKeyRelatedField(queryset=Party.objects.all(), required=False, allow_null=True)
    party_type = serializers.ChoiceField(
        choices=PartyType.choices + [(validators.SEA_PARTY_TYPE, "UN personnel")], required=False
    )
    number = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=999)
    sex = serializers.ChoiceField(choices=PerpetratorSex.choices)

    def validate(self, data):
        party = data.get("party")
        if party and party.mission_id != self.context["request"].user.mission_id:
            raise ValidationError({"party": [_("Unknown party.")]})
        if not data.get("party_type"):
            if not party:
                raise ValidationError({"party_type": [_("Choose a party or a party type (UNKNOWN is allowed).")]})
            data["party_type"] = party.party_type
        return data


class IncidentWriteSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="Required when editing: the version you read.")
    duty_station = serializers.SlugRelatedField(slug_field="code", queryset=DutyStation.objects.all())
    incident_date = serializers.DateField()
    incident_date_precision = serializers.ChoiceField(choices=DatePrecision.choices, default=DatePrecision.DAY)
    incident_date_end = serializers.DateField(required=False, allow_null=True)
    reported_date = serializers.DateField()
    location = serializers.SlugRelatedField(slug_field="pcode", queryset=Location.objects.filter(level__gte=2))
    coordinates = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    site_type = serializers.ChoiceField(choices=Incident._meta.get_field("site_type").choices)
    forms = serializers.ListField(
        child=serializers.ChoiceField(choices=CrsvFormCode.choices), allow_empty=False,
        error_messages={"empty": gettext_lazy("Choose at least one form of sexual violence.")})
    conflict_nexus = serializers.ChoiceField(choices=Incident._meta.get_field("conflict_nexus").choices)
    source_type = serializers.ChoiceField(choices=Incident._meta.get_field("source_type").choices)
    source_sex = serializers.ChoiceField(choices=Incident._meta.get_field("source_sex").choices)
    source_reliability = serializers.ChoiceField(choices=Incident._meta.get_field("source_reliability").choices)
    source_credibility = serializers.ChoiceField(choices=Incident._meta.get_field("source_credibility").choices)
    shared_under_isp = serializers.BooleanField(default=False)
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(max_length=1000)
    victims = VictimWriteSerializer(many=True, allow_empty=False)
    perpetrators = PerpetratorWriteSerializer(many=True, allow_empty=False)

    def validate_location(self, location):
        if not Location.objects.of_mission(self.context["request"].user.mission).filter(pk=location.pk).exists():
            raise ValidationError(_("This place is not in the mission's country."))
        return location

    def validate_duty_station(self, station):
        user = self.context["request"].user
        allowed = station.mission_id == user.mission_id and (
            user.role == Role.SWPA or user.duty_stations.filter(pk=station.pk).exists()
        )
        if not allowed:
            raise ValidationError(_("You cannot record incidents for this duty station."))
        return station

    def validate(self, data):
        if any(p.get("party_type") == validators.SEA_PARTY_TYPE for p in data["perpetrators"]):
            raise ValidationError({"perpetrators": [_(
                "UN personnel as alleged perpetrator is sexual exploitation and abuse (SEA), handled by "
                "conduct and discipline. Nothing was stored in the CRSV data set; report it to the "
                "mission's conduct and discipline team.")]})
        errors = validators.check_incident_dates(
            incident_date=data["incident_date"], precision=data["incident_date_precision"],
            end=data.get("incident_date_end"), reported_date=data["reported_date"],
        )
        location = data["location"]
        errors.update(validators.check_summary(
            data["summary"], names=[v.get("name") for v in data["victims"]],
            locality_name=location.name if location.level == 3 else None,
        ))
        if errors:
            raise ValidationError(errors)
        return data

    def service_kwargs(self):
        data = dict(self.validated_data)
        return {
            "form_codes": data.pop("forms"),
            "victims": data.pop("victims"),
            "perpetrators": data.pop("perpetrators"),
            "fields": {k: v for k, v in data.items() if k != "version"},
        }


class ArchiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class CanUseIncidentApi(permissions.BasePermission):
    def has_permission(self, request, view):
        if view.action in ("retrieve", None):
            # Out of scope must look like absent: the scoped lookup answers 404, an
            # unsupported method 405, whoever asks.
            return True
        if view.action == "create":
            return access.can_record_incidents(request.user)
        if view.action == "archive":
            return request.user.role == Role.ADMIN
        if view.action in ("update", "partial_update"):
            return access.sees_identifying_data(request.user)
        return access.record_layer(request.user) is not None


@extend_schema_view(
    list=extend_schema(summary="Incidents visible to the caller", responses=IncidentListSerializer(many=True)),
    retrieve=extend_schema(summary="One incident, at the caller's layer", responses=at_callers_layer(
        "IncidentAtCallersLayer", [IncidentFullSerializer, IncidentDeidentifiedSerializer])),
    # A field reporter records without reading back: the answer is the reference alone.
    create=extend_schema(request=IncidentWriteSerializer, responses={201: at_callers_layer("IncidentCreated", [
        IncidentFullSerializer, inline_serializer("IncidentReference", {"reference": serializers.CharField()})])}),
    update=extend_schema(request=IncidentWriteSerializer, responses={
        200: IncidentFullSerializer, 409: OpenApiResponse(description="Edited by someone else since `version`.")}),
)
class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """No delete: an ADMIN asks to archive with a reason, and the SWPA confirms on the site."""

    permission_classes = [permissions.IsAuthenticated, CanUseIncidentApi]
    queryset = Incident.objects.none()  # for the schema; get_queryset scopes every request
    lookup_field = "reference"
    filterset_class = IncidentFilter
    ordering_fields = ["reference", "incident_date", "reported_date", "status"]
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "archive":
            return access.incidents_archivable_by(user)
        qs = access.incidents_visible_to(user).select_related("admin1", "admin2", "duty_station")
        if self.action == "list":
            return qs.prefetch_related("forms").order_by("-reported_date", "-id")
        return qs.select_related("location", "created_by").prefetch_related(
            "forms", "perpetrators__party", "victims__consents__taken_by")

    def get_serializer_class(self):
        if self.action == "list":
            return IncidentListSerializer
        if self.action in ("create", "update"):
            return IncidentWriteSerializer
        if self.action == "archive":
            return ArchiveSerializer
        if access.sees_identifying_data(self.request.user):
            return IncidentFullSerializer
        return IncidentDeidentifiedSerializer

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit.record("incident.list", request=request, detail={
            "api": True, "references": [r["reference"] for r in response.data.get("results", [])]})
        return response

    def retrieve(self, request, *args, **kwargs):
        incident = self.get_object()
        services.record_view(incident, request=request)
        return Response(self.get_serializer(incident).data)

    def create(self, request, *args, **kwargs):
        serializer = IncidentWriteSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if "perpetrators" in serializer.errors and any(
                    p.get("party_type") == validators.SEA_PARTY_TYPE for p in request.data.get("perpetrators", [])
                    if isinstance(p, dict)):
                audit.record("incident.sea_redirected", request=request, detail={"api": True})
            raise ValidationError(serializer.errors)
        incident = services.create_incident(
            by=request.user, mission=request.user.mission, request=request, **serializer.service_kwargs())
        if not access.sees_identifying_data(request.user):
            return Response({"reference": incident.reference}, status=status.HTTP_201_CREATED)
        incident = self.get_queryset().get(pk=incident.pk)
        return Response(IncidentFullSerializer(incident).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        incident = self.get_object()
        serializer = IncidentWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        if "version" not in serializer.validated_data:
            raise ValidationError({"version": [_("Send the version you read, to catch concurrent edits.")]})
        try:
            services.update_incident(
                incident, by=request.user, request=request,
                expected_version=serializer.validated_data["version"], **serializer.service_kwargs())
        except (services.EditConflict, services.RecordAnonymised) as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        return Response(IncidentFullSerializer(self.get_queryset().get(pk=incident.pk)).data)

    @extend_schema(summary="Ask to archive an incident; the SWPA confirms", request=ArchiveSerializer,
                   responses={202: inline_serializer("ArchiveRequested", {
                       "reference": serializers.CharField(), "requested_at": serializers.DateTimeField()})})
    @action(detail=True, methods=["post"])
    def archive(self, request, reference=None):
        incident = self.get_object()
        serializer = ArchiveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        archive_request = services.request_archive(
            incident, by=request.user, reason=serializer.validated_data["reason"], request=request)
        return Response({"reference": incident.reference, "requested_at": archive_request.requested_at},
                        status=status.HTTP_202_ACCEPTED)


# ---- reference data


class PartySerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False, write_only=True)

    class Meta:
        model = Party
        fields = ["id", "name", "party_type", "listed_in_sg_annex", "active", "aliases"]

    def to_representation(self, party):
        data = super().to_representation(party)
        data["aliases"] = [a.name for a in party.aliases.all()]
        return data

    def _save_aliases(self, party, aliases):
        if aliases is not None:
            party.aliases.all().delete()
            PartyAlias.objects.bulk_create(PartyAlias(party=party, name=a) for a in dict.fromkeys(aliases))

    def create(self, validated):
        aliases = validated.pop("aliases", [])
        party = Party.objects.create(mission=self.context["request"].user.mission, **validated)
        self._save_aliases(party, aliases)
        return party

    def update(self, party, validated):
        aliases = validated.pop("aliases", None)
        party = super().update(party, validated)
        self._save_aliases(party, aliases)
        return party


class IsAdminOrReadOnly(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.role == Role.ADMIN


class PartyViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Parties of the caller's mission, with aliases. Only an ADMIN changes them."""

    serializer_class = PartySerializer
    queryset = Party.objects.none()  # for the schema; get_queryset scopes every request
    permission_classes = [permissions.IsAuthenticated, IsAdminOrReadOnly]
    filterset_fields = ["party_type", "listed_in_sg_annex", "active"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return Party.objects.filter(mission_id=self.request.user.mission_id).prefetch_related("aliases")

    def perform_create(self, serializer):
        party = serializer.save()
        audit.record("party.create", request=self.request, obj=party)

    def perform_update(self, serializer):
        party = serializer.save()
        audit.record("party.change", request=self.request, obj=party)


class LocationSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="pcode", read_only=True, allow_null=True)

    class Meta:
        model = Location
        fields = ["id", "pcode", "name", "level", "parent"]


class LocationViewSet(viewsets.ReadOnlyModelViewSet):
    """The gazetteer: country > admin1 > admin2 > locality."""

    serializer_class = LocationSerializer
    queryset = Location.objects.select_related("parent").order_by("level", "name")
    filterset_fields = ["level", "parent"]
    lookup_field = "pcode"

    def get_queryset(self):
        """The places of the caller's mission only."""
        return super().get_queryset().of_mission(self.request.user.mission)



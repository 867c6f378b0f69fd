"""Referrals API: read-only, scoped by access.referrals_visible_to, one serializer per audience;
and the referral figures for the MARA room and the SWPA.

The referrer side (WPA, HRO, SWPA) reads the referral with the incident reference; a referral
focal point reads only what the provider needs: the victim code, service, urgency, status, dates
and the note, the note only while the survivor's consent for the referral stands.
"""

import django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from crsv_mis import access, audit
from crsv_mis.schema import at_callers_layer
from incidents import stats as incident_stats
from incidents.api import MonthField

from . import stats
from .models import Referral, ReferralStatus, Service

DATE_FIELDS = ["created_at", "referred_at", "service_provided_at", "closed_at"]


# Inline enum (not a component): incidents' and alerts' "status" are other choice sets, and
# spectacular would otherwise name this one by a hash.
# Wrapped in allOf so the enum post-processing hook leaves it inline.
@extend_schema_field({"allOf": [{"type": "string", "enum": ReferralStatus.values}],
                      "description": "PROPOSED, REFERRED, ACCEPTED, SERVICE_PROVIDED, CLOSED, "
                                     "DECLINED_BY_SURVIVOR, PROVIDER_UNAVAILABLE or LOST_TO_FOLLOW_UP."})
class ReferralStatusField(serializers.CharField):
    pass


class ReferralReferrerSerializer(serializers.ModelSerializer):
    """WPA, HRO, SWPA: the referral as made."""

    victim_code = serializers.CharField(source="victim.code", read_only=True)
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)
    provider = serializers.CharField(source="provider.name", read_only=True)
    consent_active = serializers.BooleanField(read_only=True)
    status = ReferralStatusField(read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "victim_code", "incident_reference", "service", "provider", "urgency", "status",
                  *DATE_FIELDS, "consent_active", "note"]


class ReferralFocalPointSerializer(serializers.ModelSerializer):
    """A referral focal point: no incident reference, no provider contact; the note only while
    consent stands (null otherwise)."""

    victim_code = serializers.CharField(source="victim.code", read_only=True)
    status = ReferralStatusField(read_only=True)
    note = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = ["id", "victim_code", "service", "urgency", "status", *DATE_FIELDS, "note"]

    def get_note(self, referral) -> str | None:
        return referral.note if referral.consent_active else None


LAYERS = [ReferralReferrerSerializer, ReferralFocalPointSerializer]


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    service = django_filters.ChoiceFilter(choices=Service.choices)

    class Meta:
        model = Referral
        fields = ["status", "service"]


@extend_schema_view(
    list=extend_schema(summary="Referrals visible to the caller",
                       description="WPA/HRO: their duty stations' referrals; SWPA: the mission's; a referral "
                                   "focal point: the referrals assigned to them once sent (never PROPOSED). "
                                   "Focal points receive the reduced form (no incident reference, no provider; "
                                   "`note` null once consent is withdrawn). Anyone else: an empty list.",
                       responses={200: at_callers_layer("ReferralAtCallersLayer", LAYERS, many=True)}),
    retrieve=extend_schema(summary="One referral",
                           description="404 when outside the caller's scope. Each read is recorded in the "
                                       "audit trail. Focal points receive the reduced form.",
                           responses={200: at_callers_layer("ReferralAtCallersLayer", LAYERS),
                                      404: OpenApiResponse(description="Not found, or not in the caller's scope.")}),
)
class ReferralViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    queryset = Referral.objects.none()  # for the schema; get_queryset scopes every request
    filterset_class = ReferralFilter
    ordering_fields = ["created_at", "referred_at", "status"]

    def get_queryset(self):
        return access.referrals_visible_to(self.request.user).select_related(
            "victim", "incident", "provider").order_by("-created_at", "-id")

    def get_serializer_class(self):
        if access.record_layer(self.request.user) == access.LAYER_A:
            return ReferralReferrerSerializer
        return ReferralFocalPointSerializer

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit.record("referral.list", request=request, detail={
            "api": True, "ids": [r["id"] for r in response.data.get("results", [])]})
        return response

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        audit.record("referral.view", request=request, obj=referral, detail={"api": True})
        return Response(self.get_serializer(referral).data)


class ReferralStatsQuerySerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "from": MonthField(help_text="First month, YYYY-MM (month the referral was recorded)."),
            "to": MonthField(help_text=f"Last month, YYYY-MM, included; at most "
                                       f"{incident_stats.MAX_PERIOD_MONTHS} months after `from`."),
        }

    def validate(self, data):
        errors = incident_stats.period_errors(data["from"], data["to"])
        if errors:
            raise serializers.ValidationError(errors)
        return data


class ServiceStatusCountSerializer(serializers.Serializer):
    service = serializers.ChoiceField(choices=Service.choices)
    status = ReferralStatusField()
    count = serializers.IntegerField()


class ReferralFigureRowSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, month the referral was recorded (UTC).")
    duty_station = serializers.CharField(help_text="Code of the incident's duty station.")
    duty_station_name = serializers.CharField()
    referrals = serializers.IntegerField(help_text="Referrals recorded, any status.")
    survivors_referred = serializers.IntegerField(help_text="Distinct survivors with a consented referral.")
    by_service_status = ServiceStatusCountSerializer(many=True)
    service_provided_percent = serializers.FloatField(
        allow_null=True, help_text="Of the referrals sent (not PROPOSED): service provided, or closed after it.")
    median_hours_incident_to_medical_referral = serializers.FloatField(
        allow_null=True, help_text="From 00:00 UTC of the incident date (incidents dated to the day) to the "
                                   "MEDICAL referral being sent.")
    median_hours_referral_to_service = serializers.FloatField(
        allow_null=True, help_text="From the referral being sent to the service being provided.")


class ReferralStatsSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "from": serializers.CharField(help_text="YYYY-MM"),
            "to": serializers.CharField(help_text="YYYY-MM"),
            "results": ReferralFigureRowSerializer(many=True, help_text="Months and duty stations with a "
                                                                        "referral; a missing row is 0."),
        }


class CanReadFineAggregates(permissions.BasePermission):
    def has_permission(self, request, view):
        return access.can_read_fine_aggregates(request.user)


class ReferralStatsView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanReadFineAggregates]

    @extend_schema(
        summary="Referral figures per month and duty station",
        description="For the MARA room and the SWPA: survivors referred with consent, referrals by service and "
                    "status, the share with service provided and median times (hours), per month the referral "
                    "was recorded and per duty station, over the referrals of the incidents the caller may count. "
                    "For the MARA chair and members, a share or median over fewer referrals than the small-cell "
                    "threshold is null (one referral's own time would show). "
                    "Not paginated: at most 60 months.",
        parameters=[ReferralStatsQuerySerializer],
        responses={
            200: ReferralStatsSerializer,
            400: OpenApiResponse(description="A month not written YYYY-MM, `to` before `from`, over 60 months."),
            403: OpenApiResponse(description="The caller's role does not read these figures."),
        },
    )
    def get(self, request):
        query = ReferralStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["from"], query.validated_data["to"]
        results = stats.referral_figures_for(request.user, start, end)
        period = {"from": incident_stats.month_key(start), "to": incident_stats.month_key(end)}
        audit.record("stats.referrals_view", request=request, detail={"api": True, **period})
        return Response({**period, "results": results})

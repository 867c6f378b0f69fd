"""Statistics API: counts per month for the MARA room (MARA chair and members, SWPA; aggregates,
layer C). The counts are exact, not suppressed, so they do not leave the room: leadership reads the
dashboard and the released reports instead, which pass small-cell suppression.

Thin: the counting is reporting.figures.monthly_counts over figures.scope_for(user), read from the
rollup like the dashboard, so the API and the page never disagree.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from crsv_mis import access, audit
from incidents import stats
from incidents.api import MonthField

from . import figures

# Admin2 (territory) is left out on purpose: figures that leave the MARA room stay at admin1 at
# most (docs/domain.md, small cells); territories appear on the dashboard's hotspots only.
API_GROUP_BY = ("form", "admin1", "party_type", "party", "victim_group", "verification_status", "site_type")


class TrendsQuerySerializer(serializers.Serializer):
    """The query string. Field names "from" and "to": "from" is a Python keyword, hence get_fields."""

    def get_fields(self):
        return {
            "from": MonthField(help_text="First month, YYYY-MM (months of the incident date)."),
            "to": MonthField(help_text=f"Last month, YYYY-MM, included; at most {stats.MAX_PERIOD_MONTHS} "
                                       "months after `from`."),
            "group_by": serializers.ChoiceField(
                choices=API_GROUP_BY, help_text="What to count by. An incident counts once under each key it has "
                "(several forms, victim groups, parties), so keys can add up to more than the incidents."),
            "unit": serializers.ChoiceField(
                choices=stats.UNITS, default=stats.INCIDENTS, required=False,
                help_text="`incidents` (distinct incidents) or `victims` (victims of the incidents with the key; "
                "per victim group, the victims of that group)."),
        }

    def validate(self, data):
        errors = stats.period_errors(data["from"], data["to"])
        if errors:
            raise serializers.ValidationError(errors)
        return data


class TrendRowSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM, month of the incident date.")
    key = serializers.CharField(allow_null=True, help_text="Stable code: choice code, place pcode, party id; "
                                                           "null when nothing was recorded.")
    label = serializers.CharField(help_text="Translated label, for display.")
    count = serializers.IntegerField()


class TrendsSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "from": serializers.CharField(help_text="YYYY-MM"),
            "to": serializers.CharField(help_text="YYYY-MM"),
            "group_by": serializers.ChoiceField(choices=API_GROUP_BY),
            "unit": serializers.ChoiceField(choices=stats.UNITS),
            "results": TrendRowSerializer(many=True, help_text="Months and keys with a count; a missing row is 0."),
        }


class CanReadFineAggregates(permissions.BasePermission):
    """The MARA room only: the answer holds exact counts, small ones included."""

    def has_permission(self, request, view):
        return access.can_read_fine_aggregates(request.user)


class TrendsView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanReadFineAggregates]

    @extend_schema(
        summary="Counts per month (MARA trends)",
        description="Incidents (or victims) per month of the incident date and per key of `group_by`, over the "
                    "incidents of the caller's mission. For the MARA room only (MARA chair, MARA members, "
                    "SWPA): the counts are exact, small ones included, so every other role, leadership "
                    "included, gets 403 (leadership reads the dashboard and the released reports, where small "
                    "counts are suppressed). The MARA chair and members count exactly the records they "
                    "read: neither information received under an information-sharing protocol nor records "
                    "whose survivors did not consent to sharing with the MARA; the SWPA counts every record. "
                    "Archived incidents are never counted. Not paginated: at most 60 months.",
        parameters=[TrendsQuerySerializer],
        responses={
            200: TrendsSerializer,
            400: OpenApiResponse(description="Errors per field: a month not written YYYY-MM, `to` before "
                                             "`from`, a period over 60 months, an unknown `group_by` or `unit`."),
            403: OpenApiResponse(description="The caller is not in the MARA room (MARA chair, MARA member or "
                                             "SWPA)."),
        },
    )
    def get(self, request):
        query = TrendsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        start, end = stats.month_key(params["from"]), stats.month_key(params["to"])
        scope = figures.scope_for(request.user)
        # A MARA role attached to no mission has nothing to count.
        results = [] if scope is None else figures.monthly_counts(
            scope, start=params["from"], end=params["to"], group_by=params["group_by"], unit=params["unit"])
        audit.record("stats.trends_view", request=request, detail={
            "api": True, "from": start, "to": end, "group_by": params["group_by"], "unit": params["unit"]})
        return Response({"from": start, "to": end, "group_by": params["group_by"], "unit": params["unit"],
                         "results": results})

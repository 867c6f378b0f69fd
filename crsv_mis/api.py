"""The audit trail for the AUDITOR, read-only: the page's filters as query parameters, scoped by
access.audit_events_visible_to, each reading recorded (crsv_mis/audit_trail.py)."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, viewsets

from . import access, audit_trail
from .models import AuditEvent


@extend_schema_field({"type": "object", "additionalProperties": True,
                      "description": "Codes, ids and counts only: never identifying data."})
class DetailField(serializers.JSONField):
    pass


class AuditEventSerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="username")
    reference = serializers.CharField(source="object_ref")
    detail = DetailField()

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "person", "role", "action", "object_type", "object_id", "reference", "ip", "detail"]
        read_only_fields = fields


class CanReadAuditTrail(permissions.BasePermission):
    def has_permission(self, request, view):
        return access.can_read_audit_trail(request.user)


class AuditEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The events as the page shows them: audit_trail.shown takes out what names a survivor."""

    serializer_class = AuditEventSerializer
    permission_classes = [permissions.IsAuthenticated, CanReadAuditTrail]
    filter_backends = [DjangoFilterBackend]
    filterset_class = audit_trail.AuditEventFilter

    def get_queryset(self):
        return access.audit_events_visible_to(self.request.user).order_by("-id")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return page if page is None else audit_trail.shown(page)

    @extend_schema(summary="Audit events of the caller's mission (AUDITOR only), newest first")
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit_trail.record_view(request, request.query_params, count=response.data.get("count"), api=True)
        return response

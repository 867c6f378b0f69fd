"""The incident page shows whether the record is on legal hold or was anonymised, without the
incidents app knowing about retention (it stands to the left of lifecycle)."""

from django import template

from .. import retention
from ..models import RecordClass

register = template.Library()


@register.inclusion_tag("lifecycle/_incident_retention.html", takes_context=True)
def retention_status(context, incident):
    user = context.get("user")
    return {
        "incident": incident,
        "anonymisation": retention.anonymisation_of(RecordClass.INCIDENTS, incident.pk),
        # The hold and its reason are the SWPA's; others see only that the record is kept.
        "hold": retention.active_hold_of(incident),
        "is_officer": retention.is_retention_officer(user),
    }

"""A small audit trail for the audit-trail tests: three people of the mission acting on two records,
and one person of another mission."""

from django.test import Client

from crsv_mis import audit
from crsv_mis.models import Mission, Role
from tests.conftest import make_user, verified_login


def build(users, make_incident):
    first = make_incident(by="WPA")
    second = make_incident(by="HRO")
    audit.record("incident.view", user=users["WPA"], obj=first)
    audit.record("incident.update", user=users["HRO"], obj=second, detail={"fields": ["summary"]})
    audit.record("incident.archive", user=users["SWPA"], obj=second)
    abroad = Mission.objects.create(code="ABRD", name="Other mission")
    outsider = make_user("abroad_wpa", Role.WPA, abroad)
    audit.record("incident.view", user=outsider, obj=abroad)  # an event of the other mission
    return {"first": first, "second": second, "outsider": outsider}


def auditor_client(users):
    return verified_login(Client(), users["AUDITOR"])


def listed(response):
    """(person, action, reference) of the events of a page of the audit trail."""
    return {(e.username, e.action, e.object_ref) for e in response.context["page"].object_list}

"""Each mission's auditor reads her own mission's trail: the events of its people, and the events of
tasks (no person acting) on its records. A task's event on another mission's record, an event of no
person and no record, never reach her; an event whose personal fields retention erased stays her
mission's."""

import csv
import io

import pytest
from django.test import Client

from crsv_mis import audit
from crsv_mis.models import ApiToken, AuditEvent, Mission, Role
from referrals.models import Provider
from tests.conftest import make_user, verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_missions(users, mission):
    abroad = Mission.objects.create(code="ABRD", name="Other mission")
    here = Provider.objects.create(mission=mission, name="Clinic here (synthetic)", provider_type="HEALTH_FACILITY")
    there = Provider.objects.create(mission=abroad, name="Clinic there (synthetic)", provider_type="HEALTH_FACILITY")
    # Tasks: no person acts.
    audit.record("provider.task_here", obj=here)
    audit.record("provider.task_there", obj=there)
    audit.record("intake_draft.expire", detail={"count": 2})
    # A person of this mission, whose event retention then erased.
    erased = audit.record("incident.list", user=users["WPA"], detail={"page": 1})
    audit.anonymise(AuditEvent.objects.filter(pk=erased.pk))
    return {"here": users["AUDITOR"], "there": make_user("abroad_auditor", Role.AUDITOR, abroad)}


def _actions(auditor):
    """The actions the auditor reads in the export and through the API, her own readings left aside."""
    client = verified_login(Client(), auditor)
    exported = b"".join(client.get("/audit/export.csv").streaming_content).decode()
    in_export = {row[3] for row in csv.reader(io.StringIO(exported))}
    _token, raw = ApiToken.issue(auditor, days=1)
    api = Client(HTTP_AUTHORIZATION=f"Token {raw}").get("/api/v1/audit-events/").json()["results"]
    assert {e["action"] for e in api} - {"audit.view", "audit.export"} == in_export - {"action", "audit.export"}
    return in_export - {"action", "audit.export"}


def test_it_gives_each_auditor_the_tasks_on_her_missions_records_and_her_peoples_erased_events(two_missions):
    assert _actions(two_missions["here"]) == {"provider.task_here", "incident.list"}
    assert _actions(two_missions["there"]) == {"provider.task_there"}


def test_it_keeps_each_auditors_own_readings_from_the_other(two_missions):
    _actions(two_missions["here"])
    _actions(two_missions["there"])
    exported = b"".join(verified_login(Client(), two_missions["there"]).get("/audit/export.csv")
                        .streaming_content).decode()
    readers = {row[1] for row in csv.reader(io.StringIO(exported)) if row[3].startswith("audit.")}
    assert readers == {"abroad_auditor"}

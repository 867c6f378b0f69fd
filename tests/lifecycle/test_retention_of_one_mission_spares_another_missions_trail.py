"""A retention pass of one mission erases only its own audit events, under its own period: another
mission's trail stays whole, above all the events about an incident on that mission's legal hold.
Events of no mission wait for the longest period of all."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis import audit
from crsv_mis.models import AuditEvent, Mission, Role
from lifecycle import retention
from lifecycle.models import RecordClass, RetentionPolicy
from tests.conftest import make_user
from tests.lifecycle.retention_fixtures import NOTICE_LATER, run_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_mission(gazetteer):
    other = Mission.objects.create(code="OTHM", name="Other test mission", country=gazetteer["country"])
    officer = make_user("othm-swpa", Role.SWPA, other)
    RetentionPolicy.objects.create(mission=other, record_class=RecordClass.AUDIT, days=365, set_by=officer)
    return other


def test_another_missions_pass_leaves_this_missions_trail_and_its_held_incident_whole(
        case, mission, users, other_mission):
    retention.set_hold(case["incident"], by=users["SWPA"], reason="Synthetic court case TL-0003")
    ours = list(AuditEvent.objects.values_list("id", flat=True))
    about_the_held = AuditEvent.objects.filter(object_type="incidents.incident", object_id=str(case["incident"].pk))
    assert about_the_held.exists() and all(e.mission_id == mission.pk for e in AuditEvent.objects.filter(id__in=ours))
    theirs = audit.record("test.read", obj=other_mission)
    of_no_mission = audit.record("test.task")

    # Two years on: past the other mission's one-year period, within this mission's seven.
    when = timezone.now() + datetime.timedelta(days=2 * 365)
    run_on(other_mission, when)
    done = run_on(other_mission, when + NOTICE_LATER)

    assert not AuditEvent.objects.filter(id__in=ours, anonymised_at__isnull=False).exists()
    assert all(e.username for e in about_the_held)
    assert AuditEvent.objects.get(pk=of_no_mission.pk).anonymised_at is None
    assert AuditEvent.objects.get(pk=theirs.pk).anonymised_at is not None
    assert done.counts["audit"]["anonymised"] == 1


def test_events_of_no_mission_are_erased_past_the_longest_period_and_a_held_incident_stays_whole(
        case, mission, users, other_mission):
    retention.set_hold(case["incident"], by=users["SWPA"], reason="Synthetic court case TL-0004")
    task = audit.record("test.task")
    task_about_the_held = audit.record("test.task", obj=case["incident"])
    assert task_about_the_held.mission_id == mission.pk

    when = timezone.now() + datetime.timedelta(days=8 * 365)
    run_on(other_mission, when)
    run_on(other_mission, when + NOTICE_LATER)

    assert AuditEvent.objects.get(pk=task.pk).anonymised_at is not None
    assert AuditEvent.objects.get(pk=task_about_the_held.pk).anonymised_at is None

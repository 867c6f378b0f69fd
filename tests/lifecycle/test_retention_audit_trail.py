"""The audit trail past retention loses who, from where, why and the detail, and nothing else; the
chain still verifies, an anonymised event that is then edited is still caught, the database lets no
other change through, and events about records on legal hold stay whole."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from crsv_mis import audit
from crsv_mis.models import AuditEvent
from lifecycle import retention
from tests.crsv_mis.test_verify_audit_chain_command import TriggersOff
from tests.lifecycle.retention_fixtures import NOTICE_LATER, later, raw_row, run_on

pytestmark = pytest.mark.django_db


def verify():
    out = io.StringIO()
    call_command("verify_audit_chain", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def anonymise_trail(mission):
    run_on(mission, later())
    return run_on(mission, later(NOTICE_LATER))


def test_events_past_retention_lose_their_personal_fields_and_the_chain_still_verifies(case, mission):
    old = list(AuditEvent.objects.order_by("id").values_list("id", "at", "role", "action", "object_type",
                                                              "object_id", "object_ref", "hash"))
    assert AuditEvent.objects.filter(username="wpa").exists()

    done = anonymise_trail(mission)

    assert done.counts["audit"]["anonymised"] == len(old)
    for event_id, *_kept in old:
        assert raw_row("crsv_mis_auditevent", event_id, "username", "user_id", "ip", "reason", "identity_salt") == (
            "", None, None, "", "")
    # Everything else of each event is as it was.
    assert list(AuditEvent.objects.filter(id__in=[e[0] for e in old]).order_by("id").values_list(
        "id", "at", "role", "action", "object_type", "object_id", "object_ref", "hash")) == old
    assert not AuditEvent.objects.filter(id__in=[e[0] for e in old]).exclude(detail={}).exists()
    assert f"Audit chain intact: {AuditEvent.objects.count()} events" in verify()


def test_the_erasure_is_recorded_with_the_ids_it_erased(case, mission):
    old_ids = list(AuditEvent.objects.values_list("id", flat=True))

    done = anonymise_trail(mission)

    batches = list(AuditEvent.objects.filter(action=retention.AUDIT_ERASURE_ACTION))
    erased = sorted(i for b in batches for i in b.detail["ids"])
    assert erased == sorted(old_ids) and {b.detail["run"] for b in batches} == {done.pk}
    # Its own record is never erased: passes years on leave it whole.
    run_on(mission, later(NOTICE_LATER * 400))
    run_on(mission, later(NOTICE_LATER * 401))
    kept = AuditEvent.objects.filter(pk__in=[b.pk for b in batches], anonymised_at__isnull=True)
    assert sorted(i for b in kept for i in b.detail["ids"]) == erased


def test_an_anonymised_event_that_is_then_edited_is_caught(case, mission):
    anonymise_trail(mission)
    event = AuditEvent.objects.filter(anonymised_at__isnull=False).order_by("id")[1]

    with TriggersOff(), connection.cursor() as cursor:
        cursor.execute("UPDATE crsv_mis_auditevent SET action = %s WHERE id = %s", ["test.innocent", event.id])

    with pytest.raises(CommandError):
        call_command("verify_audit_chain", stdout=io.StringIO(), stderr=io.StringIO())
    assert f"event {event.id}: content does not match" in " ".join(audit.verify_chain())


def test_personal_fields_written_back_into_an_anonymised_event_are_caught(case, mission):
    anonymise_trail(mission)
    event = AuditEvent.objects.filter(anonymised_at__isnull=False).order_by("id").first()

    with TriggersOff(), connection.cursor() as cursor:
        cursor.execute("UPDATE crsv_mis_auditevent SET username = %s WHERE id = %s", ["someone", event.id])

    assert f"event {event.id}: content does not match" in " ".join(audit.verify_chain())


def test_an_event_erased_without_the_stamp_is_caught(case, mission):
    event = AuditEvent.objects.filter(username="wpa").first()

    with TriggersOff(), connection.cursor() as cursor:
        cursor.execute("UPDATE crsv_mis_auditevent SET username = '' WHERE id = %s", [event.id])

    assert f"event {event.id}: content does not match" in " ".join(audit.verify_chain())


@pytest.mark.parametrize("change", [
    {"username": ""},  # a partial erasure
    {"username": "", "user": None, "ip": None, "reason": "", "detail": {}, "identity_salt": "",
     "anonymised_at": timezone.now(), "action": "test.innocent"},  # erasure smuggling an edit
    {"username": "", "user": None, "ip": None, "reason": "", "detail": {}, "identity_salt": "",
     "anonymised_at": timezone.now(), "at": timezone.now() - datetime.timedelta(days=1)},
])
def test_the_database_lets_through_only_the_whole_erasure(case, change):
    event = AuditEvent.objects.filter(username="wpa").first()

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(**change)

    assert AuditEvent.objects.get(pk=event.pk).username == "wpa"


def test_an_anonymised_event_cannot_be_erased_again_or_unstamped(case):
    event = AuditEvent.objects.filter(username="wpa").first()
    assert audit.anonymise(AuditEvent.objects.filter(pk=event.pk)) == 1

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(anonymised_at=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert audit.anonymise(AuditEvent.objects.filter(pk=event.pk)) == 0
    assert audit.verify_chain() == []


def test_events_about_a_held_case_stay_whole(case, mission, users):
    unrelated = audit.record("test.unrelated", user=users["HRO"])
    retention.set_hold(case["incident"], by=users["SWPA"], reason="Synthetic court case TL-0002")
    about_the_case = AuditEvent.objects.filter(object_type="incidents.incident", object_id=str(case["incident"].pk))
    about_the_referral = AuditEvent.objects.filter(object_type="referrals.referral",
                                                   object_id=str(case["referral"].pk))
    assert about_the_case.exists() and about_the_referral.exists()

    anonymise_trail(mission)

    assert not about_the_case.filter(anonymised_at__isnull=False).exists()
    assert not about_the_referral.filter(anonymised_at__isnull=False).exists()
    assert set(about_the_case.values_list("username", flat=True)) == {"wpa", "swpa"}
    assert AuditEvent.objects.get(pk=unrelated.pk).anonymised_at is not None
    assert audit.verify_chain() == []

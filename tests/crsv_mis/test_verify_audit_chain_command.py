import importlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from crsv_mis import audit
from crsv_mis.models import AuditEvent

append_only = importlib.import_module("crsv_mis.migrations.0010_audit_event_mission")  # the current triggers


def verify():
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit_chain", stdout=out, stderr=err)
    return out.getvalue()


def verify_failing():
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def record_events(n=3):
    return [audit.record(f"test.event{i}", detail={"n": i}) for i in range(n)]


class TriggersOff:
    """Switch off the append-only triggers to play the attacker with database access."""

    def __enter__(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # ALTER TABLE refuses while deferred foreign-key checks of the inserts are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE crsv_mis_auditevent DISABLE TRIGGER crsv_audit_no_update")
            else:
                cursor.execute("DROP TRIGGER crsv_audit_no_update")
                cursor.execute("DROP TRIGGER crsv_audit_no_delete")
        return self

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE crsv_mis_auditevent ENABLE TRIGGER crsv_audit_no_update")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for statement in append_only.SQLITE:
                    cursor.execute(statement)
        return False


@pytest.mark.django_db
def test_it_reports_an_intact_chain_with_the_number_of_events():
    record_events(3)

    assert "Audit chain intact: 3 events" in verify()


@pytest.mark.django_db
def test_it_reports_an_empty_trail_as_intact():
    assert "Audit chain intact: 0 events" in verify()


@pytest.mark.django_db
def test_it_fails_and_names_the_event_whose_content_was_edited():
    events = record_events(3)
    edited = events[1]

    with TriggersOff(), connection.cursor() as cursor:
        cursor.execute("UPDATE crsv_mis_auditevent SET action = %s WHERE id = %s", ["test.innocent", edited.id])

    output = verify_failing()
    assert f"event {edited.id}" in output
    assert f"event {events[0].id}" not in output


@pytest.mark.django_db
def test_it_fails_when_a_row_was_deleted():
    events = record_events(3)

    with TriggersOff(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM crsv_mis_auditevent WHERE id = %s", [events[1].id])

    output = verify_failing()
    assert f"event {events[2].id}" in output
    assert "removed" in output


@pytest.mark.django_db
def test_it_fails_when_the_newest_row_was_deleted():
    events = record_events(3)

    with TriggersOff(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM crsv_mis_auditevent WHERE id = %s", [events[-1].id])

    assert "newest events are missing" in verify_failing()


@pytest.mark.django_db
def test_the_database_refuses_an_update_through_the_orm():
    event = record_events(1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.innocent")

    assert AuditEvent.objects.get(pk=event.pk).action == event.action


@pytest.mark.django_db
def test_the_database_refuses_an_update_in_sql():
    event = record_events(1)[0]

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE crsv_mis_auditevent SET action = %s WHERE id = %s", ["test.innocent", event.id])

    assert AuditEvent.objects.get(pk=event.pk).action == event.action


@pytest.mark.django_db
def test_the_database_refuses_a_delete():
    event = record_events(1)[0]

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_an_existing_event_cannot_be_saved_or_deleted_through_the_model():
    event = record_events(1)[0]
    event.action = "test.innocent"

    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()

    assert AuditEvent.objects.get(pk=event.pk).action == "test.event0"


@pytest.mark.django_db
def test_the_triggers_are_back_after_a_tampering_test():
    event = record_events(1)[0]
    with TriggersOff():
        pass

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.innocent")

"""The audit trail survives whoever controls the database. The role that owns the tables (not a
superuser) can lift the trigger and delete or cut off events, but cannot re-seal the chain without
AUDIT_CHAIN_KEY, and cannot reach the checkpoints written outside the database: `verify_audit_chain`
reports the rewrite. The role the application runs as cannot even try: no DDL, TRUNCATE, TRIGGER or
DELETE on the trail (grant_app_role)."""

import contextlib
import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from crsv_mis import audit, audit_checkpoints
from crsv_mis.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def role_name(kind):
    """A role per test database (roles are the cluster's); created in the test's transaction."""
    return f"{connection.settings_dict['NAME']}_{kind}"[:63]


@contextlib.contextmanager
def acting_as(role):
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {quoted}")
        try:
            yield cursor
        finally:
            cursor.execute("RESET ROLE")


@pytest.fixture
def owner():
    """The tables of the audit trail handed to an owner role that is not a superuser, as in a
    deployment where migrations run as that role."""
    role = role_name("owner")
    quoted = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quoted} NOLOGIN NOSUPERUSER")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
        for table in ("crsv_mis_auditevent", "crsv_mis_auditchainhead"):
            cursor.execute(f"ALTER TABLE {table} OWNER TO {quoted}")
    return role


@pytest.fixture
def app_role():
    role = role_name("app")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {connection.ops.quote_name(role)} NOLOGIN NOSUPERUSER")
    call_command("grant_app_role", role, stdout=io.StringIO())
    return role


def public_hash(prev_hash, event):
    """What anyone can compute: the chain's hash without the key (as it was before the key)."""
    return hashlib.sha256((prev_hash + audit._canonical(event)).encode()).hexdigest()


def verify_failing():
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", stdout=out, stderr=err)
    return err.getvalue()


def test_it_reports_an_event_the_owner_deleted_and_resealed_the_chain_over(owner):
    events = [audit.record("test.read", detail={"n": i}) for i in range(5)]
    call_command("verify_audit_chain", stdout=io.StringIO())

    with acting_as(owner) as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False,)
        cursor.execute("ALTER TABLE crsv_mis_auditevent DISABLE TRIGGER crsv_audit_no_update")
        cursor.execute("DELETE FROM crsv_mis_auditevent WHERE id = %s", [events[2].id])
        prev = audit.GENESIS
        for event in AuditEvent.objects.order_by("id"):
            new_hash = public_hash(prev, event)
            cursor.execute("UPDATE crsv_mis_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                           [prev, new_hash, event.id])
            prev = new_hash
        cursor.execute("UPDATE crsv_mis_auditchainhead SET last_hash = %s", [prev])
        cursor.execute("ALTER TABLE crsv_mis_auditevent ENABLE TRIGGER crsv_audit_no_update")

    assert AuditEvent.objects.count() == 4
    assert "content does not match its hash" in verify_failing()


def test_it_reports_the_newest_events_the_owner_cut_off_before_a_checkpoint(owner, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    events = [audit.record("test.read", detail={"n": i}) for i in range(5)]
    checkpoint = audit_checkpoints.write()
    assert checkpoint["event_id"] == events[-1].id

    # No key needed: drop the last two events and move the head back to what is left.
    with acting_as(owner) as cursor:
        cursor.execute("ALTER TABLE crsv_mis_auditevent DISABLE TRIGGER crsv_audit_no_update")
        cursor.execute("DELETE FROM crsv_mis_auditevent WHERE id >= %s", [events[3].id])
        cursor.execute("UPDATE crsv_mis_auditchainhead SET last_hash = %s", [events[2].hash])
        cursor.execute("ALTER TABLE crsv_mis_auditevent ENABLE TRIGGER crsv_audit_no_update")

    assert audit.verify_chain(checkpoints=False) == []  # the chain alone cannot tell
    assert f"event {events[-1].id} is missing" in verify_failing()


def test_the_app_role_can_neither_lift_truncate_delete_nor_alter_the_audit_trail(app_role):
    event = audit.record("test.read")
    attempts = [
        "ALTER TABLE crsv_mis_auditevent DISABLE TRIGGER crsv_audit_no_update",
        "ALTER TABLE crsv_mis_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER crsv_audit_no_update ON crsv_mis_auditevent",
        "TRUNCATE crsv_mis_auditevent CASCADE",
        "TRUNCATE crsv_mis_auditchainhead",
        f"DELETE FROM crsv_mis_auditevent WHERE id = {int(event.id)}",  # noqa: S608 - an integer id
        "DELETE FROM crsv_mis_auditchainhead",
        "ALTER TABLE crsv_mis_auditevent ADD COLUMN note text",
        "ALTER TABLE crsv_mis_auditevent OWNER TO CURRENT_USER",
        "CREATE TRIGGER sneak BEFORE INSERT ON crsv_mis_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION crsv_audit_append_only()",
        "CREATE TABLE crsv_mis_shadow (id int)",
        "DROP TABLE crsv_mis_auditevent",
    ]
    refused = []
    for statement in attempts:
        with contextlib.suppress(DatabaseError), transaction.atomic(), acting_as(app_role) as cursor:
            cursor.execute(statement)
            continue
        refused.append(statement)
    assert refused == attempts
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_app_role_still_records_verifies_and_erases_past_retention(app_role):
    with acting_as(app_role):
        events = [audit.record("test.read", detail={"n": i}) for i in range(3)]
        assert audit.anonymise(AuditEvent.objects.filter(pk=events[0].pk)) == 1
        assert audit.verify_chain() == []

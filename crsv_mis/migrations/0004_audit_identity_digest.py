"""The audit trail's personal fields can be erased past retention without breaking the chain.

Each event's hash now covers a salted digest of its personal fields (user, username, ip, reason,
detail) instead of the fields themselves (crsv_mis/audit.py). This migration:

1. drops the append-only triggers of 0002 (SQLite would lose them anyway when it rebuilds the
   table to add the columns);
2. adds the salt, the digest and the anonymised-at stamp;
3. re-seals the existing chain in order: every event gets a salt and a digest, and every hash is
   computed again. That rewrites the chain once, which is acceptable only because there is no
   production data yet (the demo and test databases are re-created freely); a deployment with a
   real trail would need to keep its old hashes verifiable instead;
4. re-creates the triggers: INSERT only, and the one UPDATE allowed is the erasure itself: the
   personal fields emptied, the salt emptied, `anonymised_at` set from empty, and every other column
   unchanged. DELETE stays refused.

Migrating back drops the columns and restores the old triggers, but not the old hashes: the
chain then needs re-sealing by the old code's rules before `verify_audit_chain` passes again.
"""

import hashlib
import json
import secrets

from django.db import migrations, models

from crsv_mis.triggers import trigger_operation

OLD = __import__("importlib").import_module("crsv_mis.migrations.0002_audit_append_only")

# Columns that no UPDATE may change.
KEPT = ("id", "at", "role", "action", "object_type", "object_id", "object_ref", "identity_digest", "prev_hash",
        "hash")

POSTGRES = """
CREATE OR REPLACE FUNCTION crsv_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.anonymised_at IS NULL AND NEW.anonymised_at IS NOT NULL
       AND NEW.user_id IS NULL AND NEW.username = '' AND NEW.ip IS NULL AND NEW.reason = ''
       AND NEW.detail = '{}'::jsonb AND NEW.identity_salt = ''
       AND (%(new)s) IS NOT DISTINCT FROM (%(old)s) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER crsv_audit_no_update BEFORE UPDATE OR DELETE ON crsv_mis_auditevent
    FOR EACH ROW EXECUTE FUNCTION crsv_audit_append_only();
""" % {"new": ", ".join(f"NEW.{c}" for c in KEPT), "old": ", ".join(f"OLD.{c}" for c in KEPT)}

_SQLITE_ERASURE = (
    "OLD.anonymised_at IS NULL AND NEW.anonymised_at IS NOT NULL AND NEW.user_id IS NULL AND NEW.username = '' "
    "AND NEW.ip IS NULL AND NEW.reason = '' AND NEW.detail = '{}' AND NEW.identity_salt = '' AND "
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT)
)
SQLITE = [
    f"""CREATE TRIGGER crsv_audit_no_update BEFORE UPDATE ON crsv_mis_auditevent
       WHEN NOT ({_SQLITE_ERASURE})
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
    """CREATE TRIGGER crsv_audit_no_delete BEFORE DELETE ON crsv_mis_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
]
SQLITE_REVERSE = OLD.SQLITE_REVERSE
POSTGRES_REVERSE = OLD.POSTGRES_REVERSE


def _dumps(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def reseal(apps, schema_editor):
    """Give every event a salt and a digest and chain the hashes again, oldest first. A copy of
    crsv_mis.audit's hashing as of this migration, so later changes there cannot alter it."""
    event_model = apps.get_model("crsv_mis", "AuditEvent")
    head_model = apps.get_model("crsv_mis", "AuditChainHead")
    prev = "0" * 64
    for event in event_model.objects.order_by("id").iterator():
        salt = secrets.token_hex(16)
        personal = {"user": event.user_id, "username": event.username, "ip": event.ip, "reason": event.reason,
                    "detail": event.detail}
        digest = hashlib.sha256((salt + _dumps(personal)).encode()).hexdigest()
        canonical = _dumps({"at": event.at.isoformat(), "role": event.role, "action": event.action,
                            "object_type": event.object_type, "object_id": event.object_id,
                            "object_ref": event.object_ref, "identity": digest})
        new_hash = hashlib.sha256((prev + canonical).encode()).hexdigest()
        event_model.objects.filter(pk=event.pk).update(identity_salt=salt, identity_digest=digest, prev_hash=prev,
                                                       hash=new_hash)
        prev = new_hash
    if prev != "0" * 64:
        head_model.objects.update_or_create(pk=1, defaults={"last_hash": prev})


class Migration(migrations.Migration):
    dependencies = [("crsv_mis", "0003_notification")]

    operations = [
        # The old triggers off (and back on when migrating back past this point).
        trigger_operation(OLD.POSTGRES_REVERSE, OLD.POSTGRES, OLD.SQLITE_REVERSE, OLD.SQLITE),
        migrations.AddField(model_name="auditevent", name="identity_salt",
                            field=models.CharField(blank=True, default="", max_length=32)),
        migrations.AddField(model_name="auditevent", name="identity_digest",
                            field=models.CharField(default="", max_length=64)),
        migrations.AddField(model_name="auditevent", name="anonymised_at",
                            field=models.DateTimeField(blank=True, null=True)),
        migrations.RunPython(reseal, migrations.RunPython.noop),
        trigger_operation(POSTGRES, POSTGRES_REVERSE, SQLITE, SQLITE_REVERSE),
    ]

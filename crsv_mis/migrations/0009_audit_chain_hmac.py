"""The audit chain is sealed with an HMAC under AUDIT_CHAIN_KEY instead of a bare SHA-256.

A bare hash chain can be recomputed by anyone who can write the database, after deleting or
editing a row; an HMAC needs a key the database never holds (crsv_mis/audit.py). This migration
re-seals the existing chain once, in order, under the key (the triggers of 0004 are lifted for it
and put back). As with 0004, rewriting the chain is acceptable only because there is no production
data yet. A database with events cannot be migrated without the key.
"""

import hashlib
import hmac
import importlib
import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from crsv_mis.triggers import trigger_operation

CURRENT = importlib.import_module("crsv_mis.migrations.0004_audit_identity_digest")


def _dumps(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def reseal(apps, schema_editor):
    """Chain every event again under the key, oldest first. A copy of crsv_mis.audit's hashing as of
    this migration, so later changes there cannot alter it."""
    event_model = apps.get_model("crsv_mis", "AuditEvent")
    head_model = apps.get_model("crsv_mis", "AuditChainHead")
    if not event_model.objects.exists():
        return
    if not settings.AUDIT_CHAIN_KEY:
        raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be set to re-seal the existing audit trail.")
    key = settings.AUDIT_CHAIN_KEY.encode()
    prev = "0" * 64
    for event in event_model.objects.order_by("id").iterator():
        canonical = _dumps({"at": event.at.isoformat(), "role": event.role, "action": event.action,
                            "object_type": event.object_type, "object_id": event.object_id,
                            "object_ref": event.object_ref, "identity": event.identity_digest})
        new_hash = hmac.new(key, (prev + canonical).encode(), hashlib.sha256).hexdigest()
        event_model.objects.filter(pk=event.pk).update(prev_hash=prev, hash=new_hash)
        prev = new_hash
    head_model.objects.update_or_create(pk=1, defaults={"last_hash": prev})


class Migration(migrations.Migration):
    dependencies = [("crsv_mis", "0008_audit_trail_indexes")]

    operations = [
        trigger_operation(CURRENT.POSTGRES_REVERSE, CURRENT.POSTGRES, CURRENT.SQLITE_REVERSE, CURRENT.SQLITE),
        migrations.RunPython(reseal, migrations.RunPython.noop),
        trigger_operation(CURRENT.POSTGRES, CURRENT.POSTGRES_REVERSE, CURRENT.SQLITE, CURRENT.SQLITE_REVERSE),
    ]

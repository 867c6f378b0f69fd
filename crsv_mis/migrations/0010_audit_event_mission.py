"""Each audit event names the mission it belongs to, so that an auditor reads her own mission's
trail only.

1. the append-only triggers of 0004 off (an UPDATE is needed once, and SQLite rebuilds the table);
2. the column added, and every existing event given the mission of the person who acted (an event of
   no person, or of a person of no mission, stays of no mission: no mission's auditor reads it);
3. the triggers back, the new column among those no UPDATE may change.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from crsv_mis.triggers import trigger_operation

PREVIOUS = __import__("importlib").import_module("crsv_mis.migrations.0004_audit_identity_digest")

KEPT = (*PREVIOUS.KEPT, "mission_id")

POSTGRES = PREVIOUS.POSTGRES.replace(
    "(%s) IS NOT DISTINCT FROM (%s)" % (", ".join(f"NEW.{c}" for c in PREVIOUS.KEPT),
                                        ", ".join(f"OLD.{c}" for c in PREVIOUS.KEPT)),
    "(%s) IS NOT DISTINCT FROM (%s)" % (", ".join(f"NEW.{c}" for c in KEPT), ", ".join(f"OLD.{c}" for c in KEPT)))
SQLITE = [statement.replace("NEW.hash IS OLD.hash", "NEW.hash IS OLD.hash AND NEW.mission_id IS OLD.mission_id")
          for statement in PREVIOUS.SQLITE]
POSTGRES_REVERSE = PREVIOUS.POSTGRES_REVERSE
SQLITE_REVERSE = PREVIOUS.SQLITE_REVERSE
if POSTGRES == PREVIOUS.POSTGRES or SQLITE == PREVIOUS.SQLITE:
    raise RuntimeError("the triggers of 0004 changed: write this migration's own")


def missions_of_the_people(apps, schema_editor):
    event_model = apps.get_model("crsv_mis", "AuditEvent")
    user_model = apps.get_model("crsv_mis", "User")
    event_model.objects.filter(user__isnull=False).update(
        mission_id=Subquery(user_model.objects.filter(pk=OuterRef("user_id")).values("mission_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("crsv_mis", "0009_audit_chain_hmac"),
    ]

    operations = [
        trigger_operation(PREVIOUS.POSTGRES_REVERSE, PREVIOUS.POSTGRES, PREVIOUS.SQLITE_REVERSE, PREVIOUS.SQLITE),
        migrations.AddField(
            model_name="auditevent",
            name="mission",
            field=models.ForeignKey(blank=True, null=True, on_delete=models.deletion.PROTECT, related_name="+",
                                    to="crsv_mis.mission"),
        ),
        migrations.RunPython(missions_of_the_people, migrations.RunPython.noop),
        trigger_operation(POSTGRES, POSTGRES_REVERSE, SQLITE, SQLITE_REVERSE),
    ]

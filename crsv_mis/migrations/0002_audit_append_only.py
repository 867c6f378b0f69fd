"""The database itself refuses UPDATE and DELETE on the audit trail."""

from django.db import migrations

from crsv_mis.triggers import trigger_operation

POSTGRES = """
CREATE OR REPLACE FUNCTION crsv_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER crsv_audit_no_update BEFORE UPDATE OR DELETE ON crsv_mis_auditevent
    FOR EACH ROW EXECUTE FUNCTION crsv_audit_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS crsv_audit_no_update ON crsv_mis_auditevent;
DROP FUNCTION IF EXISTS crsv_audit_append_only();
"""
SQLITE = [
    """CREATE TRIGGER crsv_audit_no_update BEFORE UPDATE ON crsv_mis_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
    """CREATE TRIGGER crsv_audit_no_delete BEFORE DELETE ON crsv_mis_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS crsv_audit_no_update;", "DROP TRIGGER IF EXISTS crsv_audit_no_delete;"]


class Migration(migrations.Migration):
    dependencies = [("crsv_mis", "0001_initial")]
    operations = [trigger_operation(POSTGRES, POSTGRES_REVERSE, SQLITE, SQLITE_REVERSE)]

"""The database itself refuses to change a released quarterly report or a stored report file.

A released version is what leadership read and what the audit trail's download checksums refer to;
reporting.services refuses the change first, this catches anything that goes around it (a script,
the admin, a queryset update). Rows can still be inserted; DELETE is left to the foreign keys
(PROTECT) so that a test database can be flushed.
"""

from django.db import migrations

from crsv_mis.triggers import trigger_operation

MESSAGE = "a released quarterly report never changes"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION reporting_released_report_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reporting_released_report_no_update BEFORE UPDATE ON reporting_quarterlyreport
    FOR EACH ROW WHEN (OLD.status = 'RELEASED') EXECUTE FUNCTION reporting_released_report_immutable();
CREATE TRIGGER reporting_report_file_no_update BEFORE UPDATE ON reporting_reportfile
    FOR EACH ROW EXECUTE FUNCTION reporting_released_report_immutable();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS reporting_released_report_no_update ON reporting_quarterlyreport;
DROP TRIGGER IF EXISTS reporting_report_file_no_update ON reporting_reportfile;
DROP FUNCTION IF EXISTS reporting_released_report_immutable();
"""
SQLITE = [
    f"""CREATE TRIGGER reporting_released_report_no_update BEFORE UPDATE ON reporting_quarterlyreport
       FOR EACH ROW WHEN OLD.status = 'RELEASED' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER reporting_report_file_no_update BEFORE UPDATE ON reporting_reportfile
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS reporting_released_report_no_update;",
                  "DROP TRIGGER IF EXISTS reporting_report_file_no_update;"]


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [trigger_operation(POSTGRES, POSTGRES_REVERSE, SQLITE, SQLITE_REVERSE)]

"""The database refuses to delete a released quarterly report or a stored report file.

Files are written only at release, so every stored file belongs to a released version: deleting one
would break the downloads whose checksums the audit trail holds. PostgreSQL flushes a test database
with TRUNCATE, which row triggers do not see; on SQLite the tests drop these triggers before a flush
(tests/conftest.py).
"""

from django.db import migrations

from crsv_mis.triggers import trigger_operation

MESSAGE = "a released quarterly report is never deleted"

POSTGRES = f"""
CREATE OR REPLACE FUNCTION reporting_released_report_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reporting_released_report_no_delete BEFORE DELETE ON reporting_quarterlyreport
    FOR EACH ROW WHEN (OLD.status = 'RELEASED') EXECUTE FUNCTION reporting_released_report_kept();
CREATE TRIGGER reporting_report_file_no_delete BEFORE DELETE ON reporting_reportfile
    FOR EACH ROW EXECUTE FUNCTION reporting_released_report_kept();
"""
POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS reporting_released_report_no_delete ON reporting_quarterlyreport;
DROP TRIGGER IF EXISTS reporting_report_file_no_delete ON reporting_reportfile;
DROP FUNCTION IF EXISTS reporting_released_report_kept();
"""
SQLITE = [
    f"""CREATE TRIGGER reporting_released_report_no_delete BEFORE DELETE ON reporting_quarterlyreport
       FOR EACH ROW WHEN OLD.status = 'RELEASED' BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER reporting_report_file_no_delete BEFORE DELETE ON reporting_reportfile
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS reporting_released_report_no_delete;",
                  "DROP TRIGGER IF EXISTS reporting_report_file_no_delete;"]


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_released_reports_immutable")]
    operations = [trigger_operation(POSTGRES, POSTGRES_REVERSE, SQLITE, SQLITE_REVERSE)]

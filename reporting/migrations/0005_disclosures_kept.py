"""The database keeps every disclosure request, and never changes one that was decided or sent.

A sent disclosure is the record of what left the mission: its row, the incidents it asked about, the
consent check of each victim and the file (whose checksum the audit trail holds) must stay as they
were. reporting.disclosures refuses first; these triggers catch anything that goes around it (a
script, the admin, a queryset update). Refused and cancelled requests are decisions on record and
never change either. No disclosure row is ever deleted; the incidents of a request are fixed once it
left REQUESTED (no line added later). PostgreSQL flushes a test database with TRUNCATE, which row
triggers do not see; on SQLite the tests drop these triggers before a flush (tests/conftest.py).
"""

from django.db import migrations

from crsv_mis.triggers import trigger_operation

MESSAGE = "a disclosure on record never changes and is never deleted"
FINAL = "('SENT', 'REFUSED', 'CANCELLED')"
KEPT_TABLES = ("reporting_disclosureincident", "reporting_disclosedvictim", "reporting_disclosurefile")

POSTGRES = f"""
CREATE OR REPLACE FUNCTION reporting_disclosure_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reporting_disclosure_no_update BEFORE UPDATE ON reporting_disclosure
    FOR EACH ROW WHEN (OLD.state IN {FINAL}) EXECUTE FUNCTION reporting_disclosure_kept();
CREATE TRIGGER reporting_disclosure_no_delete BEFORE DELETE ON reporting_disclosure
    FOR EACH ROW EXECUTE FUNCTION reporting_disclosure_kept();
CREATE OR REPLACE FUNCTION reporting_disclosure_line_fixed() RETURNS trigger AS $$
BEGIN
    IF (SELECT state FROM reporting_disclosure WHERE id = NEW.disclosure_id) <> 'REQUESTED' THEN
        RAISE EXCEPTION '{MESSAGE}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reporting_disclosureincident_no_insert BEFORE INSERT ON reporting_disclosureincident
    FOR EACH ROW EXECUTE FUNCTION reporting_disclosure_line_fixed();
""" + "".join(f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION reporting_disclosure_kept();
CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION reporting_disclosure_kept();
""" for table in KEPT_TABLES)

POSTGRES_REVERSE = "".join(f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP TRIGGER IF EXISTS {table}_no_delete ON {table};
""" for table in KEPT_TABLES) + """
DROP TRIGGER IF EXISTS reporting_disclosureincident_no_insert ON reporting_disclosureincident;
DROP FUNCTION IF EXISTS reporting_disclosure_line_fixed();
DROP TRIGGER IF EXISTS reporting_disclosure_no_update ON reporting_disclosure;
DROP TRIGGER IF EXISTS reporting_disclosure_no_delete ON reporting_disclosure;
DROP FUNCTION IF EXISTS reporting_disclosure_kept();
"""

SQLITE = [
    f"""CREATE TRIGGER reporting_disclosure_no_update BEFORE UPDATE ON reporting_disclosure
       FOR EACH ROW WHEN OLD.state IN {FINAL} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER reporting_disclosure_no_delete BEFORE DELETE ON reporting_disclosure
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER reporting_disclosureincident_no_insert BEFORE INSERT ON reporting_disclosureincident
       FOR EACH ROW WHEN (SELECT state FROM reporting_disclosure WHERE id = NEW.disclosure_id) <> 'REQUESTED'
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
] + [statement for table in KEPT_TABLES for statement in (
    f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
)]

SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {table}_{op};" for table in KEPT_TABLES for op in ("no_update", "no_delete")] + [
    "DROP TRIGGER IF EXISTS reporting_disclosureincident_no_insert;",
    "DROP TRIGGER IF EXISTS reporting_disclosure_no_update;",
    "DROP TRIGGER IF EXISTS reporting_disclosure_no_delete;",
]


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_disclosures")]
    operations = [trigger_operation(POSTGRES, POSTGRES_REVERSE, SQLITE, SQLITE_REVERSE)]

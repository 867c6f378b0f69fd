"""The keeping triggers of reporting_disclosurefile, created again on SQLite.

SQLite alters a column by copying the table into a new one, and the copy has none of the old table's
triggers: 0007 (the file's column marked encrypted) silently dropped them there. PostgreSQL alters
in place and kept them; nothing changes there.
"""

import importlib

from django.db import migrations

from crsv_mis.triggers import trigger_operation

kept = importlib.import_module("reporting.migrations.0005_disclosures_kept")
TABLE = "reporting_disclosurefile"
SQLITE = [statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1)
          for statement in kept.SQLITE if f" ON {TABLE}\n" in statement or f" ON {TABLE} " in statement]


class Migration(migrations.Migration):
    dependencies = [("reporting", "0007_disclosure_file_marked_encrypted")]
    operations = [trigger_operation("", "", SQLITE, [])]

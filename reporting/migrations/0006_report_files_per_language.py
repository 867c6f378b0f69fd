"""A released version's files are stored once per language (English and French).

On SQLite, changing the table rebuilds it and drops its triggers: they are created again, so a
stored file still can be neither changed nor deleted (0002, 0003). PostgreSQL keeps them.
"""

from django.db import migrations, models

from crsv_mis.triggers import per_vendor

UPDATE_MESSAGE = "a released quarterly report never changes"
DELETE_MESSAGE = "a released quarterly report is never deleted"
SQLITE = [
    "DROP TRIGGER IF EXISTS reporting_report_file_no_update;",
    "DROP TRIGGER IF EXISTS reporting_report_file_no_delete;",
    f"""CREATE TRIGGER reporting_report_file_no_update BEFORE UPDATE ON reporting_reportfile
       BEGIN SELECT RAISE(ABORT, '{UPDATE_MESSAGE}'); END;""",
    f"""CREATE TRIGGER reporting_report_file_no_delete BEFORE DELETE ON reporting_reportfile
       BEGIN SELECT RAISE(ABORT, '{DELETE_MESSAGE}'); END;""",
]


class Migration(migrations.Migration):

    dependencies = [
        ("reporting", "0005_disclosures_kept"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reportfile",
            name="reporting_file_once",
        ),
        migrations.AddField(
            model_name="reportfile",
            name="language",
            field=models.CharField(choices=[("en", "English"), ("fr", "Français")], default="en", max_length=8),
        ),
        migrations.AddConstraint(
            model_name="reportfile",
            constraint=models.UniqueConstraint(fields=("report", "edition", "format", "language"),
                                               name="reporting_file_once_per_language"),
        ),
        migrations.RunPython(per_vendor("", SQLITE), per_vendor("", SQLITE)),
    ]

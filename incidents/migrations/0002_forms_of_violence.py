from django.db import migrations

CODES = [
    "RAPE", "ATTEMPTED_RAPE", "SEXUAL_SLAVERY", "FORCED_PROSTITUTION", "FORCED_PREGNANCY", "FORCED_ABORTION",
    "ENFORCED_STERILIZATION", "FORCED_MARRIAGE", "SEXUAL_MUTILATION", "TRAFFICKING_SEXUAL", "SEXUAL_TORTURE",
    "OTHER_COMPARABLE",
]


def add_forms(apps, schema_editor):
    FormOfViolence = apps.get_model("incidents", "FormOfViolence")
    for code in CODES:
        FormOfViolence.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(add_forms, migrations.RunPython.noop)]

"""Each audit event names the mission whose retention period and legal holds govern it, so that one
mission's retention pass never erases another mission's trail (lifecycle/retention.py). Events
recorded before have none and are treated as every mission's: erased only past the longest period,
and never while any mission holds the record they are about. Adding the column leaves the
append-only triggers of 0004 in place (a nullable column is added without rebuilding the table).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crsv_mis', '0009_audit_chain_hmac'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='mission',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='crsv_mis.mission'),
        ),
    ]

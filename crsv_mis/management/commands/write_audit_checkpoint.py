"""Sign the audit chain's head into AUDIT_CHECKPOINT_DIR (what beat does every ten minutes), for a
deployment that schedules it by cron instead, or before a risky operation."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from crsv_mis import audit_checkpoints


class Command(BaseCommand):
    help = "Write a signed checkpoint of the audit chain's head outside the database (AUDIT_CHECKPOINT_DIR)."

    def handle(self, *args, **options):
        try:
            checkpoint = audit_checkpoints.write()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if checkpoint is None:
            self.stdout.write("The audit trail is empty: no checkpoint written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Checkpoint written: event {checkpoint['event_id']}"))

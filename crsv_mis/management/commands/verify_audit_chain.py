"""Check the audit trail against the chain key and every checkpoint written outside the database;
exit 1 and list the breaks if any."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from crsv_mis import audit_checkpoints
from crsv_mis.audit import verify_chain
from crsv_mis.models import AuditEvent


class Command(BaseCommand):
    help = ("Verify that no audit event was edited, removed or reordered: the HMAC chain under AUDIT_CHAIN_KEY "
            "and every signed checkpoint in AUDIT_CHECKPOINT_DIR.")

    def handle(self, *args, **options):
        try:
            problems = verify_chain()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(ngettext("Audit chain broken: %(n)s problem.", "Audit chain broken: %(n)s problems.",
                                        len(problems)) % {"n": len(problems)})
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} events"))
        if audit_checkpoints.directory() is None:
            self.stdout.write(self.style.WARNING(
                "No AUDIT_CHECKPOINT_DIR: checked against the chain key only; newest events cut off with the "
                "head moved back would not show."))
        elif checked := len(audit_checkpoints.read()):
            self.stdout.write(f"Checkpoints outside the database: {checked} checked")
        else:
            self.stdout.write(self.style.WARNING(
                f"No checkpoint in {audit_checkpoints.directory()} yet: is beat running, and is this the worker's "
                "checkpoint volume?"))

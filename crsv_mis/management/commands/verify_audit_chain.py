"""Check the hash chain of the audit trail; exit 1 and list the breaks if any."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from crsv_mis.audit import verify_chain
from crsv_mis.models import AuditEvent


class Command(BaseCommand):
    help = "Verify that no audit event was edited, removed or reordered."

    def handle(self, *args, **options):
        problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(ngettext("Audit chain broken: %(n)s problem.", "Audit chain broken: %(n)s problems.",
                                        len(problems)) % {"n": len(problems)})
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} events"))

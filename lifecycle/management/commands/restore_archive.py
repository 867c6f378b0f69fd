"""Restore an archive into an empty database (same ids; encrypted fields encrypted with this
database's FIELD_ENCRYPTION_KEYS), then check every table and the audit chain."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from lifecycle import archive
from lifecycle.archive_file import KEY_ENV, ArchiveError, load_key


class Command(BaseCommand):
    help = (f"Restore an archive into this EMPTY, migrated database (key from {KEY_ENV} or --key-file). "
            "Refuses a database that holds records, and an archive that does not verify.")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--key-file", help="A file holding the archive key (base64).")
        parser.add_argument("--by", metavar="USERNAME",
                            help="An account of the archive responsible for the restore (audited).")

    def handle(self, *args, path, key_file, by, **options):
        self.verbosity = options["verbosity"]
        try:
            restored = archive.restore(path, load_key(key_file), by_username=by or "", progress=self._progress)
        except (ArchiveError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from None
        summary = restored.summary
        self.stdout.write(self.style.SUCCESS(
            f"Restored archive {summary.archive_id}: {restored.inserted} rows of {len(summary.models)} models; "
            f"every table matches the manifest and the audit chain ({summary.audit_events} events, "
            "plus this restore) is valid."))
        self.stdout.write("Accounts have no usable password: set one for each person who needs to log in.")

    def _progress(self, label, rows):
        if self.verbosity > 1:
            self.stdout.write(f"  {label}: {rows} rows")

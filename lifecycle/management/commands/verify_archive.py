"""Check an archive without restoring it: every segment, every count and checksum against the
manifest, and the audit chain inside it. Writes nothing to any database."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from lifecycle import archive
from lifecycle.archive_file import KEY_ENV, ArchiveError, load_key


class Command(BaseCommand):
    help = f"Verify an archive (key from {KEY_ENV} or --key-file); exit 1 on any problem."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--key-file", help="A file holding the archive key (base64).")

    def handle(self, *args, path, key_file, **options):
        self.verbosity = options["verbosity"]
        try:
            summary = archive.verify(path, load_key(key_file))
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        header = summary.header
        self.stdout.write(f"Archive {summary.archive_id}, format {header.get('format')}, written "
                          f"{header.get('created_at')} by {header.get('created_by')}")
        missions = ", ".join(f"{m['code']} ({m['name']})" for m in header.get("missions", []))
        self.stdout.write(f"Missions: {missions or 'none'}")
        self.stdout.write(f"{summary.segments} segments, {summary.rows} rows of {len(summary.models)} models")
        if self.verbosity > 1:
            for label, section in summary.models.items():
                self.stdout.write(f"  {label}: {section['rows']}")
        self.stdout.write(f"Audit trail: {summary.audit_events} events, head {summary.audit_head}")
        if summary.problems:
            for problem in summary.problems:
                self.stderr.write(problem)
            raise CommandError(ngettext("Archive NOT valid: %(n)s problem.", "Archive NOT valid: %(n)s problems.",
                                        len(summary.problems)) % {"n": len(summary.problems)})
        self.stdout.write(self.style.SUCCESS("Archive intact: every segment, count and checksum matches its "
                                             "manifest, and the audit chain is valid."))

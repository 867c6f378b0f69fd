"""Write the mission-closure archive: every record of one mission, its history, the audit trail and
the released reports, encrypted with the archive key (lifecycle/archive.py)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lifecycle import archive
from lifecycle.archive_file import KEY_ENV, ArchiveError, load_key, write_new_key


class Command(BaseCommand):
    help = (f"Write an encrypted archive of one mission (--mission CODE; the only one when the database "
            f"holds one) to PATH. The key comes from {KEY_ENV} "
            "(base64), --key-file, or --new-key FILE (a new key, written to FILE).")

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the archive (never overwritten).")
        keys = parser.add_mutually_exclusive_group()
        keys.add_argument("--key-file", help="A file holding the archive key (base64).")
        keys.add_argument("--new-key", metavar="FILE",
                          help="Make a new key and write it to FILE (a new file, readable by its owner only).")
        parser.add_argument("--mission", metavar="CODE", help="The code of the mission to archive.")
        parser.add_argument("--by", metavar="USERNAME", help="The account responsible for the export (audited).")

    def handle(self, *args, path, key_file, new_key, by, mission, **options):
        self.verbosity = options["verbosity"]
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"No account named {by!r}.")
        try:
            mission = archive.archived_mission(mission)
            if new_key:
                key = write_new_key(new_key)
                self.stdout.write(f"New archive key written to {new_key}. Keep it apart from the archive: "
                                  "without it the archive cannot be read.")
            else:
                key = load_key(key_file)
            summary = archive.export(path, key, mission=mission, by=user, progress=self._progress)
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        for problem in summary.problems:
            self.stderr.write(f"Warning, already so in the database: {problem}")
        self.stdout.write(self.style.SUCCESS(
            f"Archive {summary.archive_id} written to {path}: {summary.rows} rows of {len(summary.models)} "
            f"models, {summary.audit_events} audit events, {summary.segments} segments."))
        self.stdout.write(f"File SHA-256 {summary.file_sha256}; summary in {archive.summary_path(path)}.")

    def _progress(self, label, rows):
        if self.verbosity > 1:
            self.stdout.write(f"  {label}: {rows} rows")

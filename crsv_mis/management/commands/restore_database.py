"""Restore a backup of `make backup` into the empty database of DATABASE_URL, then check row counts,
encrypted fields and the audit chain (crsv_mis/backup.py). `make restore FILE=...` calls it."""

from django.core.management.base import BaseCommand, CommandError

from crsv_mis.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Restore a backup into an empty database (DATABASE_URL) and check it: row counts against the "
            "manifest, every encrypted value readable with FIELD_ENCRYPTION_KEYS, the audit chain.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .dump file written by make backup (its .json manifest beside it).")

    def handle(self, *args, file, **options):
        try:
            problems = restore(file, log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"The restored database fails {len(problems)} check(s): do not use it as is.")
        self.stdout.write(self.style.SUCCESS("Restore complete and checked."))

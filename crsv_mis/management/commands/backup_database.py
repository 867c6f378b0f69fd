"""Dump DATABASE_URL into BACKUP_DIR/crsv-YYYYmmdd-HHMMSS.dump with its manifest (crsv_mis/backup.py).
`make backup` calls it. The field keys are not in the dump: they are backed up separately."""

from django.core.management.base import BaseCommand, CommandError

from crsv_mis.backup import BackupError, backup, manifest_path


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) with a manifest of row counts; the encryption keys are not in it."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default="backups", help="Directory of the backup files (default backups).")

    def handle(self, *args, output_dir="backups", **options):
        try:
            dump = backup(output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written: {dump} (manifest {manifest_path(dump)})."))
        self.stdout.write("The field encryption keys are NOT in it: without FIELD_ENCRYPTION_KEYS from the key "
                          "backup, the encrypted fields of this dump cannot be read.")

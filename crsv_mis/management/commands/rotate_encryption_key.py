"""Re-encrypt every protected field with the newest key of FIELD_ENCRYPTION_KEYS (crsv_mis/keyrotation.py).

    FIELD_ENCRYPTION_KEYS=NEW,OLD manage.py rotate_encryption_key [--dry-run] [--batch-size N] [--max-values N]

Safe to stop and run again: what is already under the newest key is skipped. Exits 1 when a value
is readable by no key (listed by table, row and column, never its content)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crsv_mis import audit
from crsv_mis.keyrotation import key_fingerprint, protected_tables, rotate_table


class Command(BaseCommand):
    help = ("Re-encrypt every encrypted field (and encrypted file) with the first key of FIELD_ENCRYPTION_KEYS; "
            "the older keys in the list must still be there to read what is re-encrypted.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Count what would be re-encrypted; write nothing.")
        parser.add_argument("--batch-size", type=int, default=500, help="Rows per transaction (default 500).")
        parser.add_argument("--max-values", type=int, default=None,
                            help="Stop after about this many values (a rotation in stages; run again to go on).")

    def handle(self, *args, dry_run=False, batch_size=500, max_values=None, **options):
        self.verbosity = options.get("verbosity", 1)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        keys = settings.FIELD_ENCRYPTION_KEYS
        newest = key_fingerprint(keys[0])
        self.stdout.write(f"{'Dry run: ' if dry_run else ''}re-encrypting with key {newest} "
                          f"({len(keys)} key(s) configured; the older ones only decrypt).")
        if not dry_run:
            audit.record("encryption.rotate_start", detail={"key": newest, "keys": len(keys)})
        started = time.monotonic()
        results, left = [], max_values
        for protected in protected_tables():
            if left is not None and left <= 0:
                break
            progress = rotate_table(protected, batch_size=batch_size, dry_run=dry_run, max_rotated=left,
                                    on_batch=self._show)
            results.append(progress)
            if left is not None:
                left -= progress.rotated
            if not progress.rows_seen:
                self._show(progress)
        seconds = time.monotonic() - started
        rotated = sum(p.rotated for p in results)
        rows = sum(p.rows_seen for p in results)
        unreadable = [(p.table.label, pk, column) for p in results for pk, column in p.unreadable]
        complete = len(results) == len(protected_tables()) and all(p.rows_seen >= p.rows_total for p in results)
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(f"{verb} {rotated} value(s) in {rows} row(s) of {len(results)} table(s) in {seconds:.1f} s"
                          f" ({rows / seconds if seconds else 0:.0f} rows/s); "
                          f"{sum(p.already_new for p in results)} already under the newest key.")
        if not dry_run:
            audit.record("encryption.rotate", detail={
                "key": newest, "values": rotated, "rows": rows, "tables": len(results), "complete": complete,
                "unreadable": len(unreadable)})
        if not complete and not unreadable:
            self.stdout.write("Stopped before the end (--max-values): run again to go on.")
        if unreadable:
            for label, pk, column in unreadable[:50]:
                self.stderr.write(f"no key decrypts {label} row {pk} column {column}")
            raise CommandError(f"{len(unreadable)} value(s) readable by no configured key: keep every old key "
                               "in FIELD_ENCRYPTION_KEYS until this is resolved.")
        if not dry_run and complete:
            self.stdout.write(self.style.SUCCESS(
                "Every protected value is under the newest key: the older keys can be removed from "
                "FIELD_ENCRYPTION_KEYS (keep them with the backups taken before today)."))

    def _show(self, progress):
        if self.verbosity:
            self.stdout.write(f"  {progress.table.label}: {progress.rows_seen}/{progress.rows_total} rows, "
                              f"{progress.rotated} re-encrypted, {progress.already_new} already new")

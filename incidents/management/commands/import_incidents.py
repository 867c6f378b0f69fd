"""manage.py import_incidents FILE [--dry-run] [--as USERNAME] [--valid-rows] [--include-duplicates]

Checks an incident matrix (XLSX or CSV, the template's format) and imports it for the mission of
the SWPA named by --as (without it, the only active SWPA there is), in this process, with progress
printed. The report lists every bad row, column and reason, as on the page. Exit status 1 when rows
fail (or, with --dry-run, would fail); nothing is written then, unless --valid-rows asks to import
the valid rows and write the others to a file to fix (--fix-file, default FILE.to-fix.xlsx).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from crsv_mis import access, audit
from crsv_mis.models import User
from incidents.imports import reading, services
from incidents.models import ImportMode, ImportState


class Command(BaseCommand):
    help = "Check and import an incident matrix (XLSX or CSV)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username",
                            help="the SWPA the incidents are recorded by (their mission is used); "
                                 "may be left out when there is one active SWPA")
        parser.add_argument("--dry-run", action="store_true", help="check and print the report; write nothing")
        parser.add_argument("--valid-rows", action="store_true",
                            help="import the valid rows even if others fail, and write the others to a file to fix")
        parser.add_argument("--include-duplicates", action="store_true",
                            help="also import rows flagged as possible duplicates")
        parser.add_argument("--fix-file", type=Path, help="where to write the rows to fix (with --valid-rows)")

    def handle(self, *args, file, username, dry_run, valid_rows, include_duplicates, fix_file, **options):
        user = self._importer(username)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        if dry_run:
            return self._dry_run(file, data, user)
        incident_import = services.upload(by=user, file_name=file.name, data=data)
        incident_import = services.check_import(incident_import.pk)
        if incident_import.state == ImportState.FAILED:
            raise CommandError(incident_import.error)
        self._print_report(services.report(incident_import), incident_import)
        if incident_import.rows_invalid and not valid_rows:
            services.discard(incident_import, by=user)
            self.stderr.write("Nothing was written: fix the rows above, or use --valid-rows.")
            raise SystemExit(1)
        try:
            incident_import = services.choose(
                incident_import, by=user, mode=ImportMode.VALID_ROWS if valid_rows else ImportMode.ALL_OR_NOTHING,
                include_duplicates=include_duplicates)
        except services.RuleError as error:
            services.discard(incident_import, by=user)
            raise CommandError(str(error)) from None
        last = [-1]

        def echo(percent, step):
            if percent // 10 != last[0]:
                last[0] = percent // 10
                self.stdout.write(f"  {percent:3d}% {step}")

        incident_import = services.run_import(incident_import.pk, echo=echo)
        if incident_import.state != ImportState.DONE:
            raise CommandError(incident_import.error or f"The import stopped ({incident_import.state}).")
        incidents = ngettext("Imported %(n)s incident", "Imported %(n)s incidents",
                             incident_import.incidents_written) % {"n": incident_import.incidents_written}
        rows = ngettext("from %(n)s row", "from %(n)s rows", incident_import.rows_written) % {
            "n": incident_import.rows_written}
        self.stdout.write(f"{incidents} {rows} (import {incident_import.pk}; SHA-256 {incident_import.sha256}).")
        fix = services.fix_file_of(incident_import)
        if fix:
            target = fix_file or file.with_name(file.stem + ".to-fix.xlsx")
            target.write_bytes(services.download_fix_file(incident_import, by=user)[0])
            services.discard(incident_import, by=user)
            self.stdout.write(f"Rows not imported, with the reasons: {target}")
        if incident_import.rows_invalid:
            raise SystemExit(1)
        return None

    @staticmethod
    def _importer(username):
        """The SWPA the import is recorded by: the one named, or the only one there is."""
        if username is None:
            swpas = [u for u in User.objects.filter(is_active=True, role="SWPA") if access.can_import_incidents(u)]
            if len(swpas) != 1:
                raise CommandError("Name the SWPA the incidents are recorded by with --as USERNAME "
                                   f"({len(swpas)} active SWPAs can import).")
            return swpas[0]
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not access.can_import_incidents(user):
            raise CommandError(f"{username!r} is not an active SWPA of a mission: only the SWPA imports.")
        return user

    def _dry_run(self, file, data, user):
        try:
            sheet, result = services.read_and_check(data, file.name, user.mission)
        except reading.FileError as error:
            raise CommandError(str(error)) from None
        report = services.report_of(sheet, result)
        audit.record("incident_import.dry_run", user=user, detail={
            "sha256": services.checksum(data), "rows_total": result.rows_total, "rows_invalid": result.rows_invalid})
        self._print_report(report, None, result=result)
        self.stdout.write("Dry run: nothing was written.")
        if result.rows_invalid:
            raise SystemExit(1)

    def _print_report(self, report, incident_import, result=None):
        counts = incident_import or result
        skipped = len(report.get("skipped", []))
        parts = [
            ngettext("%(n)s row read", "%(n)s rows read", counts.rows_total) % {"n": counts.rows_total},
            ngettext("%(n)s right", "%(n)s right", counts.rows_valid) % {"n": counts.rows_valid},
            ngettext("%(n)s with errors", "%(n)s with errors", counts.rows_invalid) % {"n": counts.rows_invalid},
            ngettext("%(n)s possible duplicate", "%(n)s possible duplicates", counts.rows_duplicate)
            % {"n": counts.rows_duplicate},
            ngettext("%(n)s empty row skipped", "%(n)s empty rows skipped", skipped) % {"n": skipped},
        ]
        self.stdout.write(f"{report.get('file_kind', '')}: {', '.join(parts)}.")
        for problem in report.get("problems", []):
            column = f", {problem['column']}" if problem["column"] else ""
            self.stdout.write(f"  row {problem['row']}{column}: {problem['reason']}")
        for duplicate in report.get("duplicates", []):
            self.stdout.write(f"  rows {', '.join(map(str, duplicate['rows']))}: {duplicate['reason']} "
                              "(left out unless --include-duplicates)")
        if report.get("problems_total", 0) > len(report.get("problems", [])):
            self.stdout.write(f"  ... and {report['problems_total'] - len(report['problems'])} more.")

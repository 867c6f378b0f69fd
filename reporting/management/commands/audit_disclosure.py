"""Audit what one audience receives of a quarter's figures, as a statistician would attack it.

    manage.py audit_disclosure --quarter 2026Q3 [--mission CODE] [--audience external|leadership]
                               [--report-version N]

For every withheld count ("<5" or "x") of every table the audience receives (reporting.audience_audit:
the released versions of the quarter and of those around it; with --report-version, that version as if it
were released; leadership's dashboard shows the same frozen cells), prints the smallest and largest value a
reader can work out, and PASS or FAIL. Exits with status 1 when a count fails.
"""

import re

from django.core.management.base import BaseCommand, CommandError

from crsv_mis.disclosure_audit import describe
from crsv_mis.models import Mission
from reporting import audience_audit
from reporting.models import QuarterlyReport


def parse_quarter(text):
    """"2026Q3" (or "2026-Q3") -> (2026, 3)."""
    found = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", (text or "").strip())
    if not found:
        raise CommandError(f"Not a quarter: {text!r} (for example 2026Q3).")
    return int(found[1]), int(found[2])


class Command(BaseCommand):
    help = "Print what a reader can work out of each withheld count an audience receives for a quarter."

    def add_arguments(self, parser):
        parser.add_argument("--quarter", required=True, help="for example 2026Q3")
        parser.add_argument("--mission", help="Mission code (default: every mission)")
        parser.add_argument("--audience", choices=audience_audit.AUDIENCES, default=audience_audit.EXTERNAL)
        parser.add_argument("--report-version", type=int,
                            help="Audit this version of the quarter as if it were released")

    def handle(self, *args, quarter, mission=None, audience, report_version=None, **options):
        version = report_version
        year, number = parse_quarter(quarter)
        missions = Mission.objects.order_by("code")
        if mission:
            missions = missions.filter(code=mission)
            if not missions.exists():
                raise CommandError(f"No mission with code {mission!r}.")
        failed = []
        for item in missions:
            candidate = None
            if version is not None:
                candidate = QuarterlyReport.objects.filter(mission=item, year=year, quarter=number,
                                                           version=version).first()
                if candidate is None:
                    raise CommandError(f"{item.code} has no version {version} of {year}Q{number}.")
            result = audience_audit.audit(item, year, number, audience, candidate=candidate)
            failures = {f.name: f for f in result.failures}
            for name, (low, high) in result.intervals.items():
                shown = result.problem.variables[name].shown
                marks = "/".join(dict.fromkeys(str(s.value) for s in shown))
                verdict = f"FAIL: {failures[name].reason}" if name in failures else "PASS"
                self.stdout.write(f"{name} [{marks}] {describe(low, high)} {verdict}")
                for place in shown:
                    self.stdout.write(f"    shown {place.value} in {' / '.join(map(str, place.where))}")
            for name, failure in failures.items():
                if name not in result.intervals:  # a small count shown exactly
                    self.stdout.write(f"{name} [{failure.low}] FAIL: {failure.reason}")
            summary = (f"{item.code} {year}Q{number} ({audience}): {len(result.intervals)} withheld counts, "
                       f"{len(result.failures)} failing.")
            if result.failures:
                failed.append(item.code)
                self.stdout.write(self.style.ERROR(summary))
            else:
                self.stdout.write(self.style.SUCCESS(summary))
        if failed:
            raise CommandError(f"The disclosure audit failed for {', '.join(failed)}.", returncode=1)

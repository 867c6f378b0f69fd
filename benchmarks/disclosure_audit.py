"""The disclosure audit at scale: over 100,000 synthetic incidents, time the audit of one quarter's
report as its external edition would be released (reporting.audience_audit, integer programming on
HiGHS), for each audience.

    .venv/bin/python benchmarks/disclosure_audit.py [--incidents N]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_bench), created if missing and
never dropped here; seeded with `manage.py seed_demo --incidents N` (default 100,000) when it holds
fewer, and reused otherwise. The report of the last ended quarter of the demo mission is built
(reporting.quarterly.build, not timed) and audited as a version about to be released, with the
versions already released: nothing is written to the database. At this size few counts are small,
so the solver's share is measured apart too: the interval of every count of the problem (two integer
programs each), as if every one were withheld.

Target (exit status 1 if missed): each audit under 60 s. Exit status 2: the benchmark itself could
not run.
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_bench"
DEFAULT_INCIDENTS = 100_000
AUDIT_TARGET_S = 60.0

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv_mis.settings")
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
warnings.filterwarnings("ignore", message="No directory at")

from incidents_at_scale import BenchmarkError, load, prepare_database, run, seed_up_to, verdict  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=DEFAULT_INCIDENTS,
                        help=f"incidents required (default {DEFAULT_INCIDENTS})")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    print(f"Database: {url}")
    print(f"Machine: {os.cpu_count()} CPUs, load average {load()} (other work on the machine skews timings)")
    prepare_database(url, reuse=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from crsv_mis import disclosure_audit
    from crsv_mis.models import Mission
    from incidents.models import Incident
    from reporting import audience_audit, quarterly
    from reporting.models import QuarterlyReport, ReportStatus

    call_command("migrate", verbosity=0)
    seed_up_to(args.incidents)
    mission = Mission.objects.filter(code="DEMO").first()
    if mission is None:
        raise BenchmarkError("no demo mission: seed_demo did not run")
    year, quarter = quarterly.last_ended_quarter(timezone.localdate())
    in_quarter = Incident.objects.filter(mission=mission, incident_date__gte=quarterly.quarter_months(year, quarter)[0],
                                         incident_date__lt=quarterly.quarter_months(*quarterly.shift_quarter(
                                             year, quarter, 1))[0]).count()
    print(f"Database holds {Incident.objects.count()} incidents on {connection.vendor}; "
          f"{in_quarter} in {year} Q{quarter}.")
    started = time.perf_counter()
    figures = quarterly.build(mission, year, quarter)
    print(f"Report figures built in {time.perf_counter() - started:.1f} s (not part of the audit).")
    candidate = QuarterlyReport(mission=mission, year=year, quarter=quarter, version=99, figures=figures,
                                status=ReportStatus.APPROVED)
    missed = []
    for audience in audience_audit.AUDIENCES:
        started = time.perf_counter()
        result = audience_audit.audit(mission, year, quarter, audience, candidate=candidate)
        seconds = time.perf_counter() - started
        problem = result.problem
        print(f"Audit for {audience}: {seconds:.2f} s; {len(problem.variables)} counts, "
              f"{len(problem.relations)} relations, {len(result.intervals)} withheld counts "
              f"({2 * len(result.intervals)} integer programs), {len(result.failures)} failing.")
        if seconds > AUDIT_TARGET_S:
            missed.append(f"audit for {audience} {seconds:.1f} s > {AUDIT_TARGET_S:.0f} s")
        started = time.perf_counter()
        disclosure_audit.intervals(problem, names=list(problem.variables))
        seconds = time.perf_counter() - started
        print(f"  every count's interval ({2 * len(problem.variables)} integer programs): {seconds:.2f} s.")
        if seconds > AUDIT_TARGET_S:
            missed.append(f"every interval for {audience} {seconds:.1f} s > {AUDIT_TARGET_S:.0f} s")
    return verdict(missed)


if __name__ == "__main__":
    run(main)

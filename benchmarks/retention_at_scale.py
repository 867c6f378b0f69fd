"""Retention at scale: over 100,000 incidents, time the passes that plan and anonymise, and the
erasure of the audit trail with the check of its chain afterwards.

    .venv/bin/python benchmarks/retention_at_scale.py [--incidents N] [--due K] [--events E] [--reuse]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_retention_bench), prepared like
the other benchmarks (a benchmark database holding data is dropped and seeded again unless --reuse).
Then:

- E audit events are appended through crsv_mis.audit.record (default 20,000), as incident views;
- the K oldest incidents (default 10,000) are made to look untouched for eleven years (their last
  change moved back), so they, and only they, are past the incidents' period;
- timed, with lifecycle.retention.run: a dry run; the pass that lists them; the pass a notice period
  later that anonymises them (each checked again under a row lock, one audit event each, the rollup
  month marked stale); the same pass again (nothing more to do); then, eight years on (the audit
  trail's period is seven, the incidents' ten), the pass that lists the audit trail and the one that
  erases it; and crsv_mis.audit.verify_chain over the whole trail.

Targets (exit status 1 if one is missed): listing under 60 s; anonymising at least 50 incidents a
second; the second pass under 60 s with nothing anonymised; erasing at least 1,000 audit events a
second; the chain intact afterwards. Exit status 2: the benchmark itself could not run.
"""

import argparse
import datetime
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_retention_bench"
LIST_TARGET_S = 60.0
ANONYMISE_TARGET_PER_S = 50.0
REPEAT_TARGET_S = 60.0
ERASE_TARGET_PER_S = 1000.0

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv_mis.settings")
# Synthetic keys of the benchmarks' own: the product has no default key.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "I5bdR9SONtPlaf69_L85gCYsIr3Gu60F4_8BTwSQ9Zc=")
os.environ.setdefault("AUDIT_CHAIN_KEY", "benchmark-audit-chain-key-not-a-secret")
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
warnings.filterwarnings("ignore", message="No directory at")

from incidents_at_scale import BenchmarkError, load, prepare_database, run, timed_seed, verdict  # noqa: E402


def timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000, help="incidents to seed (default 100000)")
    parser.add_argument("--due", type=int, default=10_000, help="incidents made past retention (default 10000)")
    parser.add_argument("--events", type=int, default=20_000, help="audit events to append (default 20000)")
    parser.add_argument("--reuse", action="store_true", help="skip seeding when the database holds N incidents")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    print(f"Database: {url}")
    print(f"Machine: {os.cpu_count()} CPUs, load average {load()} (other work on the machine skews timings)")
    prepare_database(url, reuse=args.reuse)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from crsv_mis import audit
    from crsv_mis.models import AuditEvent, Mission, User
    from incidents.models import Incident
    from lifecycle import retention

    call_command("migrate", verbosity=0)
    if Incident.objects.count() < args.incidents:
        print(f"Seeded {args.incidents} incidents in {timed_seed(args.incidents):.1f} s.")
    if Incident.objects.count() < args.due:
        raise BenchmarkError("fewer incidents than --due")
    mission = Mission.objects.get(code="DEMO")
    viewer = User.objects.filter(role="WPA").first()

    incidents = list(Incident.objects.order_by("pk").values_list("pk", "reference")[:args.events])
    _, seconds = timed(lambda: [audit.record("incident.view", user=viewer, detail={"bench": True},
                                             obj=Incident(pk=pk, reference=ref))
                                for pk, ref in (incidents * (args.events // len(incidents) + 1))[:args.events]])
    print(f"Appended {args.events} audit events in {seconds:.1f} s; trail holds {AuditEvent.objects.count()}.")

    old = timezone.now() - datetime.timedelta(days=11 * 365)
    oldest = list(Incident.objects.order_by("incident_date", "pk").values_list("pk", flat=True)[:args.due])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE incidents_incident SET updated_at = %s WHERE id = ANY(%s)", [old, oldest])
        cursor.execute("ANALYZE")
    now = timezone.now()
    notice = datetime.timedelta(days=15)
    missed = []

    dry, seconds = timed(lambda: retention.run(mission, dry_run=True, now=now))
    print(f"Dry run: {dry.counts['incidents']['due']} incidents past retention, in {seconds:.1f} s.")
    listing, seconds = timed(lambda: retention.run(mission, now=now))
    print(f"Listing pass: {listing.counts['incidents']['new']} incidents listed in {seconds:.1f} s "
          f"(target < {LIST_TARGET_S:.0f} s).")
    if seconds >= LIST_TARGET_S:
        missed.append("listing")
    if listing.counts["incidents"]["new"] != args.due:
        raise BenchmarkError(f"listed {listing.counts['incidents']['new']}, expected {args.due}")

    done, seconds = timed(lambda: retention.run(mission, now=now + notice))
    count = done.counts["incidents"]["anonymised"]
    rate = count / seconds
    print(f"Anonymising pass: {count} incidents in {seconds:.1f} s, {rate:.0f} a second "
          f"(target >= {ANONYMISE_TARGET_PER_S:.0f}).")
    if count != args.due:
        raise BenchmarkError(f"anonymised {count}, expected {args.due}")
    if rate < ANONYMISE_TARGET_PER_S:
        missed.append("anonymising")

    again, seconds = timed(lambda: retention.run(mission, now=now + notice))
    print(f"Same pass again: {again.counts['incidents']['anonymised']} anonymised in {seconds:.1f} s "
          f"(target < {REPEAT_TARGET_S:.0f} s, nothing).")
    if again.counts["incidents"]["anonymised"] or seconds >= REPEAT_TARGET_S:
        missed.append("second pass")

    years = datetime.timedelta(days=8 * 365)
    listed, seconds = timed(lambda: retention.run(mission, now=now + years))
    print(f"Audit trail listed eight years on: {listed.counts['audit']['due']} events past retention "
          f"in {seconds:.1f} s.")
    erased, seconds = timed(lambda: retention.run(mission, now=now + years + notice))
    count = erased.counts["audit"]["anonymised"]
    rate = count / seconds
    print(f"Audit trail erased: {count} events in {seconds:.1f} s, {rate:.0f} a second "
          f"(target >= {ERASE_TARGET_PER_S:.0f}).")
    if rate < ERASE_TARGET_PER_S:
        missed.append("audit erasure")

    problems, seconds = timed(audit.verify_chain)
    print(f"verify_chain over {AuditEvent.objects.count()} events: {len(problems)} problem(s) in {seconds:.1f} s.")
    if problems:
        missed.append("chain")
    return verdict(missed)


if __name__ == "__main__":
    run(main)

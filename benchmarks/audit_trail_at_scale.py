"""The AUDITOR's audit trail at scale: a trail of 200,000 chained events, then the page, the API and
the CSV export timed with each filter.

    .venv/bin/python benchmarks/audit_trail_at_scale.py [--events N]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_bench_audit_trail), created if
missing and migrated; the trail is brought to N events (default 200,000): a year of reads and changes
by 40 people of the mission, chained with crsv_mis.audit.compute_hash and bulk-inserted. Reused when
it holds enough.

Targets (exit status 1 if one is missed): the median of each page and API request (the first page,
each filter, a page deep in the trail) under 500 ms; the CSV export of the whole trail under 60 s.
Exit status 2: the benchmark itself could not run.
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_bench_audit_trail"
DEFAULT_EVENTS = 200_000
PAGE_TARGET_MS = 500.0
EXPORT_TARGET_S = 60.0
REPEAT = 9

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv_mis.settings")
# Synthetic keys of the benchmarks' own: the product has no default key.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "I5bdR9SONtPlaf69_L85gCYsIr3Gu60F4_8BTwSQ9Zc=")
os.environ.setdefault("AUDIT_CHAIN_KEY", "benchmark-audit-chain-key-not-a-secret")
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# The test client logs in without a second factor.
os.environ["REQUIRE_2FA"] = "0"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
warnings.filterwarnings("ignore", message="No directory at")

from incidents_at_scale import BenchmarkError, prepare_database, run, verdict  # noqa: E402

ACTIONS = ("incident.view", "incident.view", "incident.view", "incident.list", "incident.update",
           "referral.view", "alert.acknowledge", "report.download")
ROLES = ("WPA", "HRO", "SWPA", "MARA_MEMBER")


def seed(n):
    from django.db import transaction
    from django.utils import timezone

    from crsv_mis import audit
    from crsv_mis.models import AuditChainHead, AuditEvent, Mission, Role, User

    missing = n - AuditEvent.objects.count()
    mission, _ = Mission.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark mission"})
    people = []
    for i in range(40):
        user, _ = User.objects.get_or_create(username=f"officer{i:02d}", defaults={
            "role": ROLES[i % len(ROLES)], "mission": mission})
        people.append(user)
    auditor, _ = User.objects.get_or_create(username="bench_auditor", defaults={
        "role": Role.AUDITOR, "mission": mission})
    if missing <= 0:
        return auditor, 0
    start = timezone.now() - datetime.timedelta(days=365)
    step = datetime.timedelta(days=365) / missing
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": audit.GENESIS})
        prev, batch = head.last_hash, []
        for i in range(missing):
            user = people[i % len(people)]
            record = i % 20_000
            event = AuditEvent(at=start + step * i, user=user, username=user.username, role=user.role,
                               action=ACTIONS[i % len(ACTIONS)], object_type="incidents.incident",
                               object_id=str(record), object_ref=f"BENCH-2026-{record:05d}", ip="10.0.0.1",
                               detail={"page": 1} if i % 7 == 0 else {})
            event.prev_hash, event.hash = prev, audit.compute_hash(prev, event)
            prev = event.hash
            batch.append(event)
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
        head.last_hash = prev
        head.save(update_fields=["last_hash"])
    return auditor, missing


def median_ms(client, url):
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise BenchmarkError(f"{url} answered {response.status_code}")
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    options = parser.parse_args()
    prepare_database(os.environ["DATABASE_URL"], reuse=True)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from django.test import Client

    from crsv_mis.models import ApiToken, AuditEvent

    started = time.perf_counter()
    auditor, added = seed(options.events)
    if added:
        print(f"Added {added} audit events in {time.perf_counter() - started:.1f} s")
    total = AuditEvent.objects.count()
    client = Client()
    client.force_login(auditor)
    _token, raw = ApiToken.issue(auditor, days=1)
    api = Client(HTTP_AUTHORIZATION=f"Token {raw}")
    today = datetime.date.today()
    queries = [("first page", ""), ("person", "?person=officer07"), ("role", "?role=HRO"),
               ("action", "?action=incident.update"), ("record", "?record=BENCH-2026-01234"),
               ("kind + number", "?object_type=incidents.incident&record=1234"),
               ("dates (a month)", f"?date_from={today - datetime.timedelta(days=60)}"
                                   f"&date_to={today - datetime.timedelta(days=30)}"),
               ("person + dates", f"?person=officer07&date_from={today - datetime.timedelta(days=30)}"),
               ("page 1000", "?page=1000")]
    missed = []
    print(f"Audit trail of {total} events; median of {REPEAT} requests (django.test.Client, in process):")
    print(f"  {'filter':<18} {'page ms':>8} {'API ms':>8}")
    for label, query in queries:
        page, through_api = median_ms(client, "/audit/" + query), median_ms(api, "/api/v1/audit-events/" + query)
        print(f"  {label:<18} {page:>8.1f} {through_api:>8.1f}")
        missed += [f"{where} {label} {ms:.0f} ms" for where, ms in (("page", page), ("API", through_api))
                   if ms > PAGE_TARGET_MS]
    started = time.perf_counter()
    response = client.get("/audit/export.csv")
    rows = sum(chunk.count(b"\n") for chunk in response.streaming_content) - 1
    seconds = time.perf_counter() - started
    print(f"CSV export of the whole trail: {rows} rows in {seconds:.1f} s (streamed)")
    if seconds > EXPORT_TARGET_S:
        missed.append(f"export {seconds:.0f} s")
    return verdict(missed)


if __name__ == "__main__":
    run(main)

"""The closure archive at scale: export, verify and restore a mission of 100,000 incidents.

    .venv/bin/python benchmarks/archive_at_scale.py [--incidents N]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_bench_archive) as the source,
created if missing, migrated and seeded with `manage.py seed_demo --incidents N` (default 100,000)
when it holds fewer incidents, reused otherwise; the audit trail is brought to --audit-events
(default 500,000) chained events. The restore goes into a second database, the
source's name with `_restored`, dropped and created again on every run (its name must contain
"bench"). Each step runs as its own `manage.py` process, so its wall clock and peak memory (maximum
resident set size) are its own:

(a) export_archive of the whole source (a new key in a temporary directory);
(b) verify_archive of that file;
(c) restore_archive into the new, migrated database, which reads every table back and verifies
    the audit chain before it commits.

Targets (exit status 1 if one is missed): (a) under 120 s, (b) under 60 s, (c) under 600 s, and
each step's peak memory under 400 MB whatever the size of the mission (the archive is streamed).
Exit status 2: the benchmark itself could not run (a command failed).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_bench_archive"
DEFAULT_INCIDENTS = 100_000
# About five reads per incident: what a mission's audit trail holds by its closure.
DEFAULT_AUDIT_EVENTS = 500_000
TARGETS_S = {"export": 120.0, "verify": 60.0, "restore": 600.0}
MEMORY_TARGET_MB = 400.0

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv_mis.settings")
# Synthetic keys of the benchmarks' own: the product has no default key.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "I5bdR9SONtPlaf69_L85gCYsIr3Gu60F4_8BTwSQ9Zc=")
os.environ.setdefault("AUDIT_CHAIN_KEY", "benchmark-audit-chain-key-not-a-secret")
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
warnings.filterwarnings("ignore", message="No directory at")

from incidents_at_scale import BenchmarkError, prepare_database, run, timed_seed, verdict  # noqa: E402


def step(name, args, env=None):
    """Run `manage.py ARGS`; return (seconds, peak resident memory in MB)."""
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    print("$", " ".join(command[1:]), flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})})
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise BenchmarkError(f"{name} failed (exit status {os.waitstatus_to_exitcode(status)})")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def restored_url(url):
    import dj_database_url

    name = dj_database_url.parse(url)["NAME"]
    if "bench" not in name:
        raise BenchmarkError(f"database {name!r}: the restore target is dropped, so the name must contain 'bench'")
    return url.rsplit("/", 1)[0] + f"/{name}_restored"


def recreate(url):
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {k: v for k, v in {"host": config.get("HOST"), "port": config.get("PORT"), "user": config.get("USER"),
                                "password": config.get("PASSWORD")}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(config["NAME"])))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def incident_count():
    import django

    django.setup()
    from incidents.models import Incident

    return Incident.objects.count()


def seed_audit_events(n):
    """Make the audit trail hold at least `n` events (seed_demo writes only a few): incident views
    by the mission's officers, chained with crsv_mis.audit.compute_hash and bulk-inserted, so that
    export, verify and restore check a chain of a real mission's length."""
    import datetime

    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from crsv_mis import audit
    from crsv_mis.models import AuditChainHead, AuditEvent, User
    from incidents.models import Incident

    missing = n - AuditEvent.objects.count()
    if missing <= 0:
        return 0
    officers = list(User.objects.filter(role__in=["WPA", "HRO", "SWPA"]))
    incidents = list(Incident.objects.values_list("pk", "reference")[:50_000])
    started = timezone.now()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": audit.GENESIS})
        prev, batch = head.last_hash, []
        for i in range(missing):
            user = officers[i % len(officers)]
            pk, reference = incidents[i % len(incidents)]
            event = AuditEvent(at=started + datetime.timedelta(microseconds=i), user=user, username=user.username,
                               role=user.role, action="incident.view", object_type="incidents.incident",
                               object_id=str(pk), object_ref=reference, ip="10.0.0.1", detail={})
            event.prev_hash, event.hash = prev, audit.compute_hash(prev, event)
            prev = event.hash
            batch.append(event)
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
        head.last_hash = prev
        head.save(update_fields=["last_hash"])
    return missing


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=DEFAULT_INCIDENTS)
    parser.add_argument("--audit-events", type=int, default=DEFAULT_AUDIT_EVENTS)
    options = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    target = restored_url(url)
    prepare_database(url, reuse=True)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], cwd=ROOT, check=True)
    if incident_count() < options.incidents:
        print(f"Seeded {options.incidents} incidents in {timed_seed(options.incidents):.1f} s")
    incidents = incident_count()
    started = time.perf_counter()
    if added := seed_audit_events(options.audit_events):
        print(f"Added {added} audit events in {time.perf_counter() - started:.1f} s")
    from crsv_mis.models import AuditEvent

    events = AuditEvent.objects.count()

    missed, figures = [], {}
    with tempfile.TemporaryDirectory(prefix="crsv-archive-bench-") as folder:
        path, key = Path(folder) / "mission.crsvarc", Path(folder) / "archive.key"
        figures["export"] = step("export", ["export_archive", str(path), "--new-key", str(key)])
        size_mb = path.stat().st_size / 1e6
        figures["verify"] = step("verify", ["verify_archive", str(path), "--key-file", str(key)])
        recreate(target)
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], cwd=ROOT, check=True,
                       env={**os.environ, "DATABASE_URL": target})
        figures["restore"] = step("restore", ["restore_archive", str(path), "--key-file", str(key)],
                                  env={"DATABASE_URL": target})

    print(f"\nArchive of {incidents} incidents and {events} audit events: {size_mb:.1f} MB")
    for name, (seconds, memory) in figures.items():
        print(f"{name:8} {seconds:7.1f} s (target < {TARGETS_S[name]:.0f} s), "
              f"peak memory {memory:6.1f} MB (target < {MEMORY_TARGET_MB:.0f} MB)")
        if seconds > TARGETS_S[name]:
            missed.append(f"{name} time")
        if memory > MEMORY_TARGET_MB:
            missed.append(f"{name} memory")
    return verdict(missed)


if __name__ == "__main__":
    run(main)

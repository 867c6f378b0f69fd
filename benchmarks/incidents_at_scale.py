"""Incidents at scale: seed 100,000 demo incidents, then time the incident list and detail pages.

    .venv/bin/python benchmarks/incidents_at_scale.py [--incidents N] [--reuse]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_bench) and creates that
PostgreSQL database if it is missing. Without --reuse the seed is always measured on an
empty database: a benchmark database (name containing "bench") that already holds data is
dropped and created again; any other non-empty database is refused. With --reuse, seeding
is skipped when the database already holds at least N incidents.

Targets (exit status 1 if one is missed): seeding N incidents in under 120 s of wall clock;
median time of list page 1 and of an incident detail page under 150 ms; a query count per
page that does not grow with the number of rows shown. Exit status 2: the benchmark itself
could not run (a page answered an error, for instance).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_bench"
SEED_TARGET_S = 120.0
PAGE_TARGET_MS = 150.0
REPEAT = 50

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv_mis.settings")
# Synthetic keys of the benchmarks' own: the product has no default key.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "I5bdR9SONtPlaf69_L85gCYsIr3Gu60F4_8BTwSQ9Zc=")
os.environ.setdefault("AUDIT_CHAIN_KEY", "benchmark-audit-chain-key-not-a-secret")
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# The test client logs in without a second factor.
os.environ["REQUIRE_2FA"] = "0"
sys.path.insert(0, str(ROOT))
# WhiteNoise warns that collectstatic has not run; irrelevant to these timings.
warnings.filterwarnings("ignore", message="No directory at")


class BenchmarkError(Exception):
    pass


def prepare_database(url, *, reuse):
    """Create the PostgreSQL database if missing; empty a benchmark database unless reusing it."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    if not config["ENGINE"].endswith("postgresql"):
        return
    name = config["NAME"]
    params = {k: v for k, v in {
        "host": config.get("HOST"), "port": config.get("PORT"), "user": config.get("USER"),
        "password": config.get("PASSWORD"),
    }.items() if v}

    def incident_count():
        with psycopg.connect(dbname=name, **params) as conn:
            if conn.execute("SELECT to_regclass('incidents_incident')").fetchone()[0] is None:
                return 0
            return conn.execute("SELECT count(*) FROM incidents_incident").fetchone()[0]

    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse and incident_count():
            if "bench" not in name:
                raise BenchmarkError(
                    f"database {name!r} already holds incidents; use --reuse, or an empty database")
            print(f"Dropping benchmark database {name} for a clean seed (use --reuse to keep it).")
            admin.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            exists = None
        if not exists:
            print(f"Creating database {name}.")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def timed_seed(n):
    command = [sys.executable, str(ROOT / "manage.py"), "seed_demo", "--incidents", str(n)]
    print("$", " ".join(command[1:]), flush=True)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)
    return time.perf_counter() - started


def seed_up_to(n):
    """Seed the migrated database of this process up to `n` incidents, reusing what it holds."""
    from django.db import connection

    from incidents.models import Incident

    held = Incident.objects.count()
    if held >= n:
        print(f"Reusing the {held} incidents already seeded.")
        return
    seconds = timed_seed(n)
    connection.close()
    print(f"Seeded up to {n} incidents in {seconds:.1f} s.")


def load():
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def verdict(missed, separator=", "):
    """The closing lines of every benchmark here; returns the exit status (1: a target missed)."""
    print(f"Load average at the end: {load()}")
    print("All targets met." if not missed else f"Targets missed: {separator.join(missed)}")
    return 1 if missed else 0


def run(main):
    """Exit with main()'s status, or 2 when the benchmark itself could not run."""
    try:
        sys.exit(main())
    except BenchmarkError as error:
        print(f"benchmark error: {error}", file=sys.stderr)
        sys.exit(2)


def p95(values):
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(client, path, *, repeat=REPEAT):
    """Milliseconds per request (after one warm-up) and the number of SQL queries of one request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    # Read the count now: the captured list is a view on a log that the next request resets.
    count = len(queries)
    if response.status_code != 200:
        raise BenchmarkError(f"GET {path} answered {response.status_code}")
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise BenchmarkError(f"GET {path} answered {response.status_code}")
    return {"median": statistics.median(timings), "p95": p95(timings), "queries": count}


def query_count(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise BenchmarkError(f"GET {path} answered {response.status_code}")
    return len(queries), response


def filter_pair(user, *, at_most=3):
    """Two list queries with the same filter fields: one matching many incidents, one at most a few.

    Same fields, so any difference in query count comes from the number of rows shown.
    """
    from django.db.models import Count, Max, Min

    from crsv_mis import access

    visible = access.incidents_visible_to(user)
    small = (visible.values("admin2_id", "incident_date", "status").annotate(n=Count("id"))
             .filter(n__lte=at_most).order_by("-n", "-incident_date").first())
    big = (visible.values("admin2_id", "status").annotate(n=Count("id"), first=Min("incident_date"),
                                                          last=Max("incident_date")).order_by("-n").first())
    if small is None or big is None:
        raise BenchmarkError(f"no filters found that select many and few incidents for {user.username}")

    def query(row, first, last):
        return f"admin2={row['admin2_id']}&status={row['status']}&date_from={first}&date_to={last}"

    return (query(big, big["first"], big["last"]), big["n"],
            query(small, small["incident_date"], small["incident_date"]), small["n"])


def detail_reference(user, victims):
    from django.db.models import Count

    from crsv_mis import access

    incident = (access.incidents_visible_to(user).annotate(v=Count("victims")).filter(v=victims)
                .order_by("-reported_date", "-id").first())
    if incident is None:
        raise BenchmarkError(f"no incident with {victims} victim(s) visible to {user.username}")
    return incident.reference


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000, help="incidents to seed (default 100000)")
    parser.add_argument("--reuse", action="store_true",
                        help="skip seeding when the database already holds at least N incidents")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    print(f"Database: {url}")
    print(f"Machine: {os.cpu_count()} CPUs, load average {load()} (other work on the machine skews timings)")
    prepare_database(url, reuse=args.reuse)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from crsv_mis.models import User
    from incidents.models import Incident

    call_command("migrate", verbosity=0)
    results = []  # (check, figure, target, ok)

    held = Incident.objects.count()
    if args.reuse and held >= args.incidents:
        print(f"Reusing the {held} incidents already seeded.")
        results.append(("seed", f"skipped (--reuse, {held} incidents held)", "< 120 s", True))
    else:
        seconds = timed_seed(args.incidents)
        connection.close()
        created = Incident.objects.count() - held
        results.append((f"seed_demo --incidents {args.incidents}", f"{seconds:.1f} s ({created} created)",
                        f"< {SEED_TARGET_S:.0f} s", seconds < SEED_TARGET_S))
    total = Incident.objects.count()
    print(f"Database holds {total} incidents on {connection.vendor}.")

    figures = []
    for username in ("swpa", "wpa"):
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        pages = [("list page 1", "/incidents/"),
                 ("detail (1 victim)", f"/incidents/{detail_reference(user, 1)}/")]
        for label, path in pages:
            figure = measure(client, path)
            figures.append((username, label, figure))
            results.append((f"{username}: {label} median", f"{figure['median']:.1f} ms",
                            f"< {PAGE_TARGET_MS:.0f} ms", figure["median"] < PAGE_TARGET_MS))

        # The number of queries must not depend on how many rows or victims a page shows.
        many, many_n, few, few_n = filter_pair(user)
        checks = [
            ("list page", f"/incidents/?{many}", f"/incidents/?{few}",
             f"{min(many_n, 25)} rows vs {few_n}"),
            ("API list", f"/api/v1/incidents/?{many}", f"/api/v1/incidents/?{few}",
             f"{min(many_n, 50)} rows vs {few_n}"),
            ("detail", f"/incidents/{detail_reference(user, 3)}/", f"/incidents/{detail_reference(user, 1)}/",
             "3 victims vs 1"),
        ]
        for label, big, small, what in checks:
            big_n, _response = query_count(client, big)
            small_n, _response = query_count(client, small)
            results.append((f"{username}: {label} queries ({what})", f"{big_n} vs {small_n}",
                            "equal", big_n == small_n))

    print()
    print(f"Page timings over {REPEAT} requests each (django.test.Client, in process):")
    print(f"  {'user':<6} {'page':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for username, label, figure in figures:
        print(f"  {username:<6} {label:<20} {figure['median']:>10.1f} {figure['p95']:>8.1f} "
              f"{figure['queries']:>8}")
    print()
    width = max(len(r[0]) for r in results)
    print(f"  {'check':<{width}}  {'measured':<42} {'target':<9} result")
    for check, figure, target, ok in results:
        print(f"  {check:<{width}}  {figure:<42} {target:<9} {'ok' if ok else 'MISSED'}")
    missed = [r[0] for r in results if not r[3]]
    print()
    return verdict(missed)


if __name__ == "__main__":
    run(main)

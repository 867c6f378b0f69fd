"""MARA trends at scale: time the dashboard and the trends API over 100,000 incidents, against the
plain SQL GROUP BY that computes the same counts.

    .venv/bin/python benchmarks/mara_dashboard.py [--incidents N] [--repeat R]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_bench). The database seeded
by benchmarks/incidents_at_scale.py is reused when it already holds at least N incidents
(default 100,000); otherwise it is created if missing and topped up with seed_demo, exactly as
that script does (never dropped here).

Measured, each R times after one warm-up (default 30), in process with django.test.Client:
- the dashboard page for the last full month, as the SWPA and as the MARA chair, and for its
  quarter as leadership;
- the trends API over the last 24 full months, group_by=form and group_by=victim_group, as the
  MARA chair;
- the plain SQL (connection.cursor, same filters as access.incidents_countable_by for the chair)
  that gives the same per-month counts as each API call; the script checks the numbers agree.

Targets (exit status 1 if one is missed): median under 300 ms for the dashboard and the API;
the API median no more than 1.5 times the plain SQL median. Exit status 2: the benchmark itself
could not run (a page answered an error, or the counts disagree).
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_bench"
TARGET_MS = 300.0
TARGET_RATIO = 1.5
API_MONTHS = 24

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv_mis.settings")
# Synthetic keys of the benchmarks' own: the product has no default key.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "I5bdR9SONtPlaf69_L85gCYsIr3Gu60F4_8BTwSQ9Zc=")
os.environ.setdefault("AUDIT_CHAIN_KEY", "benchmark-audit-chain-key-not-a-secret")
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ["ALLOWED_HOSTS"] = ",".join(
    dict.fromkeys([*filter(None, os.environ.get("ALLOWED_HOSTS", "").split(",")), "127.0.0.1", "localhost",
                   "testserver"]))
# The test client logs in without a second factor.
os.environ["REQUIRE_2FA"] = "0"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
# WhiteNoise warns that collectstatic has not run; irrelevant to these timings.
warnings.filterwarnings("ignore", message="No directory at")

# Seeding and database preparation are the other benchmark's; reuse them rather than copy them.
from incidents_at_scale import BenchmarkError, load, p95, prepare_database, run, seed_up_to, verdict  # noqa: E402

# The plain GROUP BY for each API grouping: the same joins, filters and (DISTINCT) counts as
# incidents.stats.monthly_counts, written by hand. Parameters: mission, first day, day after the end.
PLAIN_SQL = {
    "form": """
        SELECT date_trunc('month', i.incident_date)::date, f.formofviolence_id, COUNT(i.id)
        FROM incidents_incident i
        LEFT JOIN incidents_incident_forms f ON f.incident_id = i.id
        WHERE i.mission_id = %s AND i.archived_at IS NULL AND NOT i.shared_under_isp AND i.mara_shareable
          AND i.incident_date >= %s AND i.incident_date < %s
        GROUP BY 1, 2""",
    "victim_group": """
        SELECT date_trunc('month', i.incident_date)::date, v.victim_group, COUNT(DISTINCT i.id)
        FROM incidents_incident i
        LEFT JOIN incidents_victim v ON v.incident_id = i.id
        WHERE i.mission_id = %s AND i.archived_at IS NULL AND NOT i.shared_under_isp AND i.mara_shareable
          AND i.incident_date >= %s AND i.incident_date < %s
        GROUP BY 1, 2""",
}


def timed(call, repeat):
    call()  # warm-up: templates, translations, the database's buffers
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return {"median": statistics.median(timings), "p95": p95(timings)}


def page(client, path):
    """A call that GETs `path` and fails the benchmark on anything but 200."""
    def call():
        response = client.get(path)
        if response.status_code != 200:
            raise BenchmarkError(f"GET {path} answered {response.status_code}")
        return response
    return call


def query_count(call):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def plain_sql(group_by, mission_id, start, end):
    from django.db import connection

    from incidents import stats

    def call():
        with connection.cursor() as cursor:
            cursor.execute(PLAIN_SQL[group_by], [mission_id, start, stats.add_months(end, 1)])
            return cursor.fetchall()
    return call


def check_same_counts(api_results, sql_rows, group_by):
    from incidents import stats

    api = {(r["month"], r["key"]): r["count"] for r in api_results}
    sql = {(stats.month_key(month), key): count for month, key, count in sql_rows}
    if api != sql:
        raise BenchmarkError(f"group_by={group_by}: the API and the plain SQL disagree "
                             f"({len(set(api.items()) ^ set(sql.items()))} differing cells)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000, help="incidents required (default 100000)")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per measure (default 30)")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    print(f"Database: {url}")
    print(f"Machine: {os.cpu_count()} CPUs, load average {load()} (other work on the machine skews timings)")
    prepare_database(url, reuse=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from crsv_mis.models import User
    from incidents import stats
    from incidents.models import Incident

    call_command("migrate", verbosity=0)
    seed_up_to(args.incidents)
    total = Incident.objects.count()
    if connection.vendor != "postgresql":
        print(f"Warning: measuring on {connection.vendor}; the targets are for PostgreSQL.")
    print(f"Database holds {total} incidents on {connection.vendor}.")

    # The last full month, and the 24 full months up to it: complete months, as the MARA reviews them.
    month = stats.add_months(timezone.localdate(), -1)
    first = stats.add_months(month, -(API_MONTHS - 1))
    month_q = stats.month_key(month)
    span = f"from={stats.month_key(first)}&to={month_q}"

    results = []  # (what, median, p95, queries, plain median or None)
    for username in ("swpa", "mara_chair"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        call = page(client, f"/mara/dashboard/?month={month_q}")
        figure = timed(call, args.repeat)
        results.append((f"{username}: dashboard {month_q}", figure, query_count(call), None))
    # Leadership reads whole quarters, with the four quarters before as the trend, suppressed.
    quarter_q = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    client = Client()
    client.force_login(User.objects.get(username="leadership"))
    call = page(client, f"/mara/dashboard/?quarter={quarter_q}")
    results.append((f"leadership: dashboard {quarter_q}", timed(call, args.repeat), query_count(call), None))

    chair = User.objects.get(username="mara_chair")
    client = Client()
    client.force_login(chair)
    for group_by in ("form", "victim_group"):
        call = page(client, f"/api/v1/stats/trends/?{span}&group_by={group_by}")
        sql = plain_sql(group_by, chair.mission_id, first, month)
        check_same_counts(call().json()["results"], sql(), group_by)
        figure = timed(call, args.repeat)
        plain = timed(sql, args.repeat)
        results.append((f"mara_chair: trends API {API_MONTHS} months, group_by={group_by}", figure,
                        query_count(call), plain))

    print()
    print(f"Timings over {args.repeat} requests each after one warm-up (django.test.Client, in process):")
    width = max(len(r[0]) for r in results)
    print(f"  {'measure':<{width}} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'plain SQL ms':>13} "
          f"{'ratio':>6}  result")
    missed = []
    for what, figure, queries, plain in results:
        ratio = figure["median"] / plain["median"] if plain else None
        ok = figure["median"] < TARGET_MS and (ratio is None or ratio <= TARGET_RATIO)
        if not ok:
            missed.append(what)
        plain_text = f"{plain['median']:.1f}" if plain else "-"
        ratio_text = f"{ratio:.2f}" if ratio else "-"
        print(f"  {what:<{width}} {figure['median']:>10.1f} {figure['p95']:>8.1f} {queries:>8} {plain_text:>13} "
              f"{ratio_text:>6}  {'ok' if ok else 'MISSED'}")
    print()
    print(f"Targets: median < {TARGET_MS:.0f} ms; trends API <= {TARGET_RATIO}x the plain SQL GROUP BY.")
    return verdict(missed, "; ")


if __name__ == "__main__":
    run(main)

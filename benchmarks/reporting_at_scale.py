"""Reporting at scale: over 1,000,000 incidents, time the recount of one month's rollup, the full
quarterly report (figures, PDF and XLSX) and the trends API, each beside the plain SQL that
computes the same counts straight from the incident tables.

    .venv/bin/python benchmarks/reporting_at_scale.py [--incidents N] [--repeat R] [--refresh-repeat K]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_bench1m), created if missing and
never dropped here. It is migrated, then seeded with `manage.py seed_demo --incidents N` (default
1,000,000) when it holds fewer, and reused otherwise; VACUUM ANALYZE follows a seed. seed_demo ends
by marking every month stale, and with eager Celery (no REDIS_URL) recounts them all inline: the
time printed for the seed includes that recount, and the recount's own share is printed beside it.

Measured:
(a) reporting.rollup.refresh_month for the busiest month of the demo mission, median of K runs
    (default 5), beside the plain SQL GROUP BYs that give the same cells (one per dimension, the
    same joins and DISTINCT counts); the script checks the cells equal the plain SQL counts;
(b) the full quarterly report of the last ended quarter, once: reporting.quarterly.build, a
    QuarterlyReport row (deleted afterwards), and reporting.render.render_file as PDF and XLSX for
    both editions, in total seconds;
(c) the trends API over the last 24 full months, group_by=form and group_by=victim_group, as the
    MARA chair (django.test.Client, in process), median and p95 of R requests after one warm-up
    (default 30), beside the plain SQL GROUP BY for the same per-month counts; the script checks the
    API gives the plain SQL's numbers.

Targets (exit status 1 if one is missed): (a) median under 5 s; (b) under 60 s; (c) median under
200 ms. Exit status 2: the benchmark itself could not run (an error page, counts that disagree).
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_bench1m"
DEFAULT_INCIDENTS = 1_000_000
REFRESH_TARGET_S = 5.0
REPORT_TARGET_S = 60.0
API_TARGET_MS = 200.0
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

# Seeding, database preparation, the API timing helpers and its plain SQL are the other
# benchmarks'; reuse them rather than copy them.
from incidents_at_scale import BenchmarkError, load, prepare_database, run, timed_seed, verdict  # noqa: E402
from mara_dashboard import check_same_counts, page, plain_sql, timed  # noqa: E402

# The plain GROUP BYs behind one month's rollup cells (reporting.rollup.count_cells), written by
# hand: per dimension, (ISP flag, MARA sharing flag, status, key[, second key], name, incidents, victims). Incidents
# are counted DISTINCT where the victims join meets them once per victim; victims DISTINCT where a
# perpetrator join can meet a victim twice. Parameters: mission, first day, first day of next month.
_WHERE = """
        WHERE i.mission_id = %s AND i.archived_at IS NULL AND i.incident_date >= %s AND i.incident_date < %s"""
_VICTIMS = "LEFT JOIN incidents_victim v ON v.incident_id = i.id"
_PERPETRATORS = ("LEFT JOIN incidents_perpetrator p ON p.incident_id = i.id "
                 "LEFT JOIN incidents_party pa ON pa.id = p.party_id")
_FORMS = "LEFT JOIN incidents_incident_forms f ON f.incident_id = i.id"


def _by(key, joins, *, victims_distinct=False, name="NULL"):
    victims = "COUNT(DISTINCT v.id)" if victims_distinct else "COUNT(v.id)"
    return f"""
        SELECT i.shared_under_isp, i.mara_shareable, i.status, {key}, {name}, COUNT(DISTINCT i.id), {victims}
        FROM incidents_incident i {joins} {_VICTIMS}{_WHERE}
        GROUP BY 1, 2, 3, 4, 5"""


CELL_SQL = {
    "total": f"""
        SELECT i.shared_under_isp, i.mara_shareable, i.status, '', NULL, COUNT(i.id),
               COALESCE(SUM(i.victim_count), 0)
        FROM incidents_incident i{_WHERE}
        GROUP BY 1, 2, 3""",
    "form": _by("f.formofviolence_id", _FORMS),
    "admin1": _by("l.pcode", "JOIN crsv_mis_location l ON l.id = i.admin1_id", name="l.name"),
    "admin2": _by("l.pcode", "LEFT JOIN crsv_mis_location l ON l.id = i.admin2_id", name="l.name"),
    "party_type": _by("p.party_type", _PERPETRATORS, victims_distinct=True),
    "party": _by("p.party_id", _PERPETRATORS, victims_distinct=True, name="pa.name"),
    "victim_group": f"""
        SELECT i.shared_under_isp, i.mara_shareable, i.status, v.victim_group, NULL, COUNT(DISTINCT i.id),
               COUNT(v.id)
        FROM incidents_incident i {_VICTIMS}{_WHERE}
        GROUP BY 1, 2, 3, 4""",
    "verification_status": _by("i.status", ""),
    "site_type": _by("i.site_type", ""),
    "party_form": _by("concat(p.party_id, '|', f.formofviolence_id)", f"{_PERPETRATORS} {_FORMS}",
                      victims_distinct=True, name="pa.name"),
    "party_victim_group": f"""
        SELECT i.shared_under_isp, i.mara_shareable, i.status, concat(p.party_id, '|', v.victim_group), pa.name,
               COUNT(DISTINCT i.id), COUNT(DISTINCT v.id)
        FROM incidents_incident i {_PERPETRATORS} {_VICTIMS}{_WHERE}
        GROUP BY 1, 2, 3, 4, 5""",
}


def plain_cells(mission_id, month):
    """A call that runs every GROUP BY of CELL_SQL for one month and returns the cells they give,
    {(dimension, isp, shareable, status, key): (incidents, victims)}."""
    from django.db import connection

    from incidents import stats

    def call():
        cells = {}
        with connection.cursor() as cursor:
            for dimension, sql in CELL_SQL.items():
                cursor.execute(sql, [mission_id, month, stats.add_months(month, 1)])
                for isp, shareable, status, key, _name, incidents, victims in cursor.fetchall():
                    cells[(dimension, isp, shareable, status, "" if key is None else str(key))] = (incidents,
                                                                                                  victims)
        return cells
    return call


def rollup_cells(mission_id, month):
    from reporting.models import RollupCell

    rows = RollupCell.objects.filter(mission_id=mission_id, month=month).values_list(
        "dimension", "shared_under_isp", "mara_shareable", "status", "key", "incidents", "victims")
    return {(d, isp, shareable, status, key): (incidents, victims)
            for d, isp, shareable, status, key, incidents, victims in rows}


def seconds_of(call, repeat):
    """Median and all timings, in seconds, of `repeat` calls (no warm-up: each call is long)."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), timings


def busiest_month(mission_id):
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from incidents.models import Incident

    row = (Incident.objects.active().filter(mission_id=mission_id).order_by()
           .annotate(month=TruncMonth("incident_date")).values("month").annotate(n=Count("id"))
           .order_by("-n").first())
    if row is None:
        raise BenchmarkError("the demo mission holds no incident")
    return row["month"], row["n"]


def quarterly_report(mission, year, quarter):
    """Build, store and render the report of one quarter; returns {step: seconds} and file sizes.
    The QuarterlyReport row is deleted afterwards: the benchmark leaves no report behind."""
    from django.db.models import Max

    from reporting import quarterly
    from reporting.models import Edition, QuarterlyReport

    try:
        from reporting import render
    except ImportError as error:
        raise BenchmarkError(f"reporting/render.py cannot be imported yet ({error})") from error

    steps, sizes = {}, {}
    started = time.perf_counter()
    snapshot = quarterly.build(mission, year, quarter)
    steps["quarterly.build (figures)"] = time.perf_counter() - started
    latest = QuarterlyReport.objects.filter(mission=mission, year=year, quarter=quarter).aggregate(
        v=Max("version"))["v"] or 0
    report = QuarterlyReport.objects.create(mission=mission, year=year, quarter=quarter, version=latest + 1,
                                            figures=snapshot)
    try:
        for edition in (Edition.EXTERNAL, Edition.MARA_ROOM):
            for fmt in ("pdf", "xlsx"):
                started = time.perf_counter()
                content = render.render_file(report, edition, fmt)
                steps[f"render_file {edition.value} {fmt}"] = time.perf_counter() - started
                if not content:
                    raise BenchmarkError(f"render_file({edition.value}, {fmt}) gave no bytes")
                sizes[f"{edition.value} {fmt}"] = len(content)
    finally:
        report.delete()
    return steps, sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=DEFAULT_INCIDENTS,
                        help=f"incidents required (default {DEFAULT_INCIDENTS})")
    parser.add_argument("--repeat", type=int, default=30, help="timed API requests per grouping (default 30)")
    parser.add_argument("--refresh-repeat", type=int, default=5, help="timed recounts of the month (default 5)")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    print(f"Database: {url}")
    print(f"Machine: {os.cpu_count()} CPUs, load average {load()} (other work on the machine skews timings)")
    prepare_database(url, reuse=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django.utils import timezone

    from crsv_mis.models import Mission, User
    from incidents import stats
    from incidents.models import Incident
    from reporting import quarterly, rollup
    from reporting.models import RollupMonth

    call_command("migrate", verbosity=0)
    held = Incident.objects.count()
    if held >= args.incidents:
        print(f"Reusing the {held} incidents already seeded.")
    else:
        print(f"Celery {'eager: seed_demo recounts every month inline' if settings.CELERY_TASK_ALWAYS_EAGER else 'on a broker: months left stale are recounted below'}.")  # noqa: E501
        seconds = timed_seed(args.incidents)
        connection.close()
        mission = Mission.objects.get(code="DEMO")
        recount = RollupMonth.objects.filter(mission=mission).aggregate(s=Sum("seconds"))["s"] or 0
        months = RollupMonth.objects.filter(mission=mission).count()
        print(f"Seeded up to {args.incidents} incidents and recounted the rollup in {seconds:.1f} s "
              f"(of which the last recount of {months} months: {recount:.1f} s).")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.perf_counter() - started:.1f} s.")
    if connection.vendor != "postgresql":
        print(f"Warning: measuring on {connection.vendor}; the targets are for PostgreSQL.")
    mission = Mission.objects.get(code="DEMO")
    started = time.perf_counter()
    left = rollup.refresh_stale(mission.pk)
    print(f"Months still marked stale, recounted now: {left} ({time.perf_counter() - started:.1f} s).")
    print(f"Database holds {Incident.objects.count()} incidents on {connection.vendor}.")
    results = []  # (what, measured, plain SQL or None, target, ok)

    # (a) one month's recount.
    month, in_month = busiest_month(mission.pk)
    plain_call = plain_cells(mission.pk, month)
    if plain_call() != rollup_cells(mission.pk, month):
        raise BenchmarkError(f"the rollup cells of {stats.month_key(month)} differ from the plain SQL counts")
    refresh, timings = seconds_of(lambda: rollup.refresh_month(mission.pk, month), args.refresh_repeat)
    if plain_call() != rollup_cells(mission.pk, month):
        raise BenchmarkError(f"after a recount the cells of {stats.month_key(month)} differ from the plain SQL")
    plain, _timings = seconds_of(plain_call, args.refresh_repeat)
    print(f"(a) refresh_month {stats.month_key(month)} ({in_month} incidents, "
          f"{len(rollup_cells(mission.pk, month))} cells): "
          f"{', '.join(f'{t:.2f}' for t in timings)} s; plain SQL GROUP BYs median {plain:.2f} s.", flush=True)
    results.append((f"(a) refresh_month {stats.month_key(month)}, median of {args.refresh_repeat}",
                    f"{refresh:.2f} s", f"{plain:.2f} s", f"< {REFRESH_TARGET_S:.0f} s", refresh < REFRESH_TARGET_S))

    # (c) the trends API, before the report so that (b) starts on whatever the API left in memory.
    last = stats.add_months(timezone.localdate(), -1)
    first = stats.add_months(last, -(API_MONTHS - 1))
    span = f"from={stats.month_key(first)}&to={stats.month_key(last)}"
    chair = User.objects.get(username="mara_chair")
    client = Client()
    client.force_login(chair)
    api = []
    for group_by in ("form", "victim_group"):
        call = page(client, f"/api/v1/stats/trends/?{span}&group_by={group_by}")
        sql = plain_sql(group_by, chair.mission_id, first, last)
        check_same_counts(call().json()["results"], sql(), group_by)
        figure = timed(call, args.repeat)
        plain = timed(sql, args.repeat)
        api.append((group_by, figure, plain))
        print(f"(c) trends API {API_MONTHS} months group_by={group_by}: median {figure['median']:.1f} ms, "
              f"p95 {figure['p95']:.1f} ms; plain SQL median {plain['median']:.1f} ms.", flush=True)
        results.append((f"(c) trends API {API_MONTHS} months, group_by={group_by}: median (p95)",
                        f"{figure['median']:.1f} ms ({figure['p95']:.1f})",
                        f"{plain['median']:.1f} ms ({plain['p95']:.1f})", f"< {API_TARGET_MS:.0f} ms",
                        figure["median"] < API_TARGET_MS))

    # (b) the quarterly report of the last ended quarter.
    year, quarter = quarterly.last_ended_quarter(timezone.localdate())
    started = time.perf_counter()
    steps, sizes = quarterly_report(mission, year, quarter)
    total = time.perf_counter() - started
    for step, seconds in steps.items():
        print(f"(b) {quarterly.quarter_label(year, quarter)} {step}: {seconds:.2f} s", flush=True)
    print(f"(b) file sizes: {', '.join(f'{k} {v // 1024} KiB' for k, v in sizes.items())}")
    results.append((f"(b) quarterly report {quarterly.quarter_label(year, quarter)}: figures, PDF and XLSX, "
                    "both editions", f"{total:.1f} s", None, f"< {REPORT_TARGET_S:.0f} s", total < REPORT_TARGET_S))

    print()
    width = max(len(r[0]) for r in results)
    print(f"  {'measure':<{width}}  {'measured':>20}  {'plain SQL':>20}  {'target':<9} result")
    for what, measured, plain, target, ok in results:
        print(f"  {what:<{width}}  {measured:>20}  {plain or '-':>20}  {target:<9} {'ok' if ok else 'MISSED'}")
    missed = [r[0] for r in results if not r[4]]
    print()
    return verdict(missed, "; ")


if __name__ == "__main__":
    run(main)

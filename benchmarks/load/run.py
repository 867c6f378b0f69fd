"""Load run: 50 concurrent users against gunicorn on PostgreSQL with 100,000 incidents, 5 minutes.

    /work/main/.venv/bin/python benchmarks/load/run.py [--users 50] [--duration 5m] [--incidents 100000]
        [--workers N] [--port 8765] [--reuse]

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_bench_load) is created if missing,
migrated and seeded with `manage.py seed_demo --incidents N` (idempotent: only missing incidents are
added), then benchmarks/load/prepare.py releases the last ended quarter's report. A Celery worker
(one process, on LOAD_REDIS_URL, default redis://127.0.0.1:6379/7, a database of its own so no other
worker takes its tasks) and gunicorn (sync workers, 2 x CPUs + 1 unless --workers) are started here
and stopped at the end. Locust (benchmarks/load/locustfile.py) runs headless with the users spawned
at 5 per second.

Two-factor login is off (REQUIRE_2FA=0, as in the demo): the users log in with the demo passwords
through the real login form. Everything else is the product as deployed, but plain HTTP and
crsv_mis.settings (production settings would redirect to HTTPS).

Prints the machine (CPU model, cores, RAM from /proc), the 1-minute load average sampled every 15 s
during the run (other work on the machine shows there), and per action the request count, median
and 95th-percentile latency and the error count. Exit status 1 when any request failed.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_bench_load"


def machine():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), "unknown")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return f"{model}, {os.cpu_count()} cores, {mem_kb / 1024 / 1024:.1f} GiB RAM"


def create_database(url):
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {k: v for k, v in {"host": config.get("HOST"), "port": config.get("PORT"),
                                "user": config.get("USER"), "password": config.get("PASSWORD")}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            print(f"Creating database {config['NAME']}.")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_until_serving(port, workers, seconds=180):
    """Until the login page answers, then as many requests again as there are workers, so that
    the timings do not include gunicorn starting its workers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            for _ in range(workers + 1):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=60).read()  # noqa: S310
            return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"gunicorn did not serve the login page on port {port} in {seconds} s")


def sample_load(samples, stop):
    while not stop.wait(15):
        samples.append(float(Path("/proc/loadavg").read_text().split()[0]))


def table(stats_csv):
    rows = list(csv.DictReader(open(stats_csv, newline="")))
    lines = ["| action | requests | median (ms) | p95 (ms) | errors |", "|---|---:|---:|---:|---:|"]
    errors = 0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        lines.append(f"| {name} | {row['Request Count']} | {row['Median Response Time']} | {row['95%']} "
                     f"| {row['Failure Count']} |")
        if row["Name"] == "Aggregated":
            errors = int(row["Failure Count"])
    return "\n".join(lines), errors


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", default="5m", help="locust --run-time (default 5m)")
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/7"),
           "DJANGO_SETTINGS_MODULE": "crsv_mis.settings", "REQUIRE_2FA": "0", "DEBUG": "0",
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONPATH": str(ROOT)}
    print(f"Machine: {machine()}")
    create_database(url)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", "--incidents", str(args.incidents), "-v", "0")
    prepared = subprocess.run([sys.executable, "-c", "import django; django.setup(); import runpy; "
                               f"runpy.run_path({str(HERE / 'prepare.py')!r})"],
                              cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.split()
    report_pk, export_month = prepared[-2:]
    print(f"Released report {report_pk}; de-identified export of {export_month}.")

    logs = Path(tempfile.mkdtemp(prefix="crsv-load-"))
    worker = subprocess.Popen([BIN / "celery", "-A", "crsv_mis", "worker", "-l", "warning", "--concurrency", "1"],
                              cwd=ROOT, env=env, stdout=open(logs / "celery.log", "w"), stderr=subprocess.STDOUT)
    server = subprocess.Popen(
        [BIN / "gunicorn", "crsv_mis.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
         "--timeout", "120", "--preload", "--access-logfile", "-"],
        cwd=ROOT, env=env, stdout=open(logs / "gunicorn.log", "w"), stderr=subprocess.STDOUT)
    samples, stop = [], threading.Event()
    try:
        wait_until_serving(args.port, args.workers)
        command = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(args.users),
                   "-r", "5", "-t", args.duration, "--host", f"http://127.0.0.1:{args.port}",
                   "--csv", str(logs / "load"), "--only-summary", "--stop-timeout", "30"]
        print(f"gunicorn: {args.workers} sync workers; logs in {logs}")
        print("Running:", " ".join(command[1:]))
        sampler = threading.Thread(target=sample_load, args=(samples, stop), daemon=True)
        sampler.start()
        started = time.monotonic()
        subprocess.run(command, cwd=ROOT, env={**env, "LOAD_REPORT_PK": report_pk, "LOAD_EXPORT_MONTH": export_month},
                       stdout=open(logs / "locust.log", "w"), stderr=subprocess.STDOUT)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for process in (server, worker):
            process.terminate()
        for process in (server, worker):
            process.wait(timeout=60)

    text, errors = table(logs / "load_stats.csv")
    # An exception in a user's task (a page without the expected form, say) is an error too.
    exceptions = list(csv.DictReader(open(logs / "load_exceptions.csv", newline="")))
    errors += sum(int(row["Count"]) for row in exceptions)
    print(f"\n{args.users} users for {elapsed:.0f} s against {args.workers} gunicorn workers, "
          f"{args.incidents} incidents.\n")
    print(text)
    if samples:
        print(f"\n1-minute load average during the run: min {min(samples):.1f}, median "
              f"{statistics.median(samples):.1f}, max {max(samples):.1f} ({len(samples)} samples)")
    print(f"\nErrors: {errors}")
    failures = logs / "load_failures.csv"
    if errors and failures.exists():
        print(failures.read_text())
    for row in exceptions:
        print(f"Exception x{row['Count']}: {row['Message']}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

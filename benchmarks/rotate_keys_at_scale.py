"""Key rotation at scale: rotate_encryption_key over the demo data of N incidents (their victims and
consents), timed.

    .venv/bin/python benchmarks/rotate_keys_at_scale.py [--incidents N] [--batch-size B] [--reuse]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crsv_rotate_bench), prepared like the
other benchmarks (a benchmark database holding data is dropped and seeded again unless --reuse).
manage.py seed_demo encrypts with the benchmark's first fixed key; the benchmark holds a second fixed
key, and each run rotates to whichever of the two the data is not under (so a --reuse run rotates
back), with both in FIELD_ENCRYPTION_KEYS, as an operator would. Timed: the rotation (rows read and
values re-encrypted per second), then a second run that finds nothing to do.

Targets (exit status 1 if one is missed): at least 1,000 rows a second for the rotation; every value
under the new key afterwards; the second run re-encrypting nothing. Exit status 2: the benchmark
itself could not run.
"""

import argparse
import base64
import hashlib
import io
import os
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crsv_rotate_bench"
ROWS_TARGET_PER_S = 1000.0
SECOND_KEY = base64.urlsafe_b64encode(hashlib.sha256(b"crsv-benchmark-second-field-key").digest()).decode()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv_mis.settings")
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
# seed_demo and this process: the benchmark's first fixed key (the product has no default key).
os.environ["FIELD_ENCRYPTION_KEYS"] = "I5bdR9SONtPlaf69_L85gCYsIr3Gu60F4_8BTwSQ9Zc="
os.environ.setdefault("AUDIT_CHAIN_KEY", "benchmark-audit-chain-key-not-a-secret")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
warnings.filterwarnings("ignore", message="No directory at")

from incidents_at_scale import load, prepare_database, run, timed_seed, verdict  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=20_000, help="incidents to seed (default 20000)")
    parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")
    parser.add_argument("--reuse", action="store_true", help="skip seeding when the database holds N incidents")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    print(f"Database: {url}")
    print(f"Machine: {os.cpu_count()} CPUs, load average {load()} (other work on the machine skews timings)")
    prepare_database(url, reuse=args.reuse)

    import django

    django.setup()
    from cryptography.fernet import Fernet, InvalidToken
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from crsv_mis.keyrotation import protected_tables
    from incidents.models import Incident

    call_command("migrate", verbosity=0)
    if Incident.objects.count() < args.incidents:
        print(f"Seeded {args.incidents} incidents in {timed_seed(args.incidents):.1f} s.")
    first = settings.FIELD_ENCRYPTION_KEYS[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM incidents_incident WHERE narrative <> '' LIMIT 1")
        token = cursor.fetchone()[0][len("enc:"):].encode()
    try:
        Fernet(first).extract_timestamp(token)
        old, new = first, SECOND_KEY
    except InvalidToken:
        old, new = SECOND_KEY, first
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    with connection.cursor() as cursor:
        counts = {}
        for protected in protected_tables():
            cursor.execute(f"SELECT COUNT(*) FROM {protected.table}")  # noqa: S608 - names from the models
            counts[protected.model._meta.label] = cursor.fetchone()[0]
    rows = sum(counts.values())
    print(f"Protected rows: {rows} ({', '.join(f'{k} {v}' for k, v in counts.items() if v)})")

    missed = []
    out = io.StringIO()
    print(f"$ FIELD_ENCRYPTION_KEYS=NEW,OLD manage.py rotate_encryption_key --batch-size {args.batch_size}")
    started = time.perf_counter()
    call_command("rotate_encryption_key", batch_size=args.batch_size, verbosity=0, stdout=out)
    seconds = time.perf_counter() - started
    summary = out.getvalue().strip().splitlines()[-2]
    print(f"  {summary}")
    values = int(summary.split("re-encrypted ")[1].split(" ")[0])
    print(f"Rotation: {rows} rows in {seconds:.1f} s = {rows / seconds:.0f} rows/s, {values / seconds:.0f} values/s")
    if rows / seconds < ROWS_TARGET_PER_S:
        missed.append(f"rotation {rows / seconds:.0f} rows/s < {ROWS_TARGET_PER_S:.0f}")

    settings.FIELD_ENCRYPTION_KEYS = [new]
    again = io.StringIO()
    started = time.perf_counter()
    call_command("rotate_encryption_key", batch_size=args.batch_size, verbosity=0, stdout=again)
    seconds = time.perf_counter() - started
    line = again.getvalue().strip().splitlines()[-2]
    print(f"Second run, the new key alone: {seconds:.1f} s: {line}")
    if not line.startswith("re-encrypted 0 value(s)"):
        missed.append("the second run re-encrypted something (or some value is not under the new key)")
    return verdict(missed)


if __name__ == "__main__":
    run(main)

"""How unique the de-identified data set's rows would be without generalisation, and what the file
holds with it, on the database of DATABASE_URL (for example after `seed_demo`).

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 FIELD_ENCRYPTION_KEYS=... .venv/bin/python benchmarks/deidentified_k.py

Prints, for the last 12 complete months of the first mission: the incidents, the share of rows alone
on month + territory + victim groups, and on every quasi-identifier; then k, the steps taken, the rows
left out and the time the anonymisation took.
"""

import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crsv_mis.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from crsv_mis.models import Role, User  # noqa: E402
from incidents import stats  # noqa: E402
from reporting import deidentified  # noqa: E402


def main():
    reader = User.objects.filter(role=Role.MARA_CHAIR).order_by("pk").first()
    end = stats.add_months(timezone.localdate(), -1)
    start = stats.add_months(end, -11)
    records = [deidentified._record(i)[0] for i in deidentified.incidents(reader, start, end)]
    n = len(records)

    def alone(key):
        sizes = Counter(map(key, records))
        return sum(1 for r in records if sizes[key(r)] == 1) / n if n else 0

    print(f"incidents {n} ({stats.month_key(start)} to {stats.month_key(end)}, mission {reader.mission.code})")
    print(f"alone on month + territory + victim groups: {alone(lambda r: (r.month, r.territory, r.groups)):.0%}")
    print(f"alone on every quasi-identifier:           {alone(lambda r: r):.0%}")
    began = time.perf_counter()
    result = deidentified.anonymised(reader, start, end)
    took = time.perf_counter() - began
    print(f"k {result.k}, smallest group {result.smallest_group}, rows kept {len(result.rows)}, "
          f"left out {result.left_out}, in {took:.2f} s")
    print("steps: " + "; ".join(result.steps))


if __name__ == "__main__":
    main()

"""References read DEMO-<year reported>-NNNNN, count up per year, and never repeat, even under load."""

import datetime
import re
import threading
import traceback

import pytest
from django.db import connection

from incidents.models import Incident, ReferenceCounter

THREADS = 8


def test_references_count_up_per_year_of_the_reported_date(make_incident):
    made = [
        make_incident(incident_date=datetime.date(2023, 12, 20), reported_date=datetime.date(2024, 1, 3)),
        make_incident(incident_date=datetime.date(2024, 5, 1), reported_date=datetime.date(2024, 5, 2)),
        make_incident(incident_date=datetime.date(2024, 12, 30), reported_date=datetime.date(2025, 1, 2)),
        make_incident(incident_date=datetime.date(2024, 6, 1), reported_date=datetime.date(2024, 12, 31)),
        make_incident(incident_date=datetime.date(2025, 2, 1), reported_date=datetime.date(2025, 2, 1)),
    ]

    assert [i.reference for i in made] == [
        "DEMO-2024-00001", "DEMO-2024-00002", "DEMO-2025-00001", "DEMO-2024-00003", "DEMO-2025-00002",
    ]
    assert sorted(Incident.objects.values_list("reference", flat=True)) == sorted(i.reference for i in made)


def test_reference_has_five_digits_and_the_incident_year_does_not_matter(make_incident):
    incident = make_incident(incident_date=datetime.date(2019, 3, 1), incident_date_precision="YEAR",
                             reported_date=datetime.date(2024, 7, 1))

    assert re.fullmatch(r"DEMO-2024-\d{5}", incident.reference)
    assert incident.reference == "DEMO-2024-00001"


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_get_distinct_sequential_references(make_incident):
    barrier = threading.Barrier(THREADS)
    references, failures = [], []
    lock = threading.Lock()

    def submit():
        try:
            barrier.wait(timeout=30)
            reference = make_incident(reported_date=datetime.date(2024, 3, 1),
                                      incident_date=datetime.date(2024, 2, 27)).reference
            with lock:
                references.append(reference)
        except Exception:
            with lock:
                failures.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert failures == [], f"{len(failures)} of {THREADS} submissions failed; the first:\n{failures[0]}"
    assert sorted(references) == [f"DEMO-2024-{n:05d}" for n in range(1, THREADS + 1)]
    assert Incident.objects.count() == THREADS
    assert ReferenceCounter.objects.get(year=2024).last == THREADS
    # Every submission is whole: its victims, perpetrators and forms were stored with it.
    for incident in Incident.objects.all():
        assert incident.victims.count() == 1 and incident.perpetrators.count() == 1
        assert list(incident.forms.values_list("code", flat=True)) == ["RAPE"]

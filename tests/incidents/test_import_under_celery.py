"""A large file goes to Celery: a real worker checks it and then imports it while the page shows the
progress and refreshes itself; the task gets the import's id, never the file."""

import time

import pytest

from incidents.models import ImportState, IncidentImport
from tests.incidents.import_files import dmy, good_row, write_csv


def wait_for(pk, state, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = IncidentImport.objects.get(pk=pk)
        if found.state == state:
            return found
        time.sleep(0.2)
    raise AssertionError(f"import {pk} still {IncidentImport.objects.get(pk=pk).state}")


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_imported_by_the_worker(client, login, tmp_path, users, party, celery_worker,
                                                           settings):
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every file counts as large here
    rows = [good_row(incident_key=f"K{n}", incident_date=dmy(20 + n)) for n in range(300)]
    path = write_csv(tmp_path / "large.csv", rows)
    login(users["SWPA"])
    with open(path, "rb") as upload:
        response = client.post("/incidents/import/", {"file": upload})
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    page = client.get(f"/incidents/import/{pk}/").content.decode()
    if IncidentImport.objects.get(pk=pk).state == ImportState.CHECKING:
        assert 'http-equiv="refresh"' in page and "<progress" in page
    checked = wait_for(pk, ImportState.CHECKED)
    assert checked.rows_valid == 300
    client.post(f"/incidents/import/{pk}/choose/", {"mode": "ALL"})
    done = wait_for(pk, ImportState.DONE)
    assert done.incidents_written == 300
    page = client.get(f"/incidents/import/{pk}/").content.decode()
    assert "300 incidents imported" in page and 'http-equiv="refresh"' not in page

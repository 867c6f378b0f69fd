"""An import's kept file, rows and to-fix file hold survivor data: nobody coming back for
IMPORT_FILE_KEEP_DAYS means they are deleted by the nightly task, and the deletion is audited."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent
from incidents import tasks
from incidents.imports import services
from incidents.models import ImportFile, IncidentImport
from tests.incidents.import_files import checked, good_row, imported, write_csv

pytestmark = pytest.mark.django_db


def _checked(users, tmp_path):
    return checked(users["SWPA"], write_csv(tmp_path / "pending.csv", [good_row(victim_age="20")]))


def _age(incident_import, days):
    then = timezone.now() - datetime.timedelta(days=days)
    IncidentImport.objects.filter(pk=incident_import.pk).update(created_at=then, finished_at=then)


@pytest.mark.django_db(transaction=True)
def test_a_checked_import_left_alone_loses_its_file_and_is_closed(users, tmp_path, settings, party, celery_worker):
    settings.IMPORT_FILE_KEEP_DAYS = 14
    pending = _checked(users, tmp_path)
    assert pending.state == "CHECKED" and ImportFile.objects.filter(incident_import=pending).exists()
    _age(pending, 15)

    assert tasks.drop_forgotten_import_files.delay().get(timeout=60) == 1
    pending.refresh_from_db()
    assert pending.state == "DISCARDED"
    assert not ImportFile.objects.filter(incident_import=pending).exists()
    event = AuditEvent.objects.get(action="incident_import.files_expired")
    assert event.object_id == str(pending.pk) and event.detail["kept_days"] == 14


def test_a_to_fix_file_nobody_downloaded_goes_too(users, tmp_path, party):
    done = imported(users["SWPA"], write_csv(tmp_path / "mixed.csv",
                                             [good_row(victim_age="20"), good_row(location="Atlantis")]),
                    mode="VALID")
    assert done.state == "DONE" and ImportFile.objects.get(incident_import=done).fix_file
    _age(done, 30)
    assert services.drop_forgotten_files() == 1
    done.refresh_from_db()
    assert done.state == "DONE" and done.incidents_written == 1
    assert not ImportFile.objects.filter(incident_import=done).exists()


def test_a_recent_import_keeps_its_file_and_a_second_run_does_nothing(users, tmp_path, party):
    pending = _checked(users, tmp_path)
    _age(pending, 3)
    assert services.drop_forgotten_files() == 0
    assert ImportFile.objects.filter(incident_import=pending).exists()
    _age(pending, 20)
    assert services.drop_forgotten_files() == 1
    assert services.drop_forgotten_files() == 0

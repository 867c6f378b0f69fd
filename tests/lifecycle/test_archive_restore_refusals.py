"""restore_archive writes only into an empty database, and only an archive that verifies: otherwise
it refuses in plain words and the database is left as it was."""

import pytest
from django.core.management import CommandError, call_command

from crsv_mis.models import AuditEvent
from incidents.models import Incident
from lifecycle import archive
from lifecycle.archive_file import Damaged, WrongKey, new_key
from tests.lifecycle.conftest import empty_the_database, every_row, wait_for_quiet


def test_it_refuses_a_database_that_holds_records(make_incident, archive_key, key_file, tmp_path):
    make_incident()
    path = tmp_path / "mission.crsvarc"
    archive.export(path, archive_key)
    before = every_row()
    with pytest.raises(archive.NotEmpty, match="not empty"):
        archive.restore(path, archive_key)
    with pytest.raises(CommandError, match="Restore only into an empty database"):
        call_command("restore_archive", str(path), key_file=str(key_file))
    assert every_row() == before


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_damaged_archive_or_a_wrong_key_and_writes_nothing(
        celery_worker, make_incident, archive_key, key_file, tmp_path):
    make_incident()
    wait_for_quiet()
    path = tmp_path / "mission.crsvarc"
    archive.export(path, archive_key)
    empty_the_database()
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x01
    path.write_bytes(data)
    with pytest.raises(Damaged):
        archive.restore(path, archive_key)
    with pytest.raises(CommandError, match="damaged"):
        call_command("restore_archive", str(path), key_file=str(key_file))
    with pytest.raises(WrongKey):
        archive.restore(path, new_key())
    assert not Incident.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_database_whose_reference_rows_differ(celery_worker, make_incident, archive_key, tmp_path):
    make_incident()
    wait_for_quiet()
    path = tmp_path / "mission.crsvarc"
    archive.export(path, archive_key)
    empty_the_database()
    from incidents.models import FormOfViolence

    FormOfViolence.objects.create(code="NOT_IN_THE_ARCHIVE")
    with pytest.raises(archive.NotEmpty, match="incidents.formofviolence holds 1 row"):
        archive.restore(path, archive_key)
    assert not Incident.objects.exists()

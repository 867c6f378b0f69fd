"""Imported incidents carry their import and row; the import is audited as one event with its counts
and the file's checksum, not one per row; the file is kept encrypted and dropped once imported."""

import hashlib

import pytest
from django.db import connection

from crsv_mis.models import AuditEvent
from incidents.models import ImportFile, Incident
from tests.incidents.import_files import good_row, imported, write_csv

pytestmark = pytest.mark.django_db


def test_every_incident_knows_its_import_and_row_and_the_import_is_one_audit_event(tmp_path, users, party):
    rows = [good_row(victim_age="20"), None, good_row(victim_age="45", victim_name="Testname Delta")]
    path = write_csv(tmp_path / "audit.csv", rows)
    incident_import = imported(users["SWPA"], path)
    assert sorted(Incident.objects.filter(source_import=incident_import).values_list("source_row", flat=True)) == [
        2, 4]
    event = AuditEvent.objects.get(action="incident_import.import")
    assert event.username == "swpa" and event.object_id == str(incident_import.pk)
    assert event.detail["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (event.detail["incidents_written"], event.detail["rows_written"], event.detail["rows_skipped"]) == (
        2, 2, 1)
    assert event.detail["first_reference"].endswith("-00001") and event.detail["last_reference"].endswith("-00002")
    assert not AuditEvent.objects.filter(action="incident.create").exists()
    assert "Testname" not in str(AuditEvent.objects.values_list("detail", flat=True))
    assert not ImportFile.objects.exists()  # the file is gone once imported


def test_the_kept_file_and_the_report_are_encrypted_in_the_database(tmp_path, users, party):
    from tests.incidents.import_files import checked

    path = write_csv(tmp_path / "Quillby cases.csv", [good_row(victim_name="Testname Epsilon",
                                                               location="Atlantis")])
    incident_import = checked(users["SWPA"], path)
    with connection.cursor() as cursor:
        cursor.execute("SELECT content, rows FROM incidents_importfile")
        content, rows = cursor.fetchone()
        cursor.execute("SELECT file_name, report FROM incidents_incidentimport")
        file_name, report = cursor.fetchone()
    # Once checked, the rows as read are kept (for the import) instead of the file.
    assert content == "" and rows.startswith("enc:")
    assert file_name.startswith("enc:") and report.startswith("enc:")
    assert "Quillby" not in file_name and "Atlantis" not in report and "Testname" not in rows
    assert incident_import.file_name == "Quillby cases.csv"


def test_the_incident_list_filters_the_incidents_of_an_import(client, login, tmp_path, users, party, make_incident):
    make_incident()
    incident_import = imported(users["SWPA"], write_csv(tmp_path / "one.csv", [good_row(victim_age="61")]))
    login(users["SWPA"])
    page = client.get(f"/incidents/?source_import={incident_import.pk}").content.decode()
    assert incident_import.incidents.get().reference in page and "1 incident" in page


def test_the_incident_page_says_which_import_and_row_it_came_from(client, login, tmp_path, users, party):
    incident_import = imported(users["SWPA"], write_csv(tmp_path / "one.csv", [None, good_row()]))
    incident = incident_import.incidents.get()
    login(users["SWPA"])
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert f"import {incident_import.pk}, row 3" in page

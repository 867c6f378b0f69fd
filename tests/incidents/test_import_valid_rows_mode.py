"""Valid-rows mode: the valid rows are imported and the others come back in a to-fix XLSX in the
template's format with the reasons; fixed and uploaded again, they import. Downloads are audited."""

import io

import openpyxl
import pytest

from crsv_mis.models import AuditEvent
from incidents.imports import services
from incidents.imports.columns import COLUMNS
from incidents.models import Incident
from tests.incidents.import_files import KEYS, good_row, imported, write_csv

pytestmark = pytest.mark.django_db


def test_valid_rows_are_imported_and_the_rest_come_back_to_fix(client, login, tmp_path, users, party):
    rows = [good_row(victim_age="20"), good_row(victim_age="30", location="Atlantis"),
            good_row(victim_age="45"), good_row(victim_age="65", victim_sex="")]
    incident_import = imported(users["SWPA"], write_csv(tmp_path / "mixed.csv", rows), mode="VALID")
    assert incident_import.state == "DONE"
    assert (incident_import.incidents_written, incident_import.rows_invalid) == (2, 2)
    assert sorted(Incident.objects.values_list("source_row", flat=True)) == [2, 4]

    login(users["SWPA"])
    response = client.get(f"/incidents/import/{incident_import.pk}/to-fix.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Incidents"]
    table = list(sheet.iter_rows(values_only=True))
    assert list(table[0][:len(COLUMNS)]) == [c.label_en for c in COLUMNS]
    assert [r[KEYS.index("victim_age")] for r in table[1:]] == ["30", "65"]
    assert "Row 3 of the uploaded file: Location: No territory" in table[1][-1]
    assert "Victim sex" in table[2][-1]
    event = AuditEvent.objects.get(action="incident_import.fix_file_download")
    assert event.username == "swpa" and len(event.detail["sha256"]) == 64

    # Fix the two rows in the returned file and upload it as it is (the reason column is ignored).
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    book["Incidents"].cell(row=2, column=KEYS.index("location") + 1, value="Birchford")
    book["Incidents"].cell(row=2, column=KEYS.index("summary") + 1,
                           value="One woman reported an attack in Birchford territory.")
    book["Incidents"].cell(row=3, column=KEYS.index("victim_sex") + 1, value="F")
    fixed = tmp_path / "fixed.xlsx"
    book.save(fixed)
    again = imported(users["SWPA"], fixed)
    assert again.state == "DONE" and again.incidents_written == 2
    assert Incident.objects.count() == 4


def test_the_fix_file_can_be_deleted_from_the_server(client, login, tmp_path, users, party):
    rows = [good_row(), good_row(victim_age="70", location="Atlantis")]
    incident_import = imported(users["SWPA"], write_csv(tmp_path / "mixed.csv", rows), mode="VALID")
    login(users["SWPA"])
    client.post(f"/incidents/import/{incident_import.pk}/discard/")
    assert services.fix_file_of(incident_import) is None
    assert client.get(f"/incidents/import/{incident_import.pk}/to-fix.xlsx").status_code == 302

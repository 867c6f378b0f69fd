"""CSV files in the encodings Excel writes: UTF-8 with or without BOM, Windows-1252 (French Excel),
UTF-16; bytes that are none of them answer a plain error and write nothing."""

import pytest

from incidents.imports import services
from incidents.models import ImportFile, Incident
from tests.incidents.import_files import checked, good_row, imported, write_csv

pytestmark = pytest.mark.django_db

ACCENTED = good_row(victim_sex="Féminin", site_type="Marché",
                    summary="Une femme a signalé une agression près d'un marché du territoire d'Ashdale.")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_accents_survive_every_encoding_excel_writes(tmp_path, users, party, encoding):
    path = write_csv(tmp_path / f"{encoding}.csv", [ACCENTED], encoding=encoding, delimiter=";")
    incident_import = imported(users["SWPA"], path)
    assert incident_import.state == "DONE", incident_import.error
    incident = incident_import.incidents.get()
    assert incident.summary == ACCENTED["summary"]
    assert (incident.site_type, incident.victims.get().sex) == ("MARKET", "FEMALE")


def test_the_bom_does_not_hide_the_first_column(tmp_path, users, party):
    path = write_csv(tmp_path / "bom.csv", [good_row(incident_key="BOM-1")], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    incident_import = checked(users["SWPA"], path)
    assert incident_import.rows_valid == 1
    assert services.report(incident_import)["ignored_headers"] == []


def test_undecodable_bytes_answer_a_plain_error_and_write_nothing(tmp_path, users, party):
    path = write_csv(tmp_path / "bad.csv", [good_row()])
    # 0x81 and 0x8d are undefined in Windows-1252 and invalid in UTF-8.
    path.write_bytes(path.read_bytes() + b"\x81\x8d\x81 broken line\n")
    incident_import = checked(users["SWPA"], path)
    assert incident_import.state == "FAILED"
    assert "neither UTF-8 nor Windows-1252" in incident_import.error and "line 3" in incident_import.error
    assert not Incident.objects.exists()
    assert not ImportFile.objects.exists()  # an unreadable file is not kept


def test_an_old_xls_file_is_refused_with_what_to_do(tmp_path, users, party):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    incident_import = checked(users["SWPA"], path)
    assert incident_import.state == "FAILED" and "save it as .xlsx" in incident_import.error

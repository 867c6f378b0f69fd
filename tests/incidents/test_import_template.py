"""The template downloads as a real XLSX (instructions, codes in English and French, places, parties,
an example row) and a CSV; the example row itself passes the check."""

import csv
import io

import openpyxl
import pytest

from incidents.choices import CrsvFormCode, Sex
from incidents.imports import services
from incidents.imports.columns import COLUMNS

pytestmark = pytest.mark.django_db


def test_xlsx_template_opens_with_instructions_codes_and_an_example_row(client, login, users, party):
    login(users["SWPA"])
    response = client.get("/incidents/import/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Instructions", "Incidents", "Codes", "Places", "Parties"]
    data = list(book["Incidents"].iter_rows(values_only=True))
    assert list(data[0]) == [c.label_en for c in COLUMNS]
    assert len(data) == 2 and data[1][0] == "A-001"
    codes = {(row[1], row[3]) for row in book["Codes"].iter_rows(min_row=2, values_only=True)}
    for code in CrsvFormCode.values:
        assert any(c == code for c, _fr in codes), code
    assert ("RAPE", "Viol (y compris viol collectif)") in codes
    assert ("FEMALE", "Féminin") in codes
    assert ("TL0101", "Ashdale") in {r[:2] for r in book["Places"].iter_rows(min_row=2, values_only=True)}
    assert ("Test Front", "NON_STATE_ARMED_GROUP", "TF") in set(book["Parties"].iter_rows(min_row=2,
                                                                                          values_only=True))


def test_csv_template_has_the_header_and_an_example_row(client, login, users, party):
    login(users["SWPA"])
    response = client.get("/incidents/import/template.csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [c.label_en for c in COLUMNS]
    assert len(rows) == 2
    assert rows[1][[c.key for c in COLUMNS].index("victim_sex")] in Sex.values + ["F"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_example_row_of_the_template_passes_the_check(client, login, users, party, fmt):
    login(users["SWPA"])
    data = client.get(f"/incidents/import/template.{fmt}").content
    incident_import = services.upload(by=users["SWPA"], file_name=f"template.{fmt}", data=data)
    incident_import = services.check_import(incident_import.pk)
    assert services.report(incident_import)["problems"] == []
    assert (incident_import.rows_valid, incident_import.incidents_valid) == (1, 1)


def test_french_page_gives_french_headers_that_the_import_reads(client, login, users, party):
    login(users["SWPA"])
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    data = client.get("/incidents/import/template.csv").content
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[2] == "Date de l'incident"
    incident_import = services.check_import(services.upload(by=users["SWPA"], file_name="fr.csv", data=data).pk)
    assert incident_import.rows_valid == 1

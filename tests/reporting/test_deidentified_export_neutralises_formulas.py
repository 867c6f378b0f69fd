"""The de-identified data set keeps place and party names typed as formulas inert, in the real XLSX
(opened with openpyxl) and CSV files: the value starts with a quote and no cell is a formula."""

import csv
import datetime
import io

import pytest
from openpyxl import load_workbook


@pytest.fixture(autouse=True)
def every_row_kept(settings):
    # These tests read what one row holds: k = 1 keeps every row as it is. The generalisation that a
    # deployment's k (default 5) brings has its own tests (test_deidentified_export_is_k_anonymous.py).
    settings.DEIDENTIFIED_K = 1


URL = "/reports/deidentified/"
PERIOD = {"from": "2026-01", "to": "2026-03"}
TYPED = {"territory": "@SUM(1+1)", "province": "+1+1", "party": "-2+3"}


@pytest.fixture
def injected(make_incident, gazetteer, party):
    gazetteer["north_a"].name = TYPED["territory"]
    gazetteer["north_a"].save()
    gazetteer["north"].name = TYPED["province"]
    gazetteer["north"].save()
    party.name = TYPED["party"]
    party.save()
    return make_incident(incident_date=datetime.date(2026, 2, 14), reported_date=datetime.date(2026, 2, 20))


def test_the_xlsx_holds_the_names_as_text_starting_with_a_quote(users, login, injected):
    response = login(users["MARA_CHAIR"]).get(URL, {**PERIOD, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, row = list(sheet.iter_rows())[:2]
    cells = {h.value: c for h, c in zip(header, row, strict=True)}
    for column, typed in (("Territory", "territory"), ("Province", "province"), ("Named parties", "party")):
        assert cells[column].value == "'" + TYPED[typed]
        assert cells[column].data_type == "s"
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


def test_the_csv_holds_the_names_starting_with_a_quote(users, login, injected):
    response = login(users["MARA_MEMBER"]).get(URL, {**PERIOD, "format": "csv"})
    (row,) = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert (row["Territory"], row["Province"], row["Named parties"]) == (
        "'@SUM(1+1)", "'+1+1", "'-2+3")

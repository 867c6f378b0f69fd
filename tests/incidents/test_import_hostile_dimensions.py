"""A small XLSX that declares a far-away row or column is refused in plain words, without the
reader allocating by the declared number: a 2 KB file once made it build lists of billions of cells."""

import io
import tracemalloc
import zipfile
from xml.sax.saxutils import escape

import pytest

from incidents.imports import reading
from tests.incidents.import_files import LABELS, checked, good_row

pytestmark = pytest.mark.django_db
MEMORY_BOUND = 20 * 1024 * 1024

WORKBOOK = ('<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Incidents" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet"/></Relationships>')


def _column(n):
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _row(number, values, columns=None):
    cells = "".join(
        f'<c r="{columns[i] if columns else _column(i + 1)}{number}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'
        for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def hostile_xlsx(*rows):
    """A workbook written by hand, as an attacker would: the template's header, then `rows` as XML."""
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + _row(1, LABELS) + "".join(rows) + "</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", RELS)
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def good_values():
    row = good_row()
    return [row[key] for key in row]


def read_within_bound(data):
    """reading.read(data) -> the FileError it raises, checking the memory it took on the way."""
    tracemalloc.start()
    try:
        with pytest.raises(reading.FileError) as raised:
            reading.read(data, "hostile.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND, f"the reader took {peak / 1e6:.0f} MB"
    return str(raised.value)


def test_it_refuses_a_row_numbered_beyond_any_spreadsheet_without_allocating_for_it():
    data = hostile_xlsx(_row(2, good_values()), _row(900_000_000, good_values()))
    assert len(data) < 4096
    message = read_within_bound(data)
    assert "900000000" in message and "no spreadsheet has" in message


def test_it_refuses_a_cell_in_a_column_beyond_any_spreadsheet_without_allocating_for_it():
    data = hostile_xlsx(_row(2, ["x"], columns=["ZZZZZZZ"]))
    message = read_within_bound(data)
    assert "ZZZZZZZ" in message and "no spreadsheet has" in message


def test_it_refuses_a_cell_far_right_of_the_template_columns():
    # XFD is a spreadsheet's last column: possible, but each row would be 16,384 cells long.
    data = hostile_xlsx(*[_row(n, ["x"], columns=["XFD"]) for n in range(2, 50)])
    message = read_within_bound(data)
    assert "Row 2 has a cell in column XFD" in message


def test_it_refuses_a_long_run_of_absent_rows():
    data = hostile_xlsx(_row(2, good_values()), _row(1_000_000, good_values()))
    message = read_within_bound(data)
    assert "empty rows in a row" in message


def test_it_tells_the_importer_why_the_file_was_refused(tmp_path, users, party):
    path = tmp_path / "hostile.xlsx"
    path.write_bytes(hostile_xlsx(_row(2, good_values()), _row(900_000_000, good_values())))
    incident_import = checked(users["SWPA"], path)
    assert incident_import.state == "FAILED"
    assert "row 900000000" in incident_import.error and "no spreadsheet has" in incident_import.error


def test_it_still_reads_a_few_empty_rows_between_data_rows():
    data = hostile_xlsx(_row(2, good_values()), _row(900, good_values()))
    sheet = reading.read(data, "gaps.xlsx")
    assert [number for number, _values in sheet.rows] == [2, 900]
    assert sheet.skipped == list(range(3, 900))

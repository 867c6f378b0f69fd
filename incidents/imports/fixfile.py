"""The "to fix" file: the rows that were not imported, in the template's format, each with its reasons.

The reasons go in the last column, which the import ignores: fix the cells, leave or delete that
column, and upload the file again. Cells come back as they were read (a formula cell comes back
empty, since it was never read); text is neutralised so that a formula typed as text stays text.
"""

import datetime
import io

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from crsv_mis.cells import neutralise

from .columns import COLUMNS
from .reading import DATA_SHEET, FORMULA
from .template import header_labels


def _cell(value):
    if value is FORMULA:
        return None
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return neutralise(value)


def build(sheet, reasons_by_row):
    """XLSX bytes of the rows of `sheet` (reading.Sheet) whose numbers are in `reasons_by_row`
    ({row number: [reason, ...]}), in file order."""
    book = openpyxl.Workbook()
    data = book.active
    data.title = DATA_SHEET
    data.append([neutralise(v) for v in header_labels()] + [_("Why this row was not imported")])
    for cell in data[1]:
        cell.font = Font(bold=True)
    written = 1  # the header (openpyxl's max_row is recounted on every call: slow over many rows)
    for number, values in sheet.rows:
        if number not in reasons_by_row:
            continue
        written += 1
        reasons = "\n".join(neutralise(r) for r in reasons_by_row[number])
        row = [_cell(values.get(c.key)) for c in COLUMNS]
        row.append(neutralise(_("Row %(row)s of the uploaded file: %(reasons)s") % {"row": number,
                                                                                      "reasons": reasons}))
        data.append(row)
        for index, value in enumerate(row, start=1):
            if isinstance(value, datetime.date):
                data.cell(row=written, column=index).number_format = "DD/MM/YYYY"
        data.cell(row=written, column=len(COLUMNS) + 1).alignment = Alignment(wrap_text=True)
    data.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

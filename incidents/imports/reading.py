"""An uploaded file's bytes -> rows of cells, keyed by column. Nothing is evaluated, nothing written.

- XLSX: read by incidents/imports/xlsx.py without computing anything. A formula cell is refused (its cached result
  is whatever the sender's spreadsheet last computed, and a formula can fetch or leak data); a text
  cell that merely starts with "=" is text.
- CSV: UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM (Excel's "Unicode text"), or
  Windows-1252 (what French Excel writes by default, a superset of Latin-1's printable range). UTF-8
  is tried first and strictly: text in Windows-1252 with any accent is practically never valid UTF-8,
  so the order detects it reliably. Bytes that are neither answer a plain error. The delimiter is
  "," or ";" (French Excel) or a tab, read from the header line.
  A field starting with = + - @ that is not a number or a date is a formula typed into a CSV and is
  refused; "'=..." (an apostrophe first, as our own files write it) is the text "=...".
- A row whose cells are all empty is skipped (reported as skipped, not as an error).
- Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

import csv
import datetime
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from django.utils import formats
from django.utils.translation import gettext as _

from crsv_mis.cells import unneutralise

from . import xlsx
from .columns import BY_KEY, HEADERS, normal

DATA_SHEET = "Incidents"
FORMULA = object()  # a cell that held a formula: refused, never read
NUMBER_LIKE = re.compile(r"^[+-]?\d+([.,]\d+)?$|^[+-]?\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?$")
MAX_ROWS = 200_000  # counting the empty rows between them
# A cell further right than this, or more consecutive empty rows than this, is refused rather than
# read: the template has a few dozen columns, and a row's cells, like the list of skipped rows, are
# sized by the numbers the file declares.
MAX_COLUMNS = 256
MAX_GAP = 1_000


class FileError(ValueError):
    """The file as a whole cannot be read; the message says why, in plain words."""


@dataclass
class Sheet:
    rows: list = field(default_factory=list)  # (row number, {column key: value})
    skipped: list = field(default_factory=list)  # row numbers of empty rows
    ignored_headers: list = field(default_factory=list)
    kind: str = ""


def read(data, file_name=""):
    if not data:
        raise FileError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(data)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileError(_("This is an old Excel file (.xls). Open it in Excel or LibreOffice and save it as "
                          ".xlsx, or as CSV, then upload it again."))
    if file_name.lower().endswith(".xlsx"):
        raise FileError(_("This file is named .xlsx but is not an Excel workbook (it may be damaged)."))
    return read_csv(data)


# ---- CSV


def decode(data):
    """The text of a CSV file, or FileError. Returns (text, encoding name)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise FileError(_("The file says it is UTF-16 but its bytes are not: save it again as CSV UTF-8.")) \
                from None
    if b"\x00" in data:
        raise FileError(_("This does not look like a CSV file (it holds binary data). Upload the XLSX "
                          "template or a CSV file saved from a spreadsheet."))
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise FileError(_(
            "The file's characters cannot be read (line %(line)s): it is neither UTF-8 nor Windows-1252. "
            "In your spreadsheet choose Save as, then 'CSV UTF-8', and upload it again.") % {"line": line}) \
            from None


def _delimiter(header_line):
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_cell(text):
    text = text.strip().replace("\u00a0", " ")
    if not text:
        return None
    if text[0] in "=+-@" and not NUMBER_LIKE.match(text) and not (text[0] in "+-" and text[1:2] in (" ", "")):
        return FORMULA
    return unneutralise(text)


def read_csv(data):
    text, encoding = decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    sheet = Sheet(kind=f"CSV ({encoding})")
    header = None
    for number, record in enumerate(reader, start=1):
        cells = [_csv_cell(c) for c in record]
        if header is None:
            if all(c is None for c in cells):
                continue
            header = _header(record, sheet, header_row=number)
            continue
        _add_row(sheet, number, header, cells)
    if header is None:
        raise FileError(_("The file has no header row."))
    return sheet


# ---- XLSX


def _xlsx_cell(value):
    if value is None:
        return None
    if value is xlsx.FORMULA_CELL:
        return FORMULA
    if isinstance(value, str):
        value = value.strip().replace("\u00a0", " ")
        return unneutralise(value) if value else None
    if isinstance(value, datetime.time):
        return None if value == datetime.time(0) else str(value)
    return value


def read_xlsx(data):
    try:
        names = xlsx.sheet_names(data)
        sheet_name = DATA_SHEET if DATA_SHEET in names else (names[0] if names else None)
        sheet = Sheet(kind="XLSX")
        header = None
        previous = 0
        for number, values in xlsx.iter_rows(data, sheet_name, max_columns=MAX_COLUMNS):
            cells = [_xlsx_cell(v) for v in values]
            if header is None:
                if all(c is None for c in cells):
                    continue
                header = _header([None if v is xlsx.FORMULA_CELL else v for v in values], sheet, header_row=number)
                previous = number
                continue
            # A row with no cell at all is not in the file: the gap is the empty rows.
            if number - previous - 1 > MAX_GAP:
                raise FileError(_(
                    "After row %(row)s the sheet jumps to row %(next)s: more than %(max)s empty rows in a "
                    "row. Delete the empty rows (or copy the data into the template) and upload the file "
                    "again.") % {"row": _number(previous), "next": _number(number), "max": _number(MAX_GAP)})
            _count(sheet, number - previous - 1)
            sheet.skipped.extend(range(previous + 1, number))
            previous = number
            _add_row(sheet, number, header, cells)
    except xlsx.OutOfBounds as error:
        raise FileError(_out_of_bounds(error)) from None
    except (xlsx.NotAWorkbook, DefusedXmlException, zipfile.BadZipFile, KeyError, SyntaxError):
        raise FileError(_("This Excel file cannot be opened (it may be damaged or protected by a password). "
                          "Save it again as .xlsx and upload it again.")) from None
    if header is None:
        raise FileError(_("The sheet '%(sheet)s' has no header row.") % {"sheet": sheet_name})
    return sheet


def _out_of_bounds(error):
    if error.impossible:
        return _("The sheet declares a cell at row %(row)s, column %(column)s, where no spreadsheet has one: "
                 "the file was not saved by a spreadsheet. Copy the data into the template and upload it "
                 "again.") % {"row": error.row, "column": error.column or "-"}
    return _("Row %(row)s has a cell in column %(column)s, far to the right of the template's columns (at "
             "most %(max)s columns are read). Delete the columns after the template's last one and upload the "
             "file again.") % {"row": error.row, "column": error.column, "max": MAX_COLUMNS}


def _number(n):
    return formats.number_format(n, use_l10n=True, force_grouping=True)


def _count(sheet, more):
    """Refuse a file of more than MAX_ROWS rows before adding `more` to those read."""
    if len(sheet.rows) + len(sheet.skipped) + more > MAX_ROWS:
        raise FileError(_("The file has more than %(max)s rows: split it into several files.")
                        % {"max": _number(MAX_ROWS)})


# ---- both


def _header(values, sheet, *, header_row):
    keys = []
    for value in values:
        key = HEADERS.get(normal(value)) if value not in (None, "") else None
        if value not in (None, "") and key is None:
            sheet.ignored_headers.append(str(value)[:60])
        keys.append(key if key not in keys else None)
    missing = [BY_KEY[k] for k in BY_KEY if BY_KEY[k].required and k not in keys]
    if not any(keys):
        raise FileError(_("Row %(row)s is not the template's header: no column name is known. Download the "
                          "template and keep its first row.") % {"row": header_row})
    if missing:
        raise FileError(_("Columns missing from the header: %(columns)s. Download the template and keep its "
                          "first row.") % {"columns": ", ".join(c.label_en for c in missing)})
    return keys


def _add_row(sheet, number, header, cells):
    values = {}
    for key, value in zip(header, cells, strict=False):
        if key is not None and value is not None:
            values[key] = value
    if not values:
        if any(c is not None for c in cells):
            # Something only in columns the template does not have: not an empty row.
            values["_unknown_columns"] = True
        else:
            _count(sheet, 1)
            sheet.skipped.append(number)
            return
    _count(sheet, 1)
    sheet.rows.append((number, values))


# ---- rows as read, kept between the check and the import


def _encode(value):
    if value is FORMULA:
        return {"f": 1}
    if isinstance(value, datetime.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict):
        if "f" in value:
            return FORMULA
        if "t" in value:
            return datetime.datetime.fromisoformat(value["t"])
        return datetime.date.fromisoformat(value["d"])
    return value


def dumps(sheet):
    """The sheet as JSON: what the check read, so that the import need not read the file again (an
    XLSX of 100,000 rows takes half a minute to read)."""
    keys = list(BY_KEY) + ["_unknown_columns"]
    return json.dumps({
        "kind": sheet.kind, "skipped": sheet.skipped, "ignored_headers": sheet.ignored_headers,
        "rows": [[number, [_encode(values.get(k)) for k in keys]] for number, values in sheet.rows],
    }, separators=(",", ":"))


def loads(text):
    keys = list(BY_KEY) + ["_unknown_columns"]
    data = json.loads(text)
    sheet = Sheet(kind=data["kind"], skipped=data["skipped"], ignored_headers=data["ignored_headers"])
    for number, values in data["rows"]:
        sheet.rows.append((number, {k: _decode(v) for k, v in zip(keys, values, strict=True) if v is not None}))
    return sheet

"""A streaming reader of an XLSX sheet's cells: values as stored, formulas flagged, nothing computed.

Why not openpyxl's read-only mode: it reads about 60,000 cells a second here, so the 3.4 million
cells of a 100,000-row matrix took a minute before any checking began. This reads the sheet's XML
with the standard library's C parser (ElementTree.iterparse, through defusedxml, which refuses
entity declarations: the file comes from outside), several times faster; openpyxl still
writes every file we produce, and its date-format helpers are used here.

What it understands: shared strings (plain and rich text), inline strings, numbers (a number whose
cell style is a date format is a date, as in Excel), booleans, and the presence of a formula (<f>,
including shared formulas), which the caller refuses. Anything else reads as text.
"""

import datetime
import io
import posixpath
import re
import zipfile

from defusedxml.ElementTree import iterparse
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

FORMULA_CELL = object()
# A zip bomb stops here: a 100,000-row matrix unpacks to about 100 MB.
MAX_UNPACKED = 1024 * 1024 * 1024
# A spreadsheet's own limits (Excel's and LibreOffice's): a file declaring a row or a column beyond
# them was not written by a spreadsheet. Row and column numbers are read from the file, so they are
# checked before anything is sized by them.
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384  # XFD
ROW_NUMBER = re.compile(r"[0-9]{1,7}")
COLUMN_LETTERS = re.compile(r"[A-Z]{1,3}")
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
STRICT_REL_NS = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"


class NotAWorkbook(ValueError):
    pass


class OutOfBounds(NotAWorkbook):
    """A row or a cell where no spreadsheet has one (`impossible`), or a cell further right than the
    caller reads. `row` is the row number as declared (text), `column` the cell's column letters."""

    def __init__(self, row, column="", impossible=True):
        super().__init__(f"row {row} column {column}")
        self.row, self.column, self.impossible = row, column, impossible


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _row_number(text, column=""):
    if not ROW_NUMBER.fullmatch(text) or not 0 < int(text) <= MAX_ROW:
        raise OutOfBounds(text[:20], column)
    return int(text)


def _column_index(letters):
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _parts(book):
    """{sheet name: path of its XML} in workbook order, and the shared strings' path."""
    rels = {}
    with book.open("xl/_rels/workbook.xml.rels") as f:
        for _event, el in iterparse(f):
            if _local(el.tag) == "Relationship":
                target = el.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                rels[el.get("Id")] = (path, el.get("Type", ""))
    sheets = {}
    with book.open("xl/workbook.xml") as f:
        for _event, el in iterparse(f):
            if _local(el.tag) == "sheet":
                rel = el.get(REL_NS) or el.get(STRICT_REL_NS)
                if rel in rels:
                    sheets[el.get("name")] = rels[rel][0]
    shared = next((p for p, kind in rels.values() if kind.endswith("/sharedStrings")), None)
    styles = next((p for p, kind in rels.values() if kind.endswith("/styles")), None)
    return sheets, shared, styles


def _text_of(el):
    """The text of an <si> or <is>: its <t>, or the <t> of each rich-text run (not phonetic <rPh>)."""
    parts = []
    for child in el:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _shared_strings(book, path):
    strings = []
    if not path or path not in book.namelist():
        return strings
    with book.open(path) as f:
        for _event, el in iterparse(f):
            if _local(el.tag) == "si":
                strings.append(_text_of(el))
                el.clear()
    return strings


def _date_styles(book, path):
    """Indexes of cell styles (cellXfs) whose number format is a date."""
    if not path or path not in book.namelist():
        return set()
    custom, xf_formats, in_xfs = {}, [], False
    with book.open(path) as f:
        for event, el in iterparse(f, events=("start", "end")):
            name = _local(el.tag)
            if name == "cellXfs":
                in_xfs = event == "start"
            elif event == "end" and name == "numFmt":
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif event == "end" and name == "xf" and in_xfs:
                xf_formats.append(int(el.get("numFmtId", "0")))
    dates = set()
    for index, fmt_id in enumerate(xf_formats):
        code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id, "")
        if code and is_date_format(code):
            dates.add(index)
    return dates


def _number(text, is_date):
    value = float(text)
    if is_date:
        return from_excel(value)
    return int(value) if value.is_integer() and "E" not in text.upper() else value


def sheet_names(data):
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return list(_parts(book)[0])


def iter_rows(data, sheet_name=None, max_columns=MAX_COLUMN):
    """(row number, [cell values]) for each row of the sheet (the first one if not named). A formula
    cell is FORMULA_CELL; an empty cell None. Rows absent from the file are absent here too.
    A row number beyond a spreadsheet's limits, or a cell beyond `max_columns`, raises OutOfBounds:
    the list of a row's cells is as long as its last cell's column, so that column is checked first."""
    max_columns = min(max_columns, MAX_COLUMN)
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        sheets, shared_path, styles_path = _parts(book)
    except (zipfile.BadZipFile, KeyError, SyntaxError, ValueError) as error:
        raise NotAWorkbook(str(error)) from None
    if not sheets:
        raise NotAWorkbook("no sheet")
    if sum(info.file_size for info in book.infolist()) > MAX_UNPACKED:
        raise NotAWorkbook("too large once unpacked")
    with book:
        path = sheets.get(sheet_name) or next(iter(sheets.values()))
        strings = _shared_strings(book, shared_path)
        dates = _date_styles(book, styles_path)
        last = 0
        columns = {}
        with book.open(path) as f:
            for _event, el in iterparse(f):
                if not el.tag.endswith("row") or _local(el.tag) != "row":
                    continue
                declared = el.get("r")
                number = _row_number(declared) if declared is not None else 0
                cells = []
                for position, c in enumerate(el):
                    ref = c.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        index = columns.get(letters)
                        if index is None:
                            if not COLUMN_LETTERS.fullmatch(letters):
                                raise OutOfBounds(declared or ref[len(letters):][:20], letters[:20])
                            index = columns[letters] = _column_index(letters)
                        if number == 0:
                            number = _row_number(ref[len(letters):], letters)
                    else:
                        index = position
                    if index >= max_columns:
                        raise OutOfBounds(str(number or last + 1), _column_letters(index),
                                          impossible=index >= MAX_COLUMN)
                    while len(cells) < index:
                        cells.append(None)
                    cells.append(_value(c, strings, dates))
                last = number or last + 1
                if last > MAX_ROW:
                    raise OutOfBounds(str(last))
                yield last, cells
                el.clear()


def _column_letters(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _value(c, strings, dates):
    kind = c.get("t", "n")
    value = inline = None
    for child in c:
        name = child.tag[-2:]  # "}v", "}f", "is" (namespaced tags; the names are unique in a cell)
        if name == "}f" or child.tag == "f":
            return FORMULA_CELL
        if name == "}v" or child.tag == "v":
            value = child.text
        elif name == "is":
            inline = _text_of(child)
    if kind == "inlineStr":
        return inline
    if value is None:
        return None
    if kind == "s":
        try:
            return strings[int(value)]
        except (ValueError, IndexError):
            raise NotAWorkbook("no such shared string") from None
    if kind == "b":
        return value == "1"
    if kind in ("str", "e"):
        return value
    if kind == "d":
        return datetime.datetime.fromisoformat(value)
    try:
        return _number(value, int(c.get("s", "0")) in dates)
    except (ValueError, OverflowError):
        return value

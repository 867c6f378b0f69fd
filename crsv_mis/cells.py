"""Text as it may go into a spreadsheet cell or a CSV field.

Spreadsheets run formulas: any text starting with "=", "+", "-", "@", a tab or a carriage return
gets a leading apostrophe, so that `=HYPERLINK(...)` typed as a summary or a party name stays text
when the file is opened. Here, below every app, because the reports (reporting) and the import's
template and "to fix" file (incidents) both write spreadsheets.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters an XLSX (XML 1.0) cannot hold; openpyxl refuses them.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value):
    """Text as it may go into a spreadsheet cell or a CSV field: no formula, no illegal character."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_XML.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unneutralise(value):
    """The text `neutralise` was given back: reading a file we wrote (or a CSV where someone typed the
    apostrophe to keep "=..." as text), "'=x" is the text "=x"."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value

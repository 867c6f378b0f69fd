"""Importing an incident matrix (XLSX or CSV): the template, reading, checking, writing.

    columns.py   the columns of the matrix and the words accepted for each code (English, French)
    reading.py   bytes -> rows of cells (encodings, empty rows, formula cells)
    checking.py  rows -> incidents to write, or a reason per row and column; duplicates
    writing.py   incidents -> rows in the database, in one transaction (COPY on PostgreSQL)
    template.py  the downloadable template (XLSX with instructions and codes; CSV)
    fixfile.py   the "to fix" XLSX of the rows left out
    services.py  the life of an IncidentImport: upload, check, import, discard; audit
"""

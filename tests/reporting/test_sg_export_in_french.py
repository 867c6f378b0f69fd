"""The SG annual report contribution downloaded by a French-speaking SWPA is French: sheet names, column
headers (each form of violence and victim group by its French name), party types and yes/no, in the
XLSX and the CSV; the figures are the same as in English."""

import csv
import datetime
import io

from openpyxl import load_workbook

from mara.services.verification import decide_verification

URL = "/reports/sg-annual/"


def test_it_writes_the_contribution_in_the_readers_language(users, login, make_incident):
    for month in (2, 3):
        incident = make_incident(incident_date=datetime.date(2025, month, 3))
        decide_verification(incident, by=users["MARA_CHAIR"], decision="VERIFIED", rationale="Consistent accounts.")
    users["SWPA"].language = "fr"
    users["SWPA"].save()
    client = login(users["SWPA"])

    book = load_workbook(io.BytesIO(client.get(URL, {"year": 2025, "format": "xlsx"}).content))
    assert book.sheetnames == ["Contribution", "À propos"]
    header, *rows = list(book.worksheets[0].iter_rows(values_only=True))
    front = dict(zip(header, rows[0], strict=True))
    assert front["Partie"] == "Test Front" and front["Type de partie"] == "Groupe armé non étatique"
    assert front["Inscrite à l'annexe du rapport du SG"] == "Non"
    assert front["Incidents : Viol (y compris viol collectif)"] == "<5"
    assert "Victimes : Femmes" in front
    about = [r[0] for r in book["À propos"].iter_rows(values_only=True)]
    assert "Mise en garde" in about

    lines = list(csv.reader(io.StringIO(client.get(URL, {"year": 2025, "format": "csv"}).content.decode("utf-8-sig"))))
    assert lines[0] == list(header)
    assert not {"Party", "Type of party", "Verified incidents"} & set(lines[0])

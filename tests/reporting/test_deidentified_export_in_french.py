"""The de-identified data set downloaded by a French-speaking MARA member: column headers and the About
sheet in French, in the XLSX and the CSV; the cells keep the stable codes of the reference lists, and a
Codes sheet gives each code's meaning in French."""

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
FRENCH_HEADER = ["Ligne", "Mois de l'incident", "Précision de la date", "Mois du signalement"]


def test_it_writes_the_data_set_in_the_readers_language(users, login, make_incident):
    make_incident(incident_date=datetime.date(2026, 2, 14), reported_date=datetime.date(2026, 2, 20),
                  forms=("RAPE",), site_type="MARKET")
    users["MARA_MEMBER"].language = "fr"
    users["MARA_MEMBER"].save()
    client = login(users["MARA_MEMBER"])

    book = load_workbook(io.BytesIO(client.get(URL, {**PERIOD, "format": "xlsx"}).content))
    assert book.sheetnames == ["Incidents", "À propos", "Codes"]
    header, row = list(book["Incidents"].iter_rows(values_only=True))
    assert list(header[:4]) == FRENCH_HEADER and "Type de lieu" in header and "Formes de VSLC" in header
    line = dict(zip(header, row, strict=True))
    assert (line["Type de lieu"], line["Formes de VSLC"]) == ("MARKET", "RAPE")  # codes, in any language
    codes = {code: meaning for _list, code, meaning in list(book["Codes"].iter_rows(values_only=True))[1:]}
    assert codes["MARKET"] == "Marché" and codes["RAPE"] == "Viol (y compris viol collectif)"
    about = {r[0]: r[1] for r in book["À propos"].iter_rows(values_only=True)}
    assert "Jeu de données d'incidents dépersonnalisé" in about and "Mission" in about

    text = client.get(URL, {**PERIOD, "format": "csv"}).content.decode("utf-8-sig")
    csv_header = next(csv.reader(io.StringIO(text)))
    assert csv_header == list(header)
    for english in ("Row", "Month of the incident", "Type of site"):
        assert english not in csv_header

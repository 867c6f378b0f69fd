"""A released quarterly report read by a French-speaking person: the page, and the PDF and XLSX
downloaded, are the French files stored at release (opened with pypdf and openpyxl), their tables and
reference-list labels French; an English reader of the same version gets the English files."""

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.models import ReportFile
from tests.reporting.report_fixtures import generate, release, seed_quarter


def pdf_text(data):
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_it_gives_a_french_reader_the_french_files_of_the_release(users, login, mission, make_incident):
    seed_quarter(make_incident, users, count=6)
    report = release(generate(mission), users)
    users["LEADERSHIP"].language = "fr"
    users["LEADERSHIP"].save()
    client = login(users["LEADERSHIP"])

    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert '<html lang="fr">' in page and "Viol (y compris viol collectif)" in page

    pdf = client.get(f"/reports/{report.pk}/download/external/pdf/")
    stored = ReportFile.objects.get(report=report, edition="EXTERNAL", format="pdf", language="fr")
    assert pdf.content == bytes(stored.content)
    text = pdf_text(pdf.content)
    assert "Viol (y compris viol collectif)" in text and "Orientations enregistrées" in text
    assert "Rape (including gang rape)" not in text and "Referrals recorded" not in text
    assert "T1 2026" in text and "2026 Q1" not in text  # the quarter, in tables, charts and running heads

    xlsx = client.get(f"/reports/{report.pk}/download/external/xlsx/")
    assert xlsx.content == bytes(ReportFile.objects.get(report=report, edition="EXTERNAL", format="xlsx",
                                                         language="fr").content)
    cells = [str(c) for sheet in load_workbook(io.BytesIO(xlsx.content)).worksheets
             for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Viol (y compris viol collectif)" in cells and "Rape (including gang rape)" not in cells
    assert "Orientations enregistrées" in cells

    english = login(users["SWPA"]).get(f"/reports/{report.pk}/download/external/pdf/")
    assert "Rape (including gang rape)" in pdf_text(english.content)

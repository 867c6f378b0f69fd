"""Every file the product hands out, made from the injected world (every free-text field holding a
spreadsheet formula, markup and script, template text and SQL quotes; tests/security/injected_world.py)
and downloaded as its readers download it, keeps the attacks inert:

- XLSX (opened with openpyxl): no formula cell, no hyperlink, no defined name or external link, no
  text cell starting with = + - @ tab or return unless the product's neutraliser (crsv_mis/cells.py)
  put its apostrophe first.
- CSV (read with the csv module): no field starting with those characters unless neutralised.
- PDF (read with pypdf): the markup is text on the page, not markup: no link annotation, no image
  from an injected <img>, nothing fetched (WeasyPrint logs any resource it tries to load), and the
  template text is printed as typed.

And the attacks are there (the files did carry the typed text), in every file that carries any:
the quarterly report (both editions, PDF, XLSX, CSV), the SG contribution, the de-identified data
set, the disclosure package, the import's template and its file of rows to fix.
"""

import csv
import io
import logging

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from crsv_mis.cells import FORMULA_STARTS
from incidents.imports import services
from tests.conftest import verified_login
from tests.incidents.import_files import checked, good_row, problems, write_csv
from tests.security.injected_world import FORMULAS, MARKUP, p

pytestmark = pytest.mark.django_db
# What every payload carries (injected_world.TAIL) and what every markup payload carries.
TEMPLATE_TEXT = "{{7*7}}"
SCRIPT_MARK = "window.__pwned"
# The report's narratives: between them, the three kinds of markup of the world.
NARRATIVES = ("key_messages", "analysis", "response")


def fetch(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Disposition"].startswith("attachment"), url
    return response.content


def import_with_attacks(tmp_path, users, world):
    """An import whose rows hold an attack in every text column, one row good, the other to fix."""
    attack = FORMULAS[0] + MARKUP[0] + " {{7*7}}"
    texts = {"summary": attack, "narrative": FORMULAS[1] + MARKUP[1], "victim_name": FORMULAS[2] + MARKUP[2],
             "victim_contact": FORMULAS[3] + MARKUP[0], "victim_interviewed_by": FORMULAS[4] + MARKUP[1],
             "consent_decided_by": FORMULAS[5] + MARKUP[2], "incident_key": FORMULAS[6] + "k"}
    # Typed with the apostrophe that keeps a formula text (a formula itself is refused); the world's
    # place names are all one attack, so the place is given by its code.
    good = good_row(summary="'" + attack, location="TL0101", perpetrator_party="",
                    perpetrator_type="NON_STATE_ARMED_GROUP")
    to_fix = good_row(**texts, location="Atlantis" + MARKUP[0], perpetrator_party='=HYPERLINK("x")')
    path = write_csv(tmp_path / "attacks.csv", [good, to_fix])
    incident_import = checked(users["SWPA"], path)
    assert (incident_import.incidents_valid, incident_import.rows_invalid) == (1, 1), problems(incident_import)
    services.choose(incident_import, by=users["SWPA"], mode="VALID")
    return services.run_import(incident_import.pk)


class Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def weasyprint_log():
    """What WeasyPrint logs (each resource it failed or refused to load), from the world's setup on."""
    kept = Kept()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(kept)
    yield kept.messages
    logger.removeHandler(kept)


@pytest.fixture
def files(weasyprint_log, world, users, client, tmp_path, settings):
    """{name: bytes} of every download reachable with the world's data, as its readers fetch it."""
    # k = 1: the de-identified data set keeps the world's few rows, with their attacks, as they are
    # (its k-anonymity is tested on its own).
    settings.DEIDENTIFIED_K = 1
    found = {}
    report = world["report"]
    chair = verified_login(client, users["MARA_CHAIR"])
    for edition in ("mara-room", "external"):
        for fmt in ("pdf", "xlsx", "csv"):
            found[f"report.{edition}.{fmt}"] = fetch(chair, f"/reports/{report.pk}/download/{edition}/{fmt}/")
    today = timezone.localdate()
    for fmt in ("xlsx", "csv"):
        found[f"deidentified.{fmt}"] = fetch(chair, "/reports/deidentified/", **{
            "from": "2026-01", "to": today.strftime("%Y-%m"), "format": fmt})
    client.logout()
    swpa = verified_login(client, users["SWPA"])
    for fmt in ("xlsx", "csv"):
        found[f"sg-contribution.{fmt}"] = fetch(swpa, "/reports/sg-annual/", year=report.year, format=fmt)
        found[f"import-template.{fmt}"] = fetch(swpa, f"/incidents/import/template.{fmt}")
    found["disclosure.xlsx"] = fetch(swpa, f"/reports/disclosures/{world['disclosure'].pk}/download/")
    incident_import = import_with_attacks(tmp_path, users, world)
    found["import-to-fix.xlsx"] = fetch(swpa, f"/incidents/import/{incident_import.pk}/to-fix.xlsx")
    return found


def inert_text(value):
    """A text that no spreadsheet runs: nothing formula-like first, or the neutraliser's apostrophe."""
    return not value.startswith(FORMULA_STARTS)


def attacked(value):
    return SCRIPT_MARK in value or TEMPLATE_TEXT in value or "HYPERLINK" in value


def spreadsheets_run_no_attack(files):
    carrying = []
    for name, data in files.items():
        if not name.endswith(".xlsx"):
            continue
        book = load_workbook(io.BytesIO(data))
        assert not list(book.defined_names), name
        assert not book._external_links, name
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    where = (name, sheet.title, cell.coordinate, cell.value)
                    assert cell.data_type != "f", where
                    assert cell.hyperlink is None, where
                    if isinstance(cell.value, str):
                        assert inert_text(cell.value), where
                        if attacked(cell.value):
                            carrying.append(name)
    # The template carries the party and place names of the mission (its lists of valid values).
    assert set(carrying) == {n for n in files if n.endswith(".xlsx")}, sorted(set(carrying))


def csv_files_run_no_attack(files):
    carrying = []
    for name, data in files.items():
        if not name.endswith(".csv"):
            continue
        for number, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8-sig"))), start=1):
            for field in row:
                assert inert_text(field), (name, number, field)
                if attacked(field):
                    carrying.append(name)
    assert set(carrying) == {n for n in files if n.endswith(".csv")}, sorted(set(carrying))


def pdfs_print_the_attacks_as_text_and_load_nothing(files, weasyprint_log):
    for name in ("report.mara-room.pdf", "report.external.pdf"):
        reader = PdfReader(io.BytesIO(files[name]))
        text = " ".join(page.extract_text() for page in reader.pages)
        squeezed = "".join(text.split())
        # Each narrative printed whole, as typed: its markup is text, not markup.
        for field in NARRATIVES:
            assert "".join(p(f"reporting.QuarterlyReport.{field}").split()) in squeezed, (name, field)
        assert all("".join(markup.split()) in squeezed for markup in MARKUP), name
        for page in reader.pages:
            annotations = [a.get_object() for a in page.get("/Annots") or []]
            assert [a for a in annotations if a.get("/Subtype") == "/Link"] == [], name
            images = page["/Resources"].get("/XObject") or {}
            assert [k for k, x in images.items() if x.get_object().get("/Subtype") == "/Image"] == [], name
    # The files were made when the report was released (in the world's setup): WeasyPrint logs each
    # resource it tries to load (the injected <img src=x>; the report's fetcher refuses them all).
    assert weasyprint_log == []


# One test: the world and its files take minutes to build on two CPUs.
def test_every_file_handed_out_keeps_the_attacks_inert(files, weasyprint_log):
    spreadsheets_run_no_attack(files)
    csv_files_run_no_attack(files)
    pdfs_print_the_attacks_as_text_and_load_nothing(files, weasyprint_log)

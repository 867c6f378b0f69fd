"""The mission's yearly contribution to the SG annual report: per named party, verified incidents and
victims of the year, by form and by victim group, with the party's type and annex listing; small
cells suppressed (the file leaves the mission); text safe from formula injection; SWPA only; every
download audited with the file's checksum."""

import csv
import datetime
import hashlib
import io

import pytest
from openpyxl import load_workbook

from crsv_mis.models import AuditEvent
from incidents.choices import VerificationStatus
from incidents.models import Incident, Party
from mara.services.verification import decide_verification
from tests.conftest import victim_data

URL = "/reports/sg-annual/"
WOMAN, GIRL, MAN, BOY = (victim_data(), victim_data(age_years=15), victim_data(sex="MALE", age_years=40),
                         victim_data(sex="MALE", age_years=12))
HOSTILE_NAME = "=HYPERLINK(\"http://evil.example\",\"click\")"


@pytest.fixture
def year_2025(make_incident, users, party, mission):
    """Test Front: 6 verified incidents of 2025 (13 victims: 6 women, 6 girls, 1 boy), 2 of them also
    sexual slavery; one more reported but not verified, one verified in 2024. A listed state force
    with a hostile name: 2 verified incidents, one man each. One verified incident with no named party."""
    forces = Party.objects.create(mission=mission, name=HOSTILE_NAME, party_type="STATE_ARMED_FORCES",
                                  listed_in_sg_annex=True)

    def by(who):
        return [{"party": who, "party_type": who.party_type, "number": 2, "sex": "MALE"}]

    def verified(incident):
        decide_verification(incident, by=users["MARA_CHAIR"], decision="VERIFIED", rationale="Consistent accounts.")

    for i in range(6):
        victims = [WOMAN, GIRL, BOY] if i == 0 else [WOMAN, GIRL]
        forms = ("RAPE", "SEXUAL_SLAVERY") if i < 2 else ("RAPE",)
        verified(make_incident(incident_date=datetime.date(2025, 2 + i, 3), victims=victims, forms=forms,
                               perpetrators=by(party)))
    make_incident(incident_date=datetime.date(2025, 9, 9), perpetrators=by(party))  # reported only
    verified(make_incident(incident_date=datetime.date(2024, 12, 30), perpetrators=by(party)))
    for month in (4, 10):
        verified(make_incident(incident_date=datetime.date(2025, month, 1), victims=[MAN], perpetrators=by(forces)))
    verified(make_incident(incident_date=datetime.date(2025, 5, 5), perpetrators=[
        {"party": None, "party_type": "UNKNOWN", "number": None, "sex": "UNKNOWN"}]))
    return {"front": party, "forces": forces}


def rows_of(sheet_rows):
    header, *rows = sheet_rows
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def verified_in_2025(party):
    return Incident.objects.filter(status=VerificationStatus.VERIFIED, incident_date__year=2025,
                                   perpetrators__party=party).distinct()


def test_the_xlsx_holds_the_verified_counts_per_party_with_small_cells_suppressed(login, users, year_2025):
    response = login(users["SWPA"]).get(URL, {"year": 2025, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="DEMO-sg-contribution-2025.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    rows = rows_of(list(book.worksheets[0].iter_rows(values_only=True)))

    front = rows["Test Front"]
    assert front["Verified incidents"] == verified_in_2025(year_2025["front"]).count() == 6
    assert front["Verified victims"] == 13
    assert front["Type of party"] == "Non-state armed group" and front["Listed in the SG annex"] == "No"
    assert front["Incidents: Rape (including gang rape)"] == 6
    assert front["Incidents: Sexual slavery"] == "<5"  # 2 incidents
    assert front["Incidents: Forced (including early) marriage"] == 0
    # One boy: "<5"; the smallest other group is withheld so that he cannot be worked out from the total.
    assert (front["Victims: Boys"], front["Victims: Women"], front["Victims: Girls"]) == ("<5", "x", 6)
    assert front["Victims: Men"] == 0

    forces = rows["'" + HOSTILE_NAME]  # text that a spreadsheet would run gets a leading apostrophe
    assert forces["Listed in the SG annex"] == "Yes" and forces["Type of party"] == "State armed forces"
    assert verified_in_2025(year_2025["forces"]).count() == 2
    assert (forces["Verified incidents"], forces["Verified victims"], forces["Victims: Men"]) == ("<5", "<5", "<5")

    assert set(rows) == {"Test Front", "'" + HOSTILE_NAME}  # named parties only
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate


def test_the_csv_has_the_same_rows(login, users, year_2025):
    response = login(users["SWPA"]).get(URL, {"year": 2025, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = rows_of(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))))
    assert rows["Test Front"]["Verified incidents"] == "6" and rows["Test Front"]["Victims: Boys"] == "<5"
    assert rows["'" + HOSTILE_NAME]["Verified incidents"] == "<5"


def test_every_download_is_audited_with_the_checksum_of_the_file(login, users, year_2025):
    client = login(users["SWPA"])
    for fmt in ("xlsx", "csv"):
        body = client.get(URL, {"year": 2025, "format": fmt}).content
        event = AuditEvent.objects.filter(action="report.sg_export").latest("id")
        assert event.username == "swpa"
        assert event.detail == {"mission": "DEMO", "year": 2025, "format": fmt,
                                "sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}


def test_a_year_without_verified_incidents_gives_the_header_only(login, users, year_2025):
    book = load_workbook(io.BytesIO(login(users["SWPA"]).get(URL, {"year": 2023, "format": "xlsx"}).content))
    assert book.worksheets[0].max_row == 1


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "WPA", "HRO", "ADMIN", "AUDITOR"])
def test_only_the_swpa_exports_it(login, users, year_2025, role):
    client = login(users[role])
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"year": 2025, "format": "xlsx"}).status_code == 403
    assert not AuditEvent.objects.filter(action="report.sg_export").exists()


def test_the_page_offers_a_year_and_refuses_a_bad_one(login, users, mission):
    client = login(users["SWPA"])
    page = client.get(URL)
    assert page.status_code == 200 and 'name="year"' in page.content.decode()
    assert client.get(URL, {"year": 1990, "format": "xlsx"}).status_code == 400
    assert client.get(URL, {"year": 2025, "format": "docx"}).status_code == 400
    assert not AuditEvent.objects.filter(action="report.sg_export").exists()

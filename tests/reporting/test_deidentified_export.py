"""The de-identified data set (/reports/deidentified/): one row per incident for the MARA room, only
incidents every victim of which consented to de-identified sharing and none received under an
information-sharing protocol; dates to the month, places to the territory, nothing typed about a
person; formulas neutralised; every download audited with its checksum."""

import csv
import datetime
import hashlib
import io

import pytest
from openpyxl import load_workbook

from crsv_mis.models import AuditEvent
from tests.conftest import victim_data


@pytest.fixture(autouse=True)
def every_row_kept(settings):
    # These tests read what one row holds: k = 1 keeps every row as it is. The generalisation that a
    # deployment's k (default 5) brings has its own tests (test_deidentified_export_is_k_anonymous.py).
    settings.DEIDENTIFIED_K = 1


URL = "/reports/deidentified/"
PERIOD = {"from": "2026-01", "to": "2026-03"}
# Identifying or free-text values the conftest factory writes into every incident.
NEVER_IN_THE_FILE = ("Testname Alpha", "+000 555 0100", "Synthetic narrative text for tests only.",
                     "One woman reported an attack by armed men", "1.2345,2.3456", "Quillby")


@pytest.fixture
def incidents(make_incident, gazetteer, party):
    no_mara_consent = victim_data(consent_kinds=["RECORD"])
    return {
        "shared": make_incident(incident_date=datetime.date(2026, 2, 14), reported_date=datetime.date(2026, 2, 20),
                                forms=("RAPE", "SEXUAL_SLAVERY"),
                                victims=[victim_data(), victim_data(age_years=15), victim_data(sex="MALE")]),
        "south": make_incident(station="south", by="HRO_SOUTH", incident_date=datetime.date(2026, 3, 3),
                               reported_date=datetime.date(2026, 3, 9), location=gazetteer["south_b"],
                               site_type="MARKET"),
        # One victim of two did not consent to sharing with the MARA: the incident stays out.
        "no_consent": make_incident(incident_date=datetime.date(2026, 2, 1), reported_date=datetime.date(2026, 2, 2),
                                    victims=[victim_data(), no_mara_consent]),
        "isp": make_incident(incident_date=datetime.date(2026, 2, 1), reported_date=datetime.date(2026, 2, 2),
                             shared_under_isp=True),
        "outside": make_incident(incident_date=datetime.date(2025, 12, 30), reported_date=datetime.date(2026, 1, 2)),
    }


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def rows_of(sheet):
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("role", ["MARA_MEMBER", "MARA_CHAIR", "SWPA"])
def test_it_holds_only_incidents_shared_with_consent_and_outside_any_protocol(role, users, login, incidents):
    response = login(users[role]).get(URL, {**PERIOD, "format": "xlsx"})
    assert response.status_code == 200
    rows = rows_of(workbook(response).worksheets[0])
    assert [(r["Month of the incident"], r["Province code"], r["Territory code"]) for r in rows] == [
        ("2026-02", "TL01", "TL0101"), ("2026-03", "TL02", "TL0201")]


def test_it_gives_dates_to_the_month_places_to_the_territory_and_victims_by_group_as_numbers(
        users, login, incidents):
    response = login(users["MARA_MEMBER"]).get(URL, {**PERIOD, "format": "xlsx"})
    first = rows_of(workbook(response).worksheets[0])[0]
    assert first["Month reported"] == "2026-02" and first["Territory"] == "Ashdale"
    assert first["Forms of CRSV"] == "RAPE;SEXUAL_SLAVERY"
    assert (first["Victims"], first["Victims: Women"], first["Victims: Girls"], first["Victims: Men"],
            first["Victims: Boys"]) == (3, 1, 1, 1, 0)
    assert isinstance(first["Victims"], int)
    assert first["Types of alleged perpetrator"] == "NON_STATE_ARMED_GROUP"
    assert first["Named parties"] == "Test Front"
    assert first["Verification status"] == "REPORTED"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_no_reference_name_contact_narrative_summary_locality_or_coordinates_is_in_the_file(
        fmt, users, login, incidents):
    response = login(users["MARA_CHAIR"]).get(URL, {**PERIOD, "format": fmt})
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
    else:
        book = workbook(response)
        text = "\n".join(str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                         for c in row if c is not None)
    for value in NEVER_IN_THE_FILE + tuple(i.reference for i in incidents.values()):
        assert value not in text, value


def test_a_party_name_typed_as_a_formula_is_stored_as_text(users, login, incidents, party):
    party.name = '=HYPERLINK("http://example.invalid","x")'
    party.save()
    response = login(users["MARA_CHAIR"]).get(URL, {**PERIOD, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0]["Named parties"] == "'" + party.name
    sheet = workbook(login(users["MARA_CHAIR"]).get(URL, {**PERIOD, "format": "xlsx"})).worksheets[0]
    cell = next(c for c in sheet[2] if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and cell.value.startswith("'")


def test_every_download_is_audited_with_the_file_checksum(users, login, incidents):
    response = login(users["MARA_MEMBER"]).get(URL, {**PERIOD, "format": "csv"})
    (event,) = AuditEvent.objects.filter(action="export.deidentified")
    assert event.username == "mara_member"
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert (event.detail["from"], event.detail["to"], event.detail["incidents"]) == ("2026-01", "2026-03", 2)
    assert response["Content-Disposition"] == 'attachment; filename="DEMO-deidentified-2026-01-2026-03.csv"'


@pytest.mark.parametrize("role", ["WPA", "HRO", "LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN",
                                  "AUDITOR"])
def test_it_refuses_every_role_outside_the_mara_room(role, users, login, incidents):
    assert login(users[role]).get(URL, {**PERIOD, "format": "csv"}).status_code == 403
    assert not AuditEvent.objects.filter(action="export.deidentified").exists()


def test_bad_months_answer_400_with_the_reason_and_write_nothing(users, login, incidents):
    client = login(users["MARA_CHAIR"])
    response = client.get(URL, {"from": "2026-03", "to": "2026-01", "format": "csv"})
    assert response.status_code == 400
    assert "The last month is before the first month." in response.content.decode()
    assert client.get(URL, {"from": "March", "to": "2026-01", "format": "csv"}).status_code == 400
    assert not AuditEvent.objects.filter(action="export.deidentified").exists()


def test_the_page_offers_the_last_twelve_months_by_default(users, login):
    html = login(users["MARA_MEMBER"]).get(URL).content.decode()
    assert 'name="from"' in html and 'name="to"' in html and 'value="xlsx"' in html


@pytest.mark.parametrize("months", [("9999-12", "9999-12"), ("0001-01", "0001-02")])
def test_a_month_out_of_range_answers_400_not_an_error_page(users, login, months):
    response = login(users["MARA_CHAIR"]).get(URL, {"from": months[0], "to": months[1], "format": "csv"})
    assert response.status_code == 400

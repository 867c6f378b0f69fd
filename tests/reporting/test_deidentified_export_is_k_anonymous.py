"""The de-identified data set stays de-identified against a reader who knows things from outside: when
and where an incident happened, the kind of place, who the victims and the perpetrators were. Every
combination of those values in the downloaded file is shared by at least k rows (k per deployment,
default 5), and the rows' order tells nothing the cells do not (no order by date, which a reader who
knows the day would use to pick the row)."""

import csv
import datetime
import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from tests.conftest import victim_data

URL = "/reports/deidentified/"
PERIOD = {"from": "2026-01", "to": "2026-06"}
# The columns a reader with outside knowledge could match a row on (the quasi-identifiers).
QUASI_IDENTIFIERS = ("Month of the incident", "Month reported", "Province code", "Territory code", "Type of site",
                     "Forms of CRSV", "Victims", "Victims: Women", "Victims: Men", "Victims: Girls", "Victims: Boys",
                     "Victims: Unknown", "Types of alleged perpetrator", "Named parties")
SITES = ("HOME", "FIELD_OR_FARM", "MARKET")
FORMS = (("RAPE",), ("RAPE", "SEXUAL_SLAVERY"), ("ATTEMPTED_RAPE",), ("SEXUAL_TORTURE",))
VICTIMS = ([victim_data()], [victim_data(), victim_data(age_years=15)], [victim_data(sex="MALE", age_years=40)])


@pytest.fixture
def varied_incidents(make_incident, gazetteer):
    """Forty incidents spread over six months, two territories, three kinds of site, four sets of forms and
    three victim profiles: nearly every one of them alone on its month, place and profile."""
    made = []
    for i in range(40):
        made.append(make_incident(
            station="north" if i % 2 else "south", by="WPA" if i % 2 else "HRO_SOUTH",
            location=gazetteer["hamlet"] if i % 2 else gazetteer["south_b"],
            incident_date=datetime.date(2026, 1 + i % 6, 1 + i % 27),
            reported_date=datetime.date(2026, 1 + i % 6, 1 + i % 27) + datetime.timedelta(days=2),
            site_type=SITES[i % 3], forms=FORMS[i % 4], victims=VICTIMS[i % 3]))
    return made


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def smallest_group(rows):
    groups = Counter(tuple(row[column] for column in QUASI_IDENTIFIERS) for row in rows)
    return min(groups.values())


def test_it_gives_no_combination_of_what_a_reader_could_know_to_fewer_than_five_rows(
        users, login, varied_incidents):
    rows = csv_rows(login(users["MARA_CHAIR"]).get(URL, {**PERIOD, "format": "csv"}))
    assert len(rows) >= 38  # at most 5% of the incidents are left out: the file is still of use
    assert smallest_group(rows) >= 5


def test_k_is_set_per_deployment(users, login, varied_incidents, settings):
    settings.DEIDENTIFIED_K = 10
    rows = csv_rows(login(users["MARA_CHAIR"]).get(URL, {**PERIOD, "format": "csv"}))
    assert rows
    assert smallest_group(rows) >= 10


def test_knowing_the_day_of_an_incident_does_not_pick_its_row(users, login, varied_incidents):
    """Two worlds that differ only in the days inside each month give the same file, row for row: a row's
    position carries nothing a reader could match on what they know of the day."""
    client = login(users["MARA_MEMBER"])
    before = client.get(URL, {**PERIOD, "format": "csv"}).content
    for incident in varied_incidents:
        day = incident.incident_date
        incident.incident_date = day.replace(day=28 - day.day)
        incident.save(update_fields=["incident_date"])
    after = client.get(URL, {**PERIOD, "format": "csv"}).content
    assert after == before


def test_the_notes_say_k_the_smallest_group_the_steps_taken_and_the_rows_left_out(users, login, varied_incidents):
    response = login(users["MARA_CHAIR"]).get(URL, {**PERIOD, "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    notes = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if len(row) > 1}
    rows = list(book.worksheets[0].iter_rows(values_only=True))[1:]
    assert "k = 5" in notes["Anonymity"]
    assert "dates to the quarter" in notes["Generalised"]
    left_out = int(notes["Incidents left out"].split()[0])
    assert left_out + len(rows) == 40
    assert notes["Order"].startswith("Rows are sorted by the values they show")

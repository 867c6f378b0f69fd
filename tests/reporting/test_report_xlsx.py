"""The XLSX of a quarterly report (reporting.render, openpyxl): an About sheet first, one sheet per
table with numbers stored as numbers and suppressed cells as "<5"/"x" outside the MARA room, figures
that match the database, no territory in the edition that leaves the room, and text typed by people
that cannot run as a formula."""

import io
import re

import pytest
from openpyxl import load_workbook

from reporting import editions, render
from reporting.models import Edition
from tests.reporting.test_report_editions import FORMULA, TERRITORIES, build_report, direct, direct_totals


def workbook(report, edition):
    return load_workbook(io.BytesIO(render.render_file(report, edition, "xlsx")))


def rows(sheet):
    return {r[0]: list(r[1:]) for r in sheet.iter_rows(values_only=True) if r and r[0] is not None}


@pytest.fixture
def report(make_incident, users, gazetteer, mission):
    return build_report(make_incident, users, gazetteer, mission, hostile_party=True)


def test_it_opens_with_an_about_sheet(report):
    book = workbook(report, Edition.EXTERNAL)
    assert book.sheetnames[0] == "About"
    about = rows(book["About"])
    assert about["Mission"] == ["Test mission (DEMO)"]
    assert about["Quarter"] == ["2026 Q3"]
    assert about["Version"] == [2]
    assert about["Status"] == ["Draft"]
    assert about["Edition"] == ["Outside the MARA room (small cells suppressed)"]
    assert "heavily under-reported" in about["Caveat"][0] and "minimums" in about["Caveat"][0]
    assert about["Methodology"][0].startswith("Incidents are counted by the month of the incident date")
    assert about["Key messages"] == ["Reports from [place withheld] rose this quarter.\nResponse teams were sent."]
    assert about["Response and way forward"] == ["Patrols continue."]


def test_it_writes_one_sheet_per_table_with_a_bold_header(report):
    book = workbook(report, Edition.EXTERNAL)
    tables = editions.tables(report.figures, Edition.EXTERNAL)
    assert len(book.sheetnames) == len(tables) + 1
    assert len(set(book.sheetnames)) == len(book.sheetnames)
    assert all(len(name) <= 31 for name in book.sheetnames)
    for name, table in zip(book.sheetnames[1:], tables, strict=True):
        header = next(book[name].iter_rows(min_row=1, max_row=1))
        assert [c.value for c in header] == table["columns"]
        assert all(c.font.bold for c in header)


def test_it_stores_the_suppressed_province_figures_outside_the_room(report, mission):
    provinces = rows(workbook(report, Edition.EXTERNAL)["Provinces"])
    victims, totals = direct(mission, "admin1", "victims"), direct_totals(mission)
    assert direct(mission, "admin1")["Southmark"] == 3
    assert provinces["Southmark"] == ["<5", victims["Southmark"]]
    assert provinces["Northmark"] == ["x", victims["Northmark"]]
    assert provinces["Total"] == [totals["incidents"], totals["victims"]]
    assert all(type(v) is int for v in provinces["Total"] + [victims["Southmark"]])
    verification = rows(workbook(report, Edition.EXTERNAL)["Verification"])
    assert verification["Reported"][0] == "<5" and verification["Verified"][0] == "x"


def test_it_stores_full_counts_as_integers_in_the_mara_room(report, mission):
    book = workbook(report, Edition.MARA_ROOM)
    provinces = rows(book["Provinces"])
    incidents, victims = direct(mission, "admin1"), direct(mission, "admin1", "victims")
    for name in ("Northmark", "Southmark"):
        assert provinces[name] == [incidents[name], victims[name]]
        assert all(type(v) is int for v in provinces[name])
    groups = rows(book["Women men girls boys"])
    assert {k: v[1] for k, v in groups.items() if k != "Group" and v[1] is not None} == {
        **direct(mission, "victim_group", "victims"), "Total": direct_totals(mission)["victims"]}
    hotspots = book["Hotspots"].iter_rows(min_row=2, max_row=3, values_only=True)
    assert [r[0] for r in hotspots] == ["Ashdale", "Birchford"]


def test_it_never_stores_a_number_as_text(report):
    for edition in Edition:
        book = workbook(report, edition)
        for sheet in book.worksheets[1:]:
            for cell in (c for r in sheet.iter_rows(min_row=2) for c in r):
                assert not (isinstance(cell.value, str) and re.fullmatch(r"-?\d+(\.\d+)?", cell.value)), \
                    (sheet.title, cell.coordinate, cell.value)


def test_it_names_no_territory_in_the_external_workbook(report):
    book = workbook(report, Edition.EXTERNAL)
    text = " ".join(str(c.value) for sheet in book.worksheets for r in sheet.iter_rows() for c in r if c.value)
    for name in TERRITORIES:
        assert name not in text
    assert "[place withheld]" in text


def test_it_keeps_formulas_typed_in_text_as_text(report):
    for edition in Edition:
        book = workbook(report, edition)
        recommendations = [c for r in book["Recommendations"].iter_rows(min_row=2) for c in r]
        parties = [c for r in book["Parties"].iter_rows(min_row=2) for c in r]
        commitments = [c for r in book["Commitments"].iter_rows(min_row=2) for c in r]
        for cells in (recommendations, parties, commitments):
            assert "'" + FORMULA in [c.value for c in cells]
        assert "'+Command order on sexual violence" in [c.value for c in commitments]
        for sheet in book.worksheets:
            assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


def test_it_writes_the_same_bytes_twice(report):
    first = render.render_file(report, Edition.EXTERNAL, "xlsx")
    assert render.render_file(report, Edition.EXTERNAL, "xlsx") == first
    assert render.filename(report, Edition.EXTERNAL, "xlsx") == "DEMO-2026-Q3-v2-external.xlsx"
    assert load_workbook(io.BytesIO(first)).properties.created == \
        report.generated_at.replace(microsecond=0, tzinfo=None)

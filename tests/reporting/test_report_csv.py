"""The CSV of a quarterly report (reporting.render): one UTF-8 file with a byte order mark, in long
format (table, row, column, value), with the figures counted in the database, suppressed outside the
MARA room, no territory in the edition that leaves the room, and text that cannot run as a formula."""

import csv
import io

import pytest

from reporting import render
from reporting.models import Edition
from tests.reporting.test_report_editions import FORMULA, TERRITORIES, build_report, direct, direct_totals


def records(report, edition):
    data = render.render_file(report, edition, "csv")
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def cell(found, table, row, column):
    return next(r[3] for r in found if r[:3] == [table, row, column])


@pytest.fixture
def report(make_incident, users, gazetteer, mission):
    return build_report(make_incident, users, gazetteer, mission, hostile_party=True)


def test_it_writes_long_format_with_the_caveat(report):
    found = records(report, Edition.EXTERNAL)
    assert found[0] == ["table", "row", "column", "value"]
    assert all(len(r) == 4 for r in found)
    assert "heavily under-reported" in cell(found, "about", "Caveat", "value")
    assert cell(found, "about", "Edition", "value") == "Outside the MARA room (small cells suppressed)"
    assert cell(found, "titles", "admin1", "title") == "Incidents by province"


def test_it_writes_suppressed_figures_outside_the_room(report, mission):
    found = records(report, Edition.EXTERNAL)
    victims, totals = direct(mission, "admin1", "victims"), direct_totals(mission)
    assert direct(mission, "admin1")["Southmark"] == 3
    assert cell(found, "admin1", "Southmark", "Incidents") == "<5"
    assert cell(found, "admin1", "Northmark", "Incidents") == "x"
    assert cell(found, "admin1", "Southmark", "Victims/survivors") == str(victims["Southmark"])
    assert cell(found, "admin1", "Total", "Incidents") == str(totals["incidents"])
    assert cell(found, "verification_status", "Reported", "Incidents") == "<5"
    assert cell(found, "late_additions", "2026 Q2", "Incidents reported after release") == "<5"


def test_it_writes_full_counts_in_the_mara_room(report, mission):
    found = records(report, Edition.MARA_ROOM)
    incidents, victims = direct(mission, "admin1"), direct(mission, "admin1", "victims")
    for name in ("Northmark", "Southmark"):
        assert cell(found, "admin1", name, "Incidents") == str(incidents[name])
        assert cell(found, "admin1", name, "Victims/survivors") == str(victims[name])
    for group, count in direct(mission, "victim_group", "victims").items():
        assert cell(found, "victim_group", group, "Victims/survivors") == str(count)
    assert cell(found, "late_additions", "2026 Q2", "Incidents reported after release") == "1"
    assert cell(found, "hotspots", "Birchford", "Province") == "Southmark"


def test_it_names_no_territory_outside_the_room(report):
    text = render.render_file(report, Edition.EXTERNAL, "csv").decode("utf-8-sig")
    for name in TERRITORIES:
        assert name not in text
    assert "[place withheld]" in text


def test_it_keeps_formulas_typed_in_text_as_text(report):
    for edition in Edition:
        found = records(report, edition)
        assert cell(found, "recommendations", "1", "Recommendation") == "'" + FORMULA
        assert cell(found, "commitments", "1", "Party") == "'" + FORMULA
        assert cell(found, "commitments", "1", "Commitment") == "'+Command order on sexual violence"
        assert ["party", "'" + FORMULA, "Incidents", "<5" if edition == Edition.EXTERNAL else "1"] in found
        assert not any(value.startswith(("=", "+", "-", "@", "\t", "\r")) for r in found for value in r)


def test_it_is_named_and_typed_for_download(report):
    assert render.filename(report, Edition.MARA_ROOM, "csv") == "DEMO-2026-Q3-v2-mara-room.csv"
    assert render.CONTENT_TYPES["csv"] == "text/csv; charset=utf-8"
    data = render.render_file(report, Edition.EXTERNAL, "csv")
    assert render.checksum(data) == render.checksum(render.render_file(report, Edition.EXTERNAL, "csv"))
    assert len(render.checksum(data)) == 64

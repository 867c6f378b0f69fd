"""The PDF of a quarterly report (reporting.render, WeasyPrint): opened with pypdf, its text carries
the figures counted in the database, suppressed outside the MARA room, no territory in the edition
that leaves the room, the caveat, the edition on every page and a draft banner until release."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from reporting import render
from reporting.models import Edition, ReportStatus
from tests.reporting.test_report_editions import TERRITORIES, build_report, direct, direct_totals


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def flat(text):
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def report(make_incident, users, gazetteer, mission):
    return build_report(make_incident, users, gazetteer, mission)


def test_it_writes_the_external_pdf_with_small_cells_suppressed(report, mission):
    _reader, pages = pdf_text(render.render_file(report, Edition.EXTERNAL, "pdf"))
    lines = [line.strip() for page in pages for line in page.splitlines()]
    victims = direct(mission, "admin1", "victims")
    totals = direct_totals(mission)
    # Province table: 3 incidents in Southmark read "<5", and Northmark's 7 is withheld ("x").
    assert direct(mission, "admin1") == {"Northmark": 7, "Southmark": 3}
    assert f"Southmark <5 {victims['Southmark']}" in lines
    assert f"Northmark x {victims['Northmark']}" in lines
    assert f"Total {totals['incidents']} {totals['victims']}" in lines
    # Headline: the verified count is withheld here too (10 - 6 would give the 4 unverified away).
    assert any(line.startswith(f"2026 Q3 {totals['incidents']} {totals['victims']} x ") for line in lines)
    assert "Reported <5 6" in lines
    # The late addition to the released 2026 Q2 (one incident) reads "<5".
    assert any(re.fullmatch(r"2026 Q2 1 \d{4}-\d\d-\d\d <5 0", line) for line in lines)


def test_it_writes_the_mara_room_pdf_with_full_counts_and_territories(report, mission):
    _reader, pages = pdf_text(render.render_file(report, Edition.MARA_ROOM, "pdf"))
    lines = [line.strip() for page in pages for line in page.splitlines()]
    incidents, victims = direct(mission, "admin1"), direct(mission, "admin1", "victims")
    assert f"Southmark {incidents['Southmark']} {victims['Southmark']}" in lines
    assert f"Northmark {incidents['Northmark']} {victims['Northmark']}" in lines
    statuses = direct(mission, "verification_status")
    assert any(line.startswith(f"2026 Q3 10 12 {statuses['Verified']} ") for line in lines)
    assert any(re.fullmatch(r"2026 Q2 1 \d{4}-\d\d-\d\d 1 0", line) for line in lines)
    text = flat(" ".join(pages))
    assert "Ashdale" in text and "Birchford" in text
    assert all("MARA room - full counts" in page for page in pages)


def test_it_names_no_territory_in_the_external_pdf(report):
    _reader, pages = pdf_text(render.render_file(report, Edition.EXTERNAL, "pdf"))
    text = " ".join(pages)
    for name in TERRITORIES:
        assert name not in text
    assert "[place withheld]" in text  # the narrative and a recommendation named one


def test_it_carries_the_caveat_the_methodology_and_the_edition_on_every_page(report):
    reader, pages = pdf_text(render.render_file(report, Edition.EXTERNAL, "pdf"))
    text = flat(" ".join(pages))
    assert "CRSV is heavily under-reported" in text
    assert "figures in this report are minimums" in text
    assert "Methodology" in text and "information-sharing protocol" in text
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert "Small cells suppressed" in page
        assert f"{number} / {len(pages)}" in page
        assert "DRAFT - not for release" in page
    assert reader.metadata.title == "Quarterly CRSV summary: Test mission, 2026 Q3"


def test_it_drops_the_draft_banner_once_released_and_marks_a_superseded_version(
        make_incident, users, gazetteer, mission):
    report = build_report(make_incident, users, gazetteer, mission, status=ReportStatus.RELEASED)
    _reader, pages = pdf_text(render.render_file(report, Edition.EXTERNAL, "pdf"))
    assert "DRAFT" not in " ".join(pages)
    assert all("Released" in page for page in pages)
    report.status = ReportStatus.SUPERSEDED
    _reader, pages = pdf_text(render.render_file(report, Edition.EXTERNAL, "pdf"))
    assert all("SUPERSEDED - replaced by a later version" in page for page in pages)


def test_it_renders_the_same_bytes_twice_dated_when_the_version_was_generated(report):
    first = render.render_file(report, Edition.EXTERNAL, "pdf")
    assert render.render_file(report, Edition.EXTERNAL, "pdf") == first
    assert render.checksum(first) == render.checksum(render.render_file(report, Edition.EXTERNAL, "pdf"))
    created = PdfReader(io.BytesIO(first)).metadata.creation_date
    assert created.replace(tzinfo=datetime.UTC) == report.generated_at.astimezone(datetime.UTC).replace(microsecond=0)
    assert render.filename(report, Edition.EXTERNAL, "pdf") == "DEMO-2026-Q3-v2-external.pdf"
    assert render.filename(report, Edition.MARA_ROOM, "pdf") == "DEMO-2026-Q3-v2-mara-room.pdf"
    assert render.CONTENT_TYPES["pdf"] == "application/pdf"

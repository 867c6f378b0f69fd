"""Mission leadership signs in on a phone (password, then the real TOTP page), opens the released
quarterly reports and downloads the quarter's PDF in one click; the file is the released version
(its figures match the records, its checksum the one stored and audited)."""

import hashlib
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from crsv_mis.models import AuditEvent
from incidents.models import Incident
from reporting.models import ReportFile
from tests.e2e.test_referral_in_browser import sign_in
from tests.reporting.report_fixtures import KEY_MESSAGES, generate, release, seed_quarter


@pytest.mark.e2e
def test_leadership_downloads_the_released_quarter_pdf(live_server, users, mission, make_incident, chromium,
                                                       console_errors, tmp_path):
    seed_quarter(make_incident, users, count=6)
    report = release(generate(mission), users)
    generate(mission, by=users["SWPA"])  # a newer draft: leadership must not see it
    incidents = Incident.objects.filter(mission=mission, incident_date__year=2026, incident_date__month__lte=3)
    victims = sum(i.victims.count() for i in incidents)

    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda exc: console_errors.append(f"uncaught: {exc}"))
    try:
        sign_in(page, live_server.url, "leader")
        page.get_by_role("link", name="Quarterly reports").first.click()
        expect(page).to_have_url(f"{live_server.url}/reports/released/")
        expect(page.locator("#released-reports")).to_contain_text("2026 Q1")
        expect(page.locator("#released-reports")).not_to_contain_text("Version 2")
        # Nothing wider than the phone's screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        with page.expect_download() as info:
            page.get_by_role("link", name="2026 Q1 PDF").click()
        download = info.value
        assert download.suggested_filename == "DEMO-2026-Q1-v1-external.pdf"
        path = tmp_path / download.suggested_filename
        download.save_as(path)

        # The trends, by quarter: the quarter is picked from a list, on the phone's width.
        page.get_by_role("link", name="Trends").first.click()
        page.get_by_label("Quarter", exact=True).select_option("2026-Q1")
        page.get_by_role("button", name="Show the quarter").click()
        expect(page).to_have_url(f"{live_server.url}/mara/dashboard/?quarter=2026-Q1")
        expect(page.locator("#totals-title")).to_be_visible()
        expect(page.locator("#suppression-note")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()

    data = path.read_bytes()
    stored = ReportFile.objects.get(report=report, edition="EXTERNAL", format="pdf", language="en")
    assert hashlib.sha256(data).hexdigest() == stored.sha256
    text = "\n".join(p.extract_text() for p in PdfReader(path).pages)
    assert KEY_MESSAGES in text and "Released" in text
    # The headline row of the quarter: incidents, victims, verified incidents, as recorded.
    assert re.search(rf"2026 Q1 {incidents.count()} {victims} {incidents.count()}\b", text), text[:2000]
    (event,) = AuditEvent.objects.filter(action="report.download")
    assert event.username == "leader" and event.detail["sha256"] == stored.sha256
    assert not [e for e in console_errors if e.startswith("uncaught:")], console_errors

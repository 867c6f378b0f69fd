"""A disclosure in the browser, on a phone: an HRO records a prosecutor's request for two incidents,
sees that one survivor did not consent; the SWPA approves it; the HRO makes the file, records it as
sent and downloads it; the file holds only the consenting survivor and its checksum is the stored one."""

import hashlib
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from reporting.models import Disclosure, DisclosureState
from tests.e2e.test_referral_in_browser import sign_in
from tests.reporting.disclosure_fixtures import consenting, not_consenting

PHONE = {"width": 360, "height": 740}


def phone(chromium, console_errors):
    context = chromium.new_context(viewport=PHONE, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda exc: console_errors.append(f"uncaught: {exc}"))
    return context, page


@pytest.mark.e2e
def test_hro_asks_swpa_approves_and_the_file_sent_holds_only_consenting_survivors(
        live_server, users, make_incident, chromium, console_errors, tmp_path):
    agreed = make_incident(by="HRO", victims=[consenting(name="Testname Agreed")])
    declined = make_incident(by="HRO", victims=[not_consenting(name="Testname Declined")])

    hro_context, page = phone(chromium, console_errors)
    try:
        sign_in(page, live_server.url, "hro")
        page.locator("header summary").click()  # on a phone the menu is folded: open it first
        page.get_by_role("link", name="Disclosures").first.click()
        page.get_by_role("link", name="New request").click()
        page.get_by_label("Body it goes to").fill("Office of the prosecutor, Northmark")
        page.get_by_label("Legal basis").fill("Letter of request")
        page.get_by_label("Why it is asked").fill("Investigation of attacks in Ashdale territory.")
        page.get_by_label("Victim identity and contact").check()
        page.get_by_label("Victim profile").check()
        page.get_by_label("Incident references").fill(f"{agreed.reference}\n{declined.reference}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.get_by_role("button", name="Record the request").click()
        expect(page.locator("#disclosure-state")).to_have_text("Requested, waiting for the SWPA")
        expect(page.locator("main")).to_contain_text("No consent to share with a justice body: left out")
        expect(page.locator("main")).to_contain_text("Now: 1 of 2 victims consented")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        url = page.url

        swpa_context, swpa_page = phone(chromium, console_errors)
        try:
            sign_in(swpa_page, live_server.url, "swpa")
            swpa_page.goto(url)
            swpa_page.get_by_role("button", name="Approve").click()
            expect(swpa_page.locator("#disclosure-state")).to_have_text("Approved, not sent yet")
        finally:
            swpa_context.close()

        page.reload()
        page.get_by_label("How it goes").select_option("SECURE_TRANSFER")
        page.get_by_role("button", name="Make the file and record it as sent").click()
        expect(page.locator("#disclosure-state")).to_have_text("Sent")
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the file sent (XLSX)").click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        shown = page.locator("#file-sha256").inner_text().strip()
    finally:
        hro_context.close()

    disclosure = Disclosure.objects.get()
    assert disclosure.state == DisclosureState.SENT
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == disclosure.file.sha256 == shown
    book = load_workbook(io.BytesIO(data))
    text = "\n".join(str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r if c)
    assert "Testname Agreed" in text and "Testname Declined" not in text and declined.reference not in text
    assert not [e for e in console_errors if e.startswith("uncaught:")], console_errors

"""An SWPA uploads an incident matrix with two bad rows, reads the report, fixes the two rows in the
file, uploads it again, imports it and sees the incidents."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident
from tests.e2e.test_referral_in_browser import sign_in
from tests.incidents.import_files import good_row, write_xlsx


def matrix(path, *, fixed):
    rows = [
        good_row(incident_key="A-1", victim_age="29"),
        good_row(incident_key="A-1", victim_sex="M" if fixed else "", victim_age="33"),   # row 3
        good_row(incident_key="B-1", victim_age="52", location="Birchford" if fixed else "Birchfort",  # row 4
                 summary="One woman reported an attack in Birchford territory."),
        good_row(incident_key="C-1", victim_age="16", consent_given_by="CAREGIVER",
                 consent_decided_by="Synthetic caregiver role", victim_sex="Féminin"),
    ]
    return write_xlsx(path, rows)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_swpa_fixes_two_bad_rows_and_imports(live_server, users, party, browser_page, console_errors, tmp_path):
    page = browser_page
    sign_in(page, live_server.url, "swpa")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import incidents from a spreadsheet")).to_be_visible()

    page.get_by_label("Incident matrix (XLSX or CSV)").set_input_files(str(matrix(tmp_path / "matrix.xlsx",
                                                                                   fixed=False)))
    page.get_by_role("button", name="Upload and check").click()
    expect(page).to_have_url(re.compile(r"/incidents/import/\d+/$"))
    expect(page.locator("#import-state")).to_have_text("Checked: waiting for your choice")
    problems = page.locator("#import-problems tbody tr")
    expect(problems.filter(has_text="The victim's sex is missing")).to_contain_text("3")
    expect(problems.filter(has_text='No territory or locality called "Birchfort"')).to_contain_text("Location")
    # Row 2 is right but belongs to the incident of row 3: it waits for it.
    expect(problems.filter(has_text="another row of the same incident has an error (row 3)")).to_contain_text("2")
    expect(page.locator("#import-counts")).to_contain_text("3 rows have errors")
    expect(page.locator('input[name="mode"][value="ALL"]')).to_be_disabled()
    assert not Incident.objects.exists()

    # Fixed in the spreadsheet, the file goes up again.
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("Incident matrix (XLSX or CSV)").set_input_files(str(matrix(tmp_path / "matrix-fixed.xlsx",
                                                                                   fixed=True)))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#import-counts")).to_contain_text("0 rows have errors")
    expect(page.locator("#import-problems")).to_have_count(0)
    expect(page.locator('input[name="mode"][value="ALL"]')).to_be_checked()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="3 incidents imported")).to_be_visible()

    page.get_by_role("link", name="See the imported incidents").click()
    expect(page.get_by_text("3 incidents")).to_be_visible()
    for incident in Incident.objects.all():
        expect(page.get_by_role("link", name=incident.reference)).to_be_visible()
    assert Incident.objects.get(source_row=2).victim_count == 2
    # As the other browser tests: no script refused by the CSP, no uncaught error.
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    assert not [e for e in console_errors if e.startswith("uncaught:")], console_errors

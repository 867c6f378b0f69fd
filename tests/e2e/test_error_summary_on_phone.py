"""On a 360-pixel touch phone, an intake sent without a required field comes back with the error summary
at the top of the page, focused (so it is on screen and read out at once); tapping its link puts the
field on screen with focus in it, so nobody scrolls to hunt for what is wrong."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import intake_by_tap as intake
from tests.e2e import pages
from tests.e2e.phone import TOUCH_PHONE, open_on_touch_phone

ONE_VICTIM = [v for v in intake.VICTIMS if not v[1].startswith("victims-1-")]


@pytest.mark.e2e
def test_it_focuses_the_summary_and_its_link_takes_the_thumb_to_the_field(live_server, chromium, users, party):
    errors = []
    context = pages.signed_in_context(chromium, live_server.url, users["WPA"], **TOUCH_PHONE)
    page = open_on_touch_phone(context, errors)
    try:
        page.goto(f"{live_server.url}/incidents/new/")
        expect(page.locator(".error-summary")).to_have_count(0)
        # Everything but the conflict nexus, which is required.
        intake.tap_in_all(page, intake.WHEN_WHERE_WHAT + ONE_VICTIM + intake.PERPETRATORS_SOURCE_ACCOUNT)
        page.get_by_role("button", name="Record incident").tap()

        expect(page).to_have_url(re.compile(r"/incidents/new/$"))
        expect(page).to_have_title(re.compile(r"^Error: Record an incident"))
        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        expect(summary).to_be_in_viewport()
        expect(summary.get_by_role("heading")).to_have_text("There is a problem")
        form_top = page.locator("form.intake").bounding_box()["y"]
        assert summary.bounding_box()["y"] < form_top, "the summary is above the form"
        link = summary.get_by_role("link")
        expect(link).to_have_count(1)
        expect(link).to_have_text("This field is required.")
        expect(link).to_have_attribute("href", "#id_conflict_nexus")
        nexus = page.locator("#id_conflict_nexus")
        expect(nexus).not_to_be_in_viewport()

        link.tap()
        expect(nexus).to_be_focused()
        expect(nexus).to_be_in_viewport()
        # The field's label comes into view with it, so the person knows which field this is.
        expect(page.locator('label[for="id_conflict_nexus"]')).to_be_in_viewport()
    finally:
        context.close()
    assert not [e for e in errors if "Content Security Policy" in e or e.startswith("uncaught:")], errors

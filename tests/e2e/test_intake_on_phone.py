"""A WPA records a whole incident on a 360-pixel touch phone, by tapping: every section, two victims,
forms of violence, consent. Nothing scrolls sideways at any step, every control is a 44 px target,
a missing required field shows its error next to it, readable, and the incident is saved as typed."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident, IntakeDraft
from tests.e2e import intake_by_tap as intake
from tests.e2e import pages
from tests.e2e.phone import PHONE, TOUCH_PHONE, open_on_touch_phone

THUMB_PX = 44


def page_width(page):
    return page.evaluate("document.scrollingElement.scrollWidth")


def small_targets(page):
    """Shown controls of the form under 44 x 44 px (a checkbox counts with its label), by name."""
    return page.evaluate("""(least) => Array.from(document.querySelectorAll(
        'form.intake input:not([type=hidden]), form.intake select, form.intake textarea, form.intake button'))
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el, el.type === 'checkbox' && el.closest('label') ? el.closest('label') : el])
        .map(([el, target]) => [el, target.getBoundingClientRect()])
        .filter(([el, r]) => r.height < least || r.width < least)
        .map(([el, r]) => (el.name || el.tagName) + '=' + el.value + ' ' + Math.round(r.width) + 'x' +
            Math.round(r.height))""",
                         THUMB_PX)


def fits(page, step):
    assert page_width(page) <= PHONE["width"], f"{step}: the page scrolls sideways ({page_width(page)} px)"


@pytest.mark.e2e
def test_it_records_a_whole_incident_by_tapping_on_a_360_pixel_phone(live_server, chromium, users, party):
    errors = []
    context = pages.signed_in_context(chromium, live_server.url, users["WPA"], **TOUCH_PHONE)
    page = open_on_touch_phone(context, errors)
    try:
        page.goto(f"{live_server.url}/incidents/new/")
        fits(page, "empty form")
        assert small_targets(page) == []
        assert page.locator('select[name="duty_station"]').input_value() == str(users["WPA"].duty_stations.get().pk)
        if page.locator('select[name="victims-1-sex"]').count() == 0:
            page.get_by_role("button", name="Add another victim").tap()
            expect(page.locator('select[name="victims-1-sex"]')).to_be_visible()

        # Every section but the conflict nexus (required): sent, it comes back with the error.
        for step, values in (("when, where, what", intake.WHEN_WHERE_WHAT), ("victims", intake.VICTIMS),
                             ("perpetrators, source, account", intake.PERPETRATORS_SOURCE_ACCOUNT)):
            intake.tap_in_all(page, values)
            fits(page, step)
        assert small_targets(page) == []
        page.get_by_role("button", name="Record incident").tap()

        expect(page).to_have_url(re.compile(r"/incidents/new/$"))
        nexus = page.locator(".field", has=page.locator('select[name="conflict_nexus"]'))
        error = nexus.locator(".error")
        expect(error).to_have_text("This field is required.")
        error.scroll_into_view_if_needed()
        expect(error).to_be_in_viewport()
        box, field_box = error.bounding_box(), nexus.locator("select").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert 0 <= box["y"] - (field_box["y"] + field_box["height"]) < 120, "the error is not next to its field"
        assert float(error.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 14
        assert page.locator(".has-error").count() == 1, "only the missing field is in error"
        fits(page, "error state")
        assert small_targets(page) == []
        # Nothing typed was lost on the way back.
        everything_but_nexus = [v for v in intake.EVERYTHING if v != intake.NEXUS]
        assert intake.shown_values(page, everything_but_nexus) == everything_but_nexus

        intake.tap_in(page, *intake.NEXUS)
        page.get_by_role("button", name="Record incident").tap()
        expect(page).to_have_url(re.compile(r"/incidents/DEMO-\d{4}-\d{5}/$"))
        reference = page.url.rstrip("/").rsplit("/", 1)[-1]
        expect(page.locator(".messages")).to_contain_text(f"Incident {reference} recorded.")
        fits(page, "detail page")
    finally:
        context.close()

    intake.assert_saved(Incident.objects.get(reference=reference), party)
    assert not IntakeDraft.objects.filter(owner=users["WPA"]).exists(), "the autosaved draft went with the submit"
    assert not [e for e in errors if "Content Security Policy" in e or e.startswith("uncaught:")], errors

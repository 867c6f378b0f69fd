"""The main journeys' pages meet WCAG 2.1 AA as axe-core checks it: no serious or critical violation on any
of them, on a desktop screen and on a 360-pixel phone; the intake form with its errors shown too.
Lesser findings are printed."""

import pytest
from playwright.sync_api import expect

from tests.e2e import axe, journeys
from tests.e2e.phone import PHONE

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def axe_source():
    return axe.axe_source()


def check(page, source, label, failing, minor):
    results = axe.run_axe(page, source)
    for violation in results["violations"]:
        (failing if violation["impact"] in axe.FAILING_IMPACTS else minor).append(f"{label}: {axe.describe(violation)}")


@pytest.mark.e2e
def test_it_finds_no_serious_or_critical_wcag_21_aa_violation_on_the_main_journeys(
        live_server, chromium, users, site_objects, axe_source):
    main_pages = journeys.main_pages(users, site_objects)
    failing, minor, checked = [], [], 0
    for width_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        contexts = {}

        def context_of(role, second_factor=True, viewport=viewport, contexts=contexts):
            key = (role, second_factor)
            if key not in contexts:
                contexts[key] = journeys.open_context(chromium, live_server.url, users, role, viewport=viewport,
                                                      bypass_csp=True) if second_factor else \
                    journeys.pages.signed_in_context(chromium, live_server.url, users[role], second_factor=False,
                                                     viewport=viewport, bypass_csp=True)
            return contexts[key]

        for role, name, url in main_pages:
            page = context_of(role).new_page()
            response = page.goto(live_server.url + url)
            assert response.status == 200, f"{role} {url}: {response.status}"
            check(page, axe_source, f"{width_name} {role or 'signed out'} {name}", failing, minor)
            checked += 1
            page.close()

        # The intake form sent empty: the same form with every error shown.
        page = context_of("WPA").new_page()
        page.goto(live_server.url + journeys.url_of("incident_create", site_objects))
        page.get_by_role("button", name="Record incident").click()
        expect(page.locator(".has-error").first).to_be_visible()
        check(page, axe_source, f"{width_name} WPA intake with errors", failing, minor)
        page.close()

        # The second-factor step of signing in.
        page = context_of("WPA", second_factor=False).new_page()
        page.goto(live_server.url + "/accounts/2fa/")
        expect(page.locator("input[name=token]")).to_be_visible()
        check(page, axe_source, f"{width_name} WPA second factor", failing, minor)
        page.close()
        checked += 2
        for context in contexts.values():
            context.close()

    print(f"\naxe-core {axe.AXE_VERSION}, WCAG 2.1 A and AA, {checked} page checks; lesser findings:")
    print("\n".join(minor) or "none")
    assert checked == 2 * (len(journeys.MAIN_PAGES) + 2)
    assert failing == [], "serious or critical accessibility violations:\n" + "\n".join(failing)

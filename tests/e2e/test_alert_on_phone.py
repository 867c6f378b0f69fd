"""A field reporter sends an alert from a 360-pixel touch phone, by tapping (44 px targets, nothing
wider than the screen); the duty station's HRO sees the notification, opens the alert and
acknowledges it."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from incidents.models import Alert
from tests.conftest import PASSWORD

PHONE = {"width": 360, "height": 740}
DESCRIPTION = "Synthetic browser test: armed men stopping women at the Ashdale water point."


def totp_code(secret_b32):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{TOTP(key, step=30, t0=0, digits=6).token():06d}"


def sign_in(page, base_url, username):
    """Password, then enrolment of an authenticator with a real TOTP code (first login)."""
    page.goto(f"{base_url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("6-digit code from your authenticator app").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base_url}/")


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth")


def controls_outside(page, width):
    """Form controls of the page that do not fit in the screen's width (names or tags)."""
    return page.evaluate("""(width) => Array.from(document.querySelectorAll(
        'main input:not([type=hidden]), main select, main textarea, main button'))
        .filter((el) => el.offsetParent !== null)
        .filter((el) => { const r = el.getBoundingClientRect(); return r.left < 0 || r.right > width; })
        .map((el) => el.name || el.tagName)""", width)


def small_targets(page):
    """Shown controls of the alert form under 44 x 44 px (a radio or checkbox counts with its label)."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        'main form input:not([type=hidden]), main form select, main form textarea, main form button'))
        .filter((el) => el.offsetParent !== null)
        .map((el) => [el, el.closest('label') && /checkbox|radio/.test(el.type) ? el.closest('label') : el])
        .filter(([el, t]) => { const r = t.getBoundingClientRect(); return r.height < 44 || r.width < 44; })
        .map(([el]) => el.name + '=' + el.value)""")


def new_page(chromium, viewport, errors, **touch):
    context = chromium.new_context(viewport=viewport, locale="en-GB", **touch)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return context, page


@pytest.mark.e2e
def test_field_reporter_alerts_from_a_phone_and_the_hro_acknowledges(live_server, chromium, users, gazetteer):
    errors = []
    started = time.monotonic()

    # The field reporter, on a 360 px wide phone.
    context, page = new_page(chromium, PHONE, errors, is_mobile=True, has_touch=True)
    try:
        sign_in(page, live_server.url, "reporter")
        # On a phone the menu is folded: open it first.
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
        page.locator("header summary").tap()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Report an alert").tap()
        expect(page).to_have_url(re.compile(r"/alerts/new/$"))
        assert no_horizontal_scroll(page) <= PHONE["width"]
        assert controls_outside(page, PHONE["width"]) == []
        assert small_targets(page) == []
        # Defaults: the reporter's station and the current time are already filled in.
        assert page.locator('select[name="duty_station"]').input_value() == str(
            users["FIELD_REPORTER"].duty_stations.get().pk)
        assert page.locator('input[name="observed_at"]').input_value()

        form_started = time.monotonic()
        page.get_by_label("What was seen or heard").tap()
        page.get_by_label("What was seen or heard").fill(DESCRIPTION)
        urgent = page.get_by_label("Urgent: people at risk now")
        page.locator("label", has=urgent).tap()
        assert urgent.is_checked()
        box = page.locator("label", has=urgent).bounding_box()
        assert box and box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        page.locator('select[name="location"]').tap()
        page.locator('select[name="location"]').select_option(label="Northmark / Ashdale")
        indicator = page.get_by_label("Armed presence at water or firewood points")
        page.locator("label", has=indicator).tap()
        assert indicator.is_checked()
        page.locator('select[name="source_type"]').tap()
        page.locator('select[name="source_type"]').select_option("MILITARY_PATROL")
        assert no_horizontal_scroll(page) <= PHONE["width"]
        send = page.get_by_role("button", name="Send alert")
        send_box = send.bounding_box()
        assert send_box and send_box["height"] >= 44 and send_box["x"] + send_box["width"] <= PHONE["width"]
        send.tap()
        filled_in = time.monotonic() - form_started

        expect(page).to_have_url(re.compile(r"/alerts/DEMO-A-\d{4}-\d{5}/$"))
        reference = page.url.rstrip("/").rsplit("/", 1)[-1]
        expect(page.locator(".messages")).to_contain_text(f"Alert {reference} sent")
        expect(page.locator("#alert-status")).to_have_text("New")
        expect(page.locator("main")).not_to_contain_text("water point")  # status only, for a field reporter
        assert no_horizontal_scroll(page) <= PHONE["width"]
    finally:
        context.close()

    alert = Alert.objects.get(reference=reference)
    assert alert.description == DESCRIPTION and alert.urgency == "URGENT"
    assert list(alert.indicators.values_list("code", flat=True)) == ["armed-at-water-firewood"]
    assert (alert.location, alert.source_type) == (gazetteer["north_a"], "MILITARY_PATROL")
    assert alert.duty_station == users["FIELD_REPORTER"].duty_stations.get() and alert.observed_at

    # The HRO of the north office, in a browser of their own.
    context, page = new_page(chromium, {"width": 1280, "height": 900}, errors)
    try:
        sign_in(page, live_server.url, "hro")
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Notifications (1)").click()
        expect(page).to_have_url(re.compile(r"/notifications/$"))
        page.get_by_role("link", name=re.compile(reference)).click()
        expect(page).to_have_url(re.compile(rf"/alerts/{reference}/$"))
        expect(page.locator(".narrative")).to_contain_text(DESCRIPTION)
        expect(page.locator("#alert-status")).to_have_text("New")
        page.get_by_role("button", name="Acknowledge").click()
        expect(page.locator("#alert-status")).to_have_text("Acknowledged")
        expect(page.locator(".messages")).to_contain_text(f"Alert {reference} acknowledged.")
        expect(nav.get_by_role("link", name="Notifications (0)")).to_be_visible()
    finally:
        context.close()

    alert.refresh_from_db()
    assert alert.status == "ACKNOWLEDGED" and alert.acknowledged_by == users["HRO"]
    assert not [e for e in errors if "Content Security Policy" in e], errors
    assert not [e for e in errors if e.startswith("uncaught:")], errors
    print(f"alert form filled in {filled_in:.1f}s; whole flow {time.monotonic() - started:.1f}s")

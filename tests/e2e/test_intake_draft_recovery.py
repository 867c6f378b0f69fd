"""Intake survives a dropped connection: what a WPA types on a phone is saved as a draft on the server
as they go; offline, the submit is held back and the page says so, and nothing typed is lost; when the
link returns the save goes through. On another device the same WPA resumes the draft with every value
back, submits it, and the draft is gone. Nobody else can open it."""

import re

import pytest
from playwright.sync_api import expect

from incidents import drafts
from incidents.models import Incident, IntakeDraft
from tests.e2e import intake_by_tap as intake
from tests.e2e import pages
from tests.e2e.phone import PHONE

BEFORE_THE_DROP = intake.WHEN_WHERE_WHAT + [intake.NEXUS] + intake.VICTIMS
WHILE_OFFLINE = intake.PERPETRATORS_SOURCE_ACCOUNT


def new_page(context, errors):
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "ERR_INTERNET" not in msg.text
            else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return page


def the_draft(user):
    (draft,) = IntakeDraft.objects.filter(owner=user)
    return drafts.contents(draft)


@pytest.mark.e2e
def test_it_keeps_what_was_typed_offline_and_resumes_it_on_another_device(live_server, chromium, users, party):
    errors, wpa = [], users["WPA"]

    # The phone: typing, autosaved; then the connection drops.
    phone = pages.signed_in_context(chromium, live_server.url, wpa, viewport=PHONE, is_mobile=True, has_touch=True)
    page = new_page(phone, errors)
    status = page.locator("#draft-status")
    try:
        page.goto(f"{live_server.url}/incidents/new/")
        intake.tap_in_all(page, BEFORE_THE_DROP)
        expect(status).to_have_text(re.compile(r"^Draft saved \d\d:\d\d$"))
        assert the_draft(wpa)["victims-1-consent_decided_by"] == ["Mother, as caregiver"]

        phone.set_offline(True)
        intake.tap_in_all(page, WHILE_OFFLINE)
        expect(status).to_have_text("Not saved — offline, will retry")
        page.get_by_role("button", name="Record incident").tap()
        expect(status).to_contain_text("Offline: the incident was not sent. Nothing is lost")
        expect(status).to_be_in_viewport()
        assert status.evaluate("el => getComputedStyle(el).fontWeight") == "600"
        assert page.url.endswith("/incidents/new/") and not Incident.objects.exists()
        # Everything is still on the page; the server has what was saved before the drop.
        assert intake.shown_values(page, intake.EVERYTHING) == intake.EVERYTHING
        assert "narrative" not in the_draft(wpa) or the_draft(wpa)["narrative"] == [""]

        # The link returns: the pending save goes through at once.
        with page.expect_response(lambda r: r.url.endswith("/incidents/drafts/save/")) as saved:
            phone.set_offline(False)
        assert saved.value.status == 200
        expect(status).to_have_text(re.compile(r"^Draft saved \d\d:\d\d$"))
        assert the_draft(wpa)["narrative"] == [dict((n, v) for _k, n, v in WHILE_OFFLINE)["narrative"]]
    finally:
        phone.close()

    # Another officer of the same office cannot open it, nor see it listed.
    draft = IntakeDraft.objects.get(owner=wpa)
    other = pages.signed_in_context(chromium, live_server.url, users["HRO"])
    try:
        page = new_page(other, [])  # its console reports the 404 asked for
        assert page.goto(f"{live_server.url}/incidents/new/?draft={draft.pk}").status == 404
        page.goto(f"{live_server.url}/incidents/drafts/")
        expect(page.locator("#drafts")).to_have_count(0)
    finally:
        other.close()

    # Another device, the same WPA: resume from the list, every value is back, submit.
    desk = pages.signed_in_context(chromium, live_server.url, wpa, viewport={"width": 1280, "height": 900})
    try:
        page = new_page(desk, errors)
        page.goto(f"{live_server.url}/incidents/drafts/")
        rows = page.locator("#drafts tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.locator('td[data-label="Victims"]')).to_have_text("2")
        rows.get_by_role("link", name="Resume").click()
        expect(page).to_have_url(re.compile(rf"/incidents/new/\?draft={draft.pk}$"))
        assert intake.shown_values(page, intake.EVERYTHING) == intake.EVERYTHING
        page.get_by_role("button", name="Record incident").click()
        expect(page).to_have_url(re.compile(r"/incidents/DEMO-\d{4}-\d{5}/$"))
        reference = page.url.rstrip("/").rsplit("/", 1)[-1]
        page.goto(f"{live_server.url}/incidents/drafts/")
        expect(page.get_by_text("You have no drafts.")).to_be_visible()
    finally:
        desk.close()

    intake.assert_saved(Incident.objects.get(reference=reference), party)
    assert not IntakeDraft.objects.exists()
    assert not [e for e in errors if "Content Security Policy" in e or e.startswith("uncaught:")], errors

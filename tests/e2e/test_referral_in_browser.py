"""A WPA refers a survivor to a medical provider with consent and sends it; the provider's focal point
signs in (own browser context, real TOTP), opens the referral and records the service as provided."""

import base64
import datetime
import re

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from referrals.models import Provider, ProviderService, Referral
from tests.conftest import PASSWORD

NOTE = "Emergency: PEP needed today."


def totp_code(secret_b32):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{TOTP(key, step=30, t0=0, digits=6).token():06d}"


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("6-digit code from your authenticator app").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base_url}/")


def new_page(chromium, console_errors):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda exc: console_errors.append(f"uncaught: {exc}"))
    return context, page


@pytest.mark.e2e
def test_wpa_refers_and_focal_point_records_service_provided(
    live_server, users, gazetteer, mission, make_incident, chromium, console_errors
):
    incident = make_incident()
    victim = incident.victims.get()
    clinic = Provider.objects.create(mission=mission, name="Ashdale Clinic", provider_type="HEALTH_FACILITY")
    clinic.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=clinic, service="MEDICAL", active=True)
    clinic.focal_points.set([users["REFERRAL_FOCAL_POINT"]])

    # The WPA refers the survivor from the incident page.
    context, page = new_page(chromium, console_errors)
    try:
        sign_in(page, live_server.url, "wpa")
        page.goto(f"{live_server.url}/incidents/{incident.reference}/")
        page.get_by_role("link", name="Refer", exact=True).click()
        expect(page).to_have_url(re.compile(rf"/referrals/new/\?victim={victim.pk}$"))
        page.locator('select[name="service"]').select_option("MEDICAL")
        page.get_by_role("button", name="Next: choose the provider").click()
        page.locator('select[name="provider"]').select_option(str(clinic.pk))
        page.locator('select[name="urgency"]').select_option("EMERGENCY")
        page.locator('textarea[name="note"]').fill(NOTE)
        page.locator('input[name="consent_given"]').check()
        page.locator('input[name="consent_date"]').fill(
            (timezone.localdate() - datetime.timedelta(days=1)).isoformat())
        page.locator('select[name="consent_given_by"]').select_option("SURVIVOR")
        page.get_by_role("button", name="Send to the provider").click()
        expect(page).to_have_url(re.compile(r"/referrals/\d+/$"))
        expect(page.locator("#referral-status")).to_have_text("Referred")
    finally:
        context.close()
    referral = Referral.objects.get()
    assert referral.status == "REFERRED" and referral.consent_active

    # The focal point, in a browser of their own.
    context, page = new_page(chromium, console_errors)
    try:
        sign_in(page, live_server.url, "focal")
        page.goto(f"{live_server.url}/referrals/")
        page.get_by_role("link", name=victim.code).click()
        expect(page).to_have_url(f"{live_server.url}/referrals/{referral.pk}/")
        content = page.content()
        assert NOTE in content
        for secret in (victim.name, victim.contact, incident.narrative, incident.reference, "Quillby"):
            assert secret not in content, secret
        for to in ("ACCEPTED", "SERVICE_PROVIDED"):
            page.locator('select[name="to"]').select_option(to)
            page.get_by_role("button", name="Record the status").click()
            expect(page.locator(".messages")).to_contain_text("Status changed.")
        expect(page.locator("#referral-status")).to_have_text("Service provided")
    finally:
        context.close()
    referral.refresh_from_db()
    assert referral.status == "SERVICE_PROVIDED" and referral.service_provided_at is not None
    assert not [e for e in console_errors if e.startswith("uncaught:")], console_errors

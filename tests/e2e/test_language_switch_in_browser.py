"""In Chromium, a person switches the site from English to French with the language control at the foot
of every page: that page and the next ones are French, dates and numbers written the French way; the
choice is saved on the account, so it holds after signing out and in again and on another device (a
new browser context that asks for English); switching back gives English again."""

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from crsv_mis.models import TOTPDevice, User
from reporting import quarterly
from reporting.models import QuarterlyReport
from tests.conftest import PASSWORD
from tests.e2e import pages


def a_report_with_big_figures(user):
    """A quarterly report whose referral figures hold a count in the thousands and a share with
    decimals: the way they are written is what the page is checked for."""
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    figures = quarterly.build(user.mission, today.year, quarter)
    figures["referrals"].update(referrals=1234, sent=1000, service_provided_percent=33.3)
    return QuarterlyReport.objects.create(mission=user.mission, year=today.year, quarter=quarter, version=1,
                                          generated_by=user, figures=figures, key_messages="Synthetic.")

def current_code(user):
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits).token():06d}"

def switch(page, language, button):
    page.locator("select#lang").select_option(language)
    page.get_by_role("button", name=button, exact=True).click()

@pytest.mark.e2e
def test_it_switches_to_french_keeps_it_on_the_account_and_switches_back(live_server, chromium, users,
                                                                       make_incident):
    swpa = users["SWPA"]
    incident = make_incident()
    reported = incident.reported_date
    report = a_report_with_big_figures(swpa)
    context = pages.signed_in_context(chromium, live_server.url, swpa)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/incidents/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("columnheader", name="Reported")).to_be_visible()
    expect(page.locator("tbody").first).to_contain_text(reported.strftime("%Y-%m-%d"))

    # The switch: the same page comes back in French, with French dates.
    switch(page, "fr", "Change")
    expect(page).to_have_url(f"{live_server.url}/incidents/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("columnheader", name="Date de signalement")).to_be_visible()
    expect(page.locator("tbody").first).to_contain_text(reported.strftime("%d/%m/%Y"))
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert User.objects.get(pk=swpa.pk).language == "fr"

    # The next page too, with French numbers: a non-breaking space between thousands, a decimal comma.
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="Rapports").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    referrals = page.locator("#table-referrals")
    expect(referrals).to_contain_text("Orientations enregistrées")
    expect(referrals).to_contain_text("1\xa0234")
    expect(referrals).to_contain_text("33,3")
    expect(referrals).not_to_contain_text("1,234")

    # Signed out, the sign-in page speaks French; signed in again (password and code), still French.
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    page.locator('input[name="username"]').fill("swpa")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    page.locator('input[name="token"]').fill(current_code(swpa))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("heading", name="Bienvenue, swpa")).to_be_visible()
    context.close()

    # Another device, a browser that asks for English: the account's French wins.
    other = pages.signed_in_context(chromium, live_server.url, User.objects.get(pk=swpa.pk),
                                    extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
    page = other.new_page()
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Bienvenue, swpa")).to_be_visible()

    # And back to English, everywhere.
    switch(page, "en", "Changer")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Welcome, swpa")).to_be_visible()
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    expect(page.locator("#table-referrals")).to_contain_text("1,234")
    expect(page.locator("#table-referrals")).to_contain_text("33.3")
    assert User.objects.get(pk=swpa.pk).language == "en"
    other.close()

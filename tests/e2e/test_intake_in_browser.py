"""A WPA signs in with password and a real TOTP code, records an incident with two victims, and finds it again."""

import base64
import datetime
import re
import time

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from incidents.choices import CrsvFormCode
from incidents.models import FormOfViolence, Incident
from tests.conftest import PASSWORD

VICTIM_CODE = re.compile(r"^SV-[A-Z2-9]{8}$")
SUMMARY = "Two civilians reported an attack by armed men in Ashdale territory."


@pytest.fixture
def forms_of_violence(transactional_db):
    # Seeded by a data migration, which a previous transactional test's flush may have emptied.
    for code in CrsvFormCode.values:
        FormOfViolence.objects.get_or_create(code=code)


def totp_code(secret_b32):
    """What an authenticator app shows for this base32 key now (RFC 6238 defaults: 30 s, 6 digits)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{TOTP(key, step=30, t0=0, digits=6).token():06d}"


def iso(days_ago):
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


def fill_victim(page, index, *, sex, age_years="", age_group="", displacement="", consents=()):
    prefix = f"victims-{index}-"
    page.locator(f'select[name="{prefix}sex"]').select_option(sex)
    if age_years:
        page.locator(f'input[name="{prefix}age_years"]').fill(age_years)
    if age_group:
        page.locator(f'select[name="{prefix}age_group"]').select_option(age_group)
    if displacement:
        page.locator(f'select[name="{prefix}displacement"]').select_option(displacement)
    for kind in consents:
        page.locator(f'input[name="{prefix}consent_kinds"][value="{kind}"]').check()
    if consents:
        page.locator(f'input[name="{prefix}consent_date"]').fill(iso(2))
        page.locator(f'select[name="{prefix}consent_given_by"]').select_option("SURVIVOR")


@pytest.mark.e2e
def test_wpa_signs_in_with_totp_and_records_an_incident_with_two_victims(
    live_server, users, gazetteer, forms_of_violence, browser_page, console_errors, tmp_path
):
    started = time.monotonic()
    page = browser_page
    stylesheets = []
    page.on("response", lambda r: stylesheets.append((r.url, r.status)) if r.url.endswith(".css") else None)

    # Password step.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill("wpa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    # First login: enrol an authenticator from the key the page shows.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/"))
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.get_by_label("6-digit code from your authenticator app").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Welcome, wpa")).to_be_visible()

    # The stylesheet is served and applied.
    assert any(url.endswith("/static/css/app.css") and status == 200 for url, status in stylesheets), stylesheets
    topbar = page.locator("header.topbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert topbar not in ("", "transparent", "rgba(0, 0, 0, 0)"), f"app.css not applied: topbar is {topbar}"

    # The intake page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Record an incident").click()
    expect(page).to_have_url(re.compile(r"/incidents/new/$"))
    assert page.locator('select[name="duty_station"]').input_value() == str(users["WPA"].duty_stations.get().pk)
    page.locator('select[name="incident_date_precision"]').select_option("DAY")
    page.locator('input[name="incident_date"]').fill(iso(10))
    page.locator('input[name="reported_date"]').fill(iso(3))
    page.locator('select[name="location"]').select_option(label="Northmark / Ashdale")
    page.locator('select[name="site_type"]').select_option("FIELD_OR_FARM")
    page.get_by_label("Rape (including gang rape)", exact=True).check()
    page.get_by_label("Sexual torture, including in detention", exact=True).check()
    page.locator('select[name="conflict_nexus"]').select_option("PERPETRATOR_ARMED_ACTOR")

    fill_victim(page, 0, sex="FEMALE", age_years="30", age_group="25-39", displacement="IDP",
                consents=("RECORD", "SHARE_MARA", "REFER"))
    if page.locator('select[name="victims-1-sex"]').count() == 0:
        page.get_by_role("button", name="Add another victim").click()
    fill_victim(page, 1, sex="MALE", age_group="40-59", displacement="RESIDENT", consents=("RECORD",))

    page.locator('select[name="perpetrators-0-party_type"]').select_option("NON_STATE_ARMED_GROUP")
    page.locator('input[name="perpetrators-0-number"]').fill("3")
    page.locator('select[name="perpetrators-0-sex"]').select_option("MALE")

    page.locator('select[name="source_type"]').select_option("SURVIVOR_INTERVIEW")
    page.locator('select[name="source_sex"]').select_option("FEMALE")
    page.locator('select[name="source_reliability"]').select_option("B")
    page.locator('select[name="source_credibility"]').select_option("2")
    page.locator('textarea[name="summary"]').fill(SUMMARY)
    page.locator('textarea[name="narrative"]').fill("Synthetic browser-test narrative: two people stopped at dusk.")
    page.get_by_role("button", name="Record incident").click()

    # The detail page of the new record.
    expect(page).to_have_url(re.compile(r"/incidents/[A-Z]+-\d{4}-\d{5}/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator(".messages")).to_contain_text(f"Incident {reference} recorded.")
    codes = [c.strip() for c in page.locator('td[data-label="Code"]').all_inner_texts()]
    assert len(codes) == 2, codes
    assert all(VICTIM_CODE.match(code) for code in codes), codes
    assert codes[0] != codes[1]

    incident = Incident.objects.get(reference=reference)
    assert incident.victims.count() == 2
    assert sorted(incident.forms.values_list("code", flat=True)) == ["RAPE", "SEXUAL_TORTURE"]

    # The list shows it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
    expect(page).to_have_url(re.compile(r"/incidents/$"))
    row = page.locator("table.list tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator('td[data-label="Victims"]')).to_have_text("2")

    shot = tmp_path / "incident-list.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0

    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    assert not [e for e in console_errors if e.startswith("uncaught:")], console_errors
    print(f"e2e intake flow took {time.monotonic() - started:.1f}s; screenshot {shot}")

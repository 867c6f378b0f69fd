"""The MARA chair signs in with password and a real TOTP code, verifies an incident from the review
queue on its de-identified record, then writes, saves and endorses the month's analysis."""

import base64
import re
import time

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from incidents.models import Incident
from mara.models import AnalysisStatus, MonthlyAnalysis, VerificationDecision
from tests.conftest import PASSWORD

VICTIM_NAME = "Testname Alpha"
NARRATIVE = "Synthetic narrative for the MARA browser test: never shown to the review."
SUMMARY = "Synthetic summary: one woman reported an attack by armed men in Ashdale territory."
RATIONALE = "Synthetic rationale: a first-hand account, consistent with two independent synthetic sources."
SECTIONS = {
    "patterns": "Synthetic: reports this month concern women in farm fields at dusk.",
    "hotspots": "Synthetic: Ashdale territory in Northmark accounts for the month's incidents.",
    "perpetrators": "Synthetic: a non-state armed group is named in the accounts.",
    "response_gaps": "Synthetic: no medical support within a day's walk of the fields.",
    "recommendations": "Synthetic: raise the pattern with the group's leadership through the mission.",
}


def totp_code(secret_b32):
    """What an authenticator app shows for this base32 key now (RFC 6238 defaults: 30 s, 6 digits)."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    return f"{TOTP(key, step=30, t0=0, digits=6).token():06d}"


def sign_in(page, base_url, username):
    """Password, then enrolment of an authenticator with a real TOTP code (first login)."""
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/"))
    expect(page.get_by_role("heading", name="Set up your authenticator")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.get_by_label("6-digit code from your authenticator app").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base_url}/")


@pytest.mark.e2e
def test_mara_chair_verifies_an_incident_and_endorses_the_monthly_analysis(
    live_server, users, make_incident, browser_page, console_errors
):
    started = time.monotonic()
    page = browser_page
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    # Dated and reported this month (whatever today's date), so it is in this month's queue and figures.
    incident = make_incident(by="WPA", incident_date=today.replace(day=1), reported_date=today,
                             narrative=NARRATIVE, summary=SUMMARY)
    assert incident.mara_shareable and incident.status == "REPORTED"
    reference = incident.reference

    sign_in(page, live_server.url, "mara_chair")

    # The MARA home, from the main navigation.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="MARA", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/mara/")
    expect(page.get_by_role("heading", name="MARA working group", level=1)).to_be_visible()

    # The review queue, then the incident's month.
    page.get_by_role("link", name=re.compile(r"^Review queue")).click()
    expect(page).to_have_url(re.compile(r"/mara/review/$"))
    expect(page.get_by_role("heading", name="Verification review")).to_be_visible()
    month_filter = page.locator("form.filter-form", has=page.locator('input[name="month"]'))
    month_filter.locator('input[name="month"]').fill(month)
    month_filter.get_by_role("button", name="Show month").click()
    expect(page).to_have_url(re.compile(rf"/mara/review/\?month={month}$"))
    row = page.locator("table.list tbody tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_have_count(1)
    expect(row.locator('td[data-label="Status"]')).to_have_text("Reported")

    # The decision page: the de-identified record only.
    row.get_by_role("link", name=reference, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/mara/review/{re.escape(reference)}/$"))
    expect(page.locator("h1")).to_contain_text(reference)
    main = page.locator("main")
    expect(main).to_contain_text(SUMMARY)
    expect(main).not_to_contain_text(VICTIM_NAME)
    expect(main).not_to_contain_text(NARRATIVE)
    expect(main).not_to_contain_text("+000 555 0100")
    expect(page.get_by_text("No verification step recorded yet.")).to_be_visible()

    # Record the decision.
    page.locator('select[name="decision"]').select_option("VERIFIED")
    expect(page.locator('input[name="standard"]')).not_to_have_value("")
    page.locator('textarea[name="rationale"]').fill(RATIONALE)
    page.get_by_role("button", name="Record decision").click()

    expect(page).to_have_url(re.compile(rf"/mara/review/{re.escape(reference)}/$"))
    expect(page.locator(".messages")).to_contain_text(f"{reference} is now Verified.")
    expect(page.locator("h1 .status")).to_have_text("Verified")
    history = page.locator("section.card", has=page.get_by_role("heading", name="Verification history"))
    step = history.locator("tbody tr")
    expect(step).to_have_count(1)
    expect(step.locator('td[data-label="Who"]')).to_have_text("mara_chair")
    expect(step.locator('td[data-label="From"]')).to_have_text("Reported")
    expect(step.locator('td[data-label="To"]')).to_contain_text("Verified")
    expect(step.locator('td[data-label="Rationale"]')).to_have_text(RATIONALE)
    assert Incident.objects.get(pk=incident.pk).status == "VERIFIED"
    decisions = VerificationDecision.objects.filter(incident=incident)
    assert decisions.count() == 1
    decision = decisions.get()
    assert (decision.from_status, decision.to_status) == ("REPORTED", "VERIFIED")
    assert decision.rationale == RATIONALE
    assert decision.decided_by == users["MARA_CHAIR"]

    # The month's analysis, from the MARA home.
    nav.get_by_role("link", name="MARA", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/mara/")
    analysis_card = page.locator("section.card", has=page.locator("#analysis-title"))
    analysis_card.get_by_role("link", name=today.strftime("%B %Y")).click()
    expect(page).to_have_url(re.compile(rf"/mara/analysis/{month}/$"))
    expect(page.get_by_role("heading", name=f"Analysis of {today:%B %Y}", level=1)).to_be_visible()
    expect(page.locator("p.lead")).to_contain_text("Not started")
    for field, text in SECTIONS.items():
        page.locator(f'textarea[name="{field}"]').fill(text)
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".messages")).to_contain_text("Draft saved.")
    expect(page.locator("p.lead .status")).to_have_text("Draft")
    for field, text in SECTIONS.items():
        expect(page.locator(f'textarea[name="{field}"]')).to_have_value(text)
    expect(page.get_by_role("heading", name="Figures of the month, as of now")).to_be_visible()

    page.get_by_role("button", name="Endorse this analysis").click()
    expect(page.locator(".messages")).to_contain_text("Analysis endorsed. Its figures are frozen with the text.")
    expect(page.locator("p.lead .status")).to_have_text("Endorsed")
    expect(page.locator("p.lead")).to_contain_text("endorsed by mara_chair")
    expect(page.get_by_role("heading", name="Figures as endorsed")).to_be_visible()
    # The text is now read-only, shown beside the frozen figures.
    expect(page.locator("textarea")).to_have_count(1)  # only the chair's reopen reason
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    text = page.locator("dl.analysis-text")
    for section in SECTIONS.values():
        expect(text).to_contain_text(section)
    figures = page.locator("section.card", has=page.locator("#figures-title"))
    incidents_figure = figures.locator("dl.facts dt", has_text=re.compile(r"^Incidents$")).locator(
        "xpath=following-sibling::dd[1]")
    expect(incidents_figure).to_have_text(re.compile(r"^[1-9]\d*$"))

    analysis = MonthlyAnalysis.objects.get(mission=users["MARA_CHAIR"].mission, month=today.replace(day=1))
    assert analysis.status == AnalysisStatus.ENDORSED
    assert analysis.revision == 1
    assert analysis.endorsed_by == users["MARA_CHAIR"]
    assert analysis.patterns == SECTIONS["patterns"]
    assert analysis.figures_snapshot is not None
    assert analysis.figures_snapshot["month"] == month
    assert analysis.figures_snapshot["totals"]["incidents"] >= 1
    assert incidents_figure.inner_text().strip() == str(analysis.figures_snapshot["totals"]["incidents"])
    verified = {r["key"]: r["count"] for r in analysis.figures_snapshot["incidents_by"]["verification_status"]}
    assert verified.get("VERIFIED", 0) >= 1, verified

    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    assert not [e for e in console_errors if e.startswith("uncaught:")], console_errors
    print(f"e2e MARA chair flow took {time.monotonic() - started:.1f}s")

"""A WPA records an incident with the keyboard alone: Tab and Shift+Tab between controls, arrow keys in the
lists, Space for the boxes, typing in the fields, Enter to send; no mouse, nothing filled by script. Every
control shows where the focus is, and the skip link takes the keyboard past the menu."""

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents.choices import CrsvFormCode
from incidents.models import FormOfViolence, Incident
from tests.e2e import journeys

SUMMARY = "Two men stopped a woman on the road to the fields at dusk."
NARRATIVE = "Synthetic keyboard test: she was walking home when two armed men stopped her."

FOCUSED = "(selector) => document.activeElement && document.activeElement.matches(selector)"
# The focused control, its outline, and the outline's contrast with what it is drawn on (the nearest
# background behind the control): WCAG 2.1 1.4.11 asks 3:1 of a focus indicator.
FOCUS_RING = """() => { const el = document.activeElement, style = getComputedStyle(el);
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 :
      Math.pow((v + 0.055) / 1.055, 2.4); }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  let behind = el.parentElement, bg = 'rgb(255, 255, 255)';
  while (behind) { const c = getComputedStyle(behind).backgroundColor, p = rgb(c);
    if (p.length === 3 || (p.length === 4 && p[3] > 0)) { bg = c; break; } behind = behind.parentElement; }
  const [a, b] = [lum(rgb(style.outlineColor)), lum(rgb(bg))];
  return {tag: el.tagName + (el.name ? '[name=' + el.name + ']' : '') + (el.id ? '#' + el.id : '') +
               (el.getAttribute('value') !== null ? '[value=' + el.getAttribute('value') + ']' : ''),
          contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), color: style.outlineColor, behind: bg,
          style: style.outlineStyle,
          width: parseFloat(style.outlineWidth), visible: el.matches(':focus-visible')}; }"""


@pytest.fixture
def forms_of_violence(transactional_db):
    # Seeded by a data migration, which a previous transactional test's flush may have emptied.
    for code in CrsvFormCode.values:
        FormOfViolence.objects.get_or_create(code=code)


def assert_focus_shown(page, previous=None):
    """The focused control shows the focus ring; returns which control it is. A Tab that stays in the same
    control (from day to month in a date field) moves a highlight inside it instead, not checked here."""
    ring = page.evaluate(FOCUS_RING)
    if ring["tag"] != previous:
        assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2, f"no visible focus: {ring}"
        assert ring["contrast"] >= 3, f"focus ring too faint on its background: {ring}"
    return ring["tag"]


def tab_to(page, selector, *, backwards=False, limit=120):
    """Tab (or Shift+Tab) until `selector` has the focus, checking that each control shows it."""
    current = page.evaluate(FOCUS_RING)["tag"]
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        current = assert_focus_shown(page, current)
        if page.evaluate(FOCUSED, selector):
            return
    raise AssertionError(f"{selector} never got the focus from the keyboard")


def choose(page, selector, label):
    """Tab to a list and move to the option `label` with the arrow keys."""
    tab_to(page, selector)
    options = page.eval_on_selector(selector, "el => [...el.options].map(o => o.text.trim())")
    assert label in options, (selector, options)
    for _ in range(len(options)):
        current = page.eval_on_selector(selector, "el => el.options[el.selectedIndex].text.trim()")
        if current == label:
            return
        page.keyboard.press("ArrowDown" if options.index(label) > options.index(current) else "ArrowUp")
    raise AssertionError(f"the arrow keys never reached {label!r} in {selector}")


def type_into(page, selector, text):
    tab_to(page, selector)
    page.keyboard.type(text)


def date_order(page, selector):
    """The order in which this browser's date fields take day and month (it follows the browser's own
    language, not the page's): typed once into the field, which the next typing overwrites."""
    type_into(page, selector, "01022000")
    value = page.eval_on_selector(selector, "el => el.value")
    assert value in ("2000-02-01", "2000-01-02"), value
    # Back out of the field (Tab steps through its parts first), so the next Tab enters at its first part.
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        if not page.evaluate(FOCUSED, selector):
            break
    return "%d%m%Y" if value == "2000-02-01" else "%m%d%Y"


def type_date(page, selector, day, order):
    type_into(page, selector, day.strftime(order))
    assert page.eval_on_selector(selector, "el => el.value") == day.isoformat()


def tick(page, selector):
    tab_to(page, selector)
    page.keyboard.press("Space")
    assert page.eval_on_selector(selector, "el => el.checked"), selector


@pytest.mark.e2e
def test_a_wpa_records_an_incident_with_the_keyboard_only(live_server, chromium, users, gazetteer,
                                                          forms_of_violence):
    today = timezone.localdate()
    happened, reported, consented = (today - datetime.timedelta(days=n) for n in (12, 4, 3))
    context = journeys.open_context(chromium, live_server.url, users, "WPA", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/incidents/new/")
    expect(page.locator("h1")).to_have_text("Record an incident")

    # The first Tab reaches the skip link, shown when focused; it moves the keyboard into the page's content.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED, "a.skip"), page.evaluate("() => document.activeElement.outerHTML")
    assert_focus_shown(page)
    box = page.locator("a.skip").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0, box
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')"), \
        page.evaluate("() => document.activeElement.outerHTML")
    assert not page.evaluate("() => !!document.activeElement.closest('header')")

    choose(page, '[name="incident_date_precision"]', "Exact day")
    order = date_order(page, '[name="incident_date"]')
    type_date(page, '[name="incident_date"]', happened, order)
    type_date(page, '[name="reported_date"]', reported, order)
    choose(page, '[name="location"]', "Northmark / Ashdale")
    choose(page, '[name="site_type"]', "Field or farm")
    tick(page, '[name="forms"][value="RAPE"]')
    choose(page, '[name="conflict_nexus"]', "Perpetrator is a party or armed actor")

    choose(page, '[name="victims-0-sex"]', "Female")
    type_into(page, '[name="victims-0-age_years"]', "30")
    choose(page, '[name="victims-0-age_group"]', "25-39")
    tick(page, '[name="victims-0-consent_kinds"][value="RECORD"]')
    type_date(page, '[name="victims-0-consent_date"]', consented, order)
    choose(page, '[name="victims-0-consent_given_by"]', "The survivor")

    choose(page, '[name="perpetrators-0-party_type"]', "Non-state armed group")
    type_into(page, '[name="perpetrators-0-number"]', "2")
    choose(page, '[name="perpetrators-0-sex"]', "Male")

    choose(page, '[name="source_type"]', "Survivor interview")
    choose(page, '[name="source_sex"]', "Female")
    choose(page, '[name="source_reliability"]', "B - usually reliable")
    choose(page, '[name="source_credibility"]', "2 - probably true")
    type_into(page, '[name="summary"]', SUMMARY)
    type_into(page, '[name="narrative"]', NARRATIVE)
    # Back to the summary with Shift+Tab: it kept what was typed.
    tab_to(page, '[name="summary"]', backwards=True)
    assert page.eval_on_selector('[name="summary"]', "el => el.value") == SUMMARY

    tab_to(page, 'button[name="save"]')
    page.keyboard.press("Enter")
    # The skip link's #main stays on the address through the redirect to the new record.
    expect(page).to_have_url(re.compile(r"/incidents/[A-Z]+-\d{4}-\d{5}/(#main)?$"))
    expect(page.locator(".messages")).to_contain_text("recorded.")
    reference = urlparse(page.url).path.rstrip("/").rsplit("/", 1)[-1]
    context.close()

    incident = Incident.objects.get(reference=reference)
    assert incident.created_by == users["WPA"]
    assert incident.incident_date == happened and incident.reported_date == reported
    assert incident.location == gazetteer["north_a"]
    assert list(incident.forms.values_list("code", flat=True)) == ["RAPE"]
    assert incident.summary == SUMMARY and incident.narrative == NARRATIVE
    assert (incident.source_type, incident.source_reliability, incident.source_credibility) == (
        "SURVIVOR_INTERVIEW", "B", "2")
    victim = incident.victims.get()
    assert (victim.sex, victim.age_years, victim.age_group) == ("FEMALE", 30, "25-39")
    perpetrator = incident.perpetrators.get()
    assert (perpetrator.party_type, perpetrator.number, perpetrator.sex) == ("NON_STATE_ARMED_GROUP", 2, "MALE")

"""The whole intake form, filled the way a thumb does it (tap, then type or choose), and read back.

One list of (kind, input name, value) drives both: the phone test fills it and checks what was
saved, the draft-recovery test fills it and checks every value came back on another device.
Synthetic values only.
"""

import datetime

from django.utils import timezone


def iso(days_ago):
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


# kind: "select" (option value), "label" (option label), "text" (input or textarea), "check" (checkbox value).
WHEN_WHERE_WHAT = [
    ("select", "incident_date_precision", "DAY"),
    ("text", "incident_date", iso(12)),
    ("text", "reported_date", iso(4)),
    ("label", "location", "Northmark / Ashdale"),
    ("select", "site_type", "WATER_OR_FIREWOOD_POINT"),
    ("text", "coordinates", "0.0000, 0.0000 (synthetic)"),
    ("check", "forms", "RAPE"),
    ("check", "forms", "SEXUAL_TORTURE"),
]
NEXUS = ("select", "conflict_nexus", "PERPETRATOR_ARMED_ACTOR")
VICTIMS = [
    ("select", "victims-0-sex", "FEMALE"),
    ("text", "victims-0-age_years", "31"),
    ("select", "victims-0-age_group", "25-39"),
    ("select", "victims-0-displacement", "IDP"),
    ("select", "victims-0-disability", "NO"),
    ("text", "victims-0-name", "Synthetic Person Alpha"),
    ("text", "victims-0-contact", "Via the synthetic women's centre"),
    ("text", "victims-0-previously_interviewed_by", "Synthetic health partner"),
    ("check", "victims-0-consent_kinds", "RECORD"),
    ("check", "victims-0-consent_kinds", "SHARE_MARA"),
    ("check", "victims-0-consent_kinds", "REFER"),
    ("text", "victims-0-consent_date", iso(3)),
    ("select", "victims-0-consent_given_by", "SURVIVOR"),
    ("select", "victims-1-sex", "FEMALE"),
    ("text", "victims-1-age_years", "15"),
    ("select", "victims-1-age_group", "12-17"),
    ("select", "victims-1-displacement", "RESIDENT"),
    ("check", "victims-1-consent_kinds", "RECORD"),
    ("text", "victims-1-consent_date", iso(3)),
    ("select", "victims-1-consent_given_by", "CAREGIVER"),
    ("text", "victims-1-consent_decided_by", "Mother, as caregiver"),
]
PERPETRATORS_SOURCE_ACCOUNT = [
    ("label", "perpetrators-0-party", "Test Front"),
    ("text", "perpetrators-0-number", "3"),
    ("select", "perpetrators-0-sex", "MALE"),
    ("select", "source_type", "SURVIVOR_INTERVIEW"),
    ("select", "source_sex", "FEMALE"),
    ("select", "source_reliability", "B"),
    ("select", "source_credibility", "2"),
    ("check", "shared_under_isp", "on"),
    ("text", "summary", "Two civilians were attacked by armed men near a water point in Ashdale territory."),
    ("text", "narrative", "Synthetic phone-test narrative: two people stopped at dusk on the way back."),
]
EVERYTHING = WHEN_WHERE_WHAT + [NEXUS] + VICTIMS + PERPETRATORS_SOURCE_ACCOUNT


def control(page, kind, name, value):
    if kind == "check":
        return page.locator(f'input[name="{name}"][value="{value}"]') if name != "shared_under_isp" \
            else page.locator(f'input[name="{name}"]')
    return page.locator(f'[name="{name}"]')


def tap_in(page, kind, name, value):
    """Tap the control (for a checkbox, its label: the bigger target), then type or choose."""
    element = control(page, kind, name, value)
    if kind == "check":
        page.locator("label", has=element).tap()
        assert element.is_checked(), f"tapping the label did not tick {name}={value}"
        return
    element.tap()
    if kind == "select":
        element.select_option(value)
    elif kind == "label":
        element.select_option(label=value)
    else:
        element.fill(value)


def tap_in_all(page, values):
    for kind, name, value in values:
        tap_in(page, kind, name, value)


def shown_values(page, values):
    """What the form shows for each of `values`, in the same (kind, name, value) shape."""
    found = []
    for kind, name, value in values:
        element = control(page, kind, name, value)
        if kind == "check":
            found.append((kind, name, value if element.is_checked() else "(unticked)"))
        elif kind == "label":
            found.append((kind, name, element.evaluate("el => el.selectedOptions[0].textContent.trim()")))
        else:
            found.append((kind, name, element.input_value()))
    return found


def assert_saved(incident, party):
    """The incident holds every value of EVERYTHING (encrypted fields read back through the model)."""
    assert incident.incident_date_precision == "DAY"
    assert incident.incident_date.isoformat() == iso(12) and incident.reported_date.isoformat() == iso(4)
    assert incident.location.name == "Ashdale" and incident.site_type == "WATER_OR_FIREWOOD_POINT"
    assert incident.coordinates == "0.0000, 0.0000 (synthetic)"
    assert sorted(incident.forms.values_list("code", flat=True)) == ["RAPE", "SEXUAL_TORTURE"]
    assert incident.conflict_nexus == "PERPETRATOR_ARMED_ACTOR"
    assert (incident.source_type, incident.source_sex, incident.source_reliability, incident.source_credibility) == (
        "SURVIVOR_INTERVIEW", "FEMALE", "B", "2")
    assert incident.shared_under_isp is True
    assert incident.summary.startswith("Two civilians were attacked")
    assert incident.narrative.startswith("Synthetic phone")
    adult, child = incident.victims.order_by("age_years").reverse()
    assert (adult.sex, adult.age_years, adult.age_group, adult.displacement, adult.disability) == (
        "FEMALE", 31, "25-39", "IDP", "NO")
    assert (adult.name, adult.contact, adult.previously_interviewed_by) == (
        "Synthetic Person Alpha", "Via the synthetic women's centre", "Synthetic health partner")
    given = {c.kind for c in adult.consents.all() if c.given}
    assert given == {"RECORD", "SHARE_MARA", "REFER"}, given
    assert all(c.date.isoformat() == iso(3) for c in adult.consents.filter(given=True))
    assert (child.sex, child.age_years, child.age_group, child.displacement) == ("FEMALE", 15, "12-17", "RESIDENT")
    consent = child.consents.get(kind="RECORD", given=True)
    assert (consent.given_by, consent.decided_by) == ("CAREGIVER", "Mother, as caregiver")
    perpetrator = incident.perpetrators.get()
    assert (perpetrator.party, perpetrator.number, perpetrator.sex) == (party, 3, "MALE")

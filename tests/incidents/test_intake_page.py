"""The intake page as a WPA, a field reporter and the roles that cannot record use it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.choices import ConsentKind
from incidents.models import Consent, Incident, Perpetrator, Victim
from tests.intake_page_values import page_values

NEW_URL = "/incidents/new/"
SUMMARY = "One woman reported an attack by armed men in Ashdale territory."
NARRATIVE = "Synthetic narrative Zephyrine: stopped on the road at dusk by three armed men."
VICTIM_CODE = re.compile(r"^SV-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$")
GIVEN = ["RECORD", "SHARE_MARA", "REFER", "FOLLOW_UP"]


def iso(day):
    return day.isoformat()


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def victim_row(**overrides):
    row = {
        "id": "", "sex": "FEMALE", "age_years": "30", "age_group": "25-39", "displacement": "IDP",
        "disability": "NO", "name": "Testname Alpha", "contact": "+000 555 0100", "previously_interviewed_by": "",
        "consent_kinds": list(GIVEN), "consent_date": iso(days_ago(2)), "consent_given_by": "SURVIVOR",
        "consent_decided_by": "",
    }
    row.update(overrides)
    return row


# What a browser sends for a victim or perpetrator block nobody touched.
BLANK_VICTIM = {key: "" for key in victim_row() if key != "consent_kinds"}
BLANK_PERPETRATOR = {"party": "", "party_type": "", "number": "", "sex": ""}


def formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "1", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value != []:
                data[f"{prefix}-{i}-{key}"] = value
    return data


def intake_post(station, location, party, victims=None, perpetrators=None, **overrides):
    data = {
        "duty_station": str(station.pk), "incident_date_precision": "DAY", "incident_date": iso(days_ago(10)),
        "incident_date_end": "", "reported_date": iso(days_ago(3)), "location": str(location.pk),
        "site_type": "FIELD_OR_FARM", "coordinates": "1.2345,2.3456", "forms": ["RAPE", "SEXUAL_TORTURE"],
        "conflict_nexus": "PERPETRATOR_ARMED_ACTOR", "source_type": "SURVIVOR_INTERVIEW", "source_sex": "FEMALE",
        "source_reliability": "B", "source_credibility": "2", "summary": SUMMARY, "narrative": NARRATIVE,
    }
    data.update(overrides)
    data.update(formset("victims", victims if victims is not None else [victim_row()]))
    data.update(formset("perpetrators", perpetrators if perpetrators is not None else [
        {"party": str(party.pk), "party_type": "", "number": "2", "sex": "MALE"}]))
    return data


@pytest.fixture
def wpa(users, login):
    login(users["WPA"])
    return users["WPA"]


def test_wpa_records_incident_with_two_victims(client, wpa, stations, gazetteer, party):
    second = victim_row(sex="MALE", age_years="16", age_group="12-17", name="Testname Beta", contact="",
                        consent_kinds=["RECORD", "SHARE_MARA"], consent_date=iso(days_ago(1)),
                        consent_given_by="CAREGIVER", consent_decided_by="Uncle, legal guardian")
    data = intake_post(stations["north"], gazetteer["hamlet"], party, victims=[victim_row(), second])

    response = client.post(NEW_URL, data)

    incident = Incident.objects.get()
    assert incident.reference == f"DEMO-{days_ago(3).year}-00001"
    assert response.status_code == 302
    assert response["Location"] == reverse("incident_detail", args=[incident.reference])
    assert incident.created_by == wpa
    assert incident.narrative == NARRATIVE and incident.summary == SUMMARY
    assert set(incident.forms.values_list("code", flat=True)) == {"RAPE", "SEXUAL_TORTURE"}
    first_victim, second_victim = incident.victims.order_by("id")
    for victim in (first_victim, second_victim):
        assert VICTIM_CODE.match(victim.code), victim.code
    assert first_victim.code != second_victim.code
    assert (first_victim.name, first_victim.victim_group) == ("Testname Alpha", "WOMEN")
    assert (second_victim.name, second_victim.victim_group) == ("Testname Beta", "BOYS")

    # One consent row per use, given or refused, each with its date and who took it.
    for victim, given, date, given_by in (
        (first_victim, set(GIVEN), days_ago(2), "SURVIVOR"),
        (second_victim, {"RECORD", "SHARE_MARA"}, days_ago(1), "CAREGIVER"),
    ):
        consents = {c.kind: c for c in victim.consents.all()}
        assert set(consents) == set(ConsentKind.values)
        assert {kind for kind, c in consents.items() if c.active} == given
        assert all(c.date == date and c.taken_by == wpa and c.given_by == given_by for c in consents.values())
    assert second_victim.consents.get(kind="RECORD").decided_by == "Uncle, legal guardian"
    perpetrator = Perpetrator.objects.get()
    assert (perpetrator.party, perpetrator.party_type) == (party, "NON_STATE_ARMED_GROUP")

    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert first_victim.code in detail.content.decode() and second_victim.code in detail.content.decode()


def test_untouched_extra_blocks_are_ignored(client, wpa, stations, gazetteer, party):
    page = client.get(NEW_URL)
    data = page_values(page)
    # The empty page already offers a second victim block and a second perpetrator block.
    assert data["victims-TOTAL_FORMS"] == ["2"] and data["perpetrators-TOTAL_FORMS"] == ["2"]
    filled = intake_post(stations["north"], gazetteer["hamlet"], party)
    data.update({k: v for k, v in filled.items() if not k.endswith("_FORMS")})

    response = client.post(NEW_URL, data)

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert [v.name for v in incident.victims.all()] == ["Testname Alpha"]
    assert incident.perpetrators.count() == 1


def test_add_victim_adds_a_block_keeps_values_and_stores_nothing(client, wpa, stations, gazetteer, party):
    data = intake_post(stations["north"], gazetteer["hamlet"], party, victims=[victim_row(), BLANK_VICTIM])
    data["add_victim"] = "1"

    response = client.post(NEW_URL, data)

    assert response.status_code == 200
    values = page_values(response)
    assert values["victims-TOTAL_FORMS"] == ["3"]
    assert "victims-2-sex" in values and values["victims-2-name"] == [""]
    assert values["victims-0-name"] == ["Testname Alpha"]
    assert values["victims-0-age_years"] == ["30"]
    assert sorted(values["victims-0-consent_kinds"]) == sorted(GIVEN)
    assert values["summary"] == [SUMMARY] and values["narrative"] == [NARRATIVE]
    assert values["forms"] == ["RAPE", "SEXUAL_TORTURE"]
    assert (Incident.objects.count(), Victim.objects.count(), Consent.objects.count()) == (0, 0, 0)


def test_field_reporter_gets_only_the_reference(client, users, login, stations, gazetteer, party):
    login(users["FIELD_REPORTER"])

    response = client.post(NEW_URL, intake_post(stations["north"], gazetteer["hamlet"], party))

    incident = Incident.objects.get()
    assert response.status_code == 200
    html = response.content.decode()
    assert incident.reference in html
    for secret in (NARRATIVE, "Zephyrine", "Testname", "+000 555 0100", SUMMARY, "1.2345,2.3456", "Quillby"):
        assert secret not in html
    assert incident.created_by == users["FIELD_REPORTER"]
    assert incident.victims.count() == 1
    # Nor can they read it back afterwards.
    assert client.get(reverse("incident_detail", args=[incident.reference])).status_code == 404


@pytest.mark.parametrize("role", ["MARA_MEMBER", "LEADERSHIP", "ADMIN", "AUDITOR", "REFERRAL_FOCAL_POINT"])
def test_roles_that_cannot_record_are_refused(client, users, login, stations, gazetteer, party, role):
    login(users[role])

    assert client.get(NEW_URL).status_code == 403
    assert client.post(NEW_URL, intake_post(stations["north"], gazetteer["hamlet"], party)).status_code == 403
    assert Incident.objects.count() == 0 and Victim.objects.count() == 0


@pytest.mark.parametrize("role", ["WPA", "HRO", "SWPA", "FIELD_REPORTER"])
def test_roles_that_record_get_the_page(client, users, login, role):
    login(users[role])

    assert client.get(NEW_URL).status_code == 200


def test_form_page_shows_guidance_under_fields(client, wpa):
    html = client.get(NEW_URL).content.decode()

    for field_id, help_text in (
        ("id_conflict_nexus", "Required. Why this is linked to the conflict; without a nexus it is not CRSV."),
        ("id_victims-0-sex", "Required. Choose Unknown if it is not known; never assume."),
        ("id_perpetrators-0-party_type", "Required when no party is chosen. Unknown is allowed."),
        ("id_summary", "Two or three sentences the MARA reads instead of the narrative"),
    ):
        field_at = html.index(f'id="{field_id}"')
        help_at = html.index(f'<p class="help" id="{field_id}_helptext">')
        assert field_at < help_at < field_at + 3000
        assert help_text in html[help_at:].split("</p>", 1)[0]


def test_date_range_is_stored_with_its_end(client, wpa, stations, gazetteer, party):
    data = intake_post(stations["north"], gazetteer["hamlet"], party, incident_date_precision="RANGE",
                       incident_date=iso(days_ago(90)), incident_date_end=iso(days_ago(30)))

    response = client.post(NEW_URL, data)

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.incident_date_precision == "RANGE"
    assert (incident.incident_date, incident.incident_date_end) == (days_ago(90), days_ago(30))
    detail = client.get(response["Location"]).content.decode()
    assert f"{iso(days_ago(90))} – {iso(days_ago(30))}" in detail


def test_edit_page_shows_existing_victims_prefilled(client, wpa, make_incident):
    incident = make_incident(victims=[
        {"sex": "FEMALE", "age_years": 30, "age_group": "25-39", "displacement": "IDP", "disability": "NO",
         "name": "Testname Alpha", "contact": "+000 555 0100", "previously_interviewed_by": "MSF clinic",
         "consent_kinds": ["RECORD", "SHARE_MARA"], "consent_date": days_ago(4), "consent_given_by": "SURVIVOR",
         "consent_decided_by": ""},
        {"sex": "MALE", "age_years": None, "age_group": "40-59", "displacement": "RESIDENT", "disability": "YES",
         "name": "Testname Beta", "contact": "", "previously_interviewed_by": "",
         "consent_kinds": ["RECORD"], "consent_date": days_ago(5), "consent_given_by": "SURVIVOR",
         "consent_decided_by": ""},
    ])
    first, second = incident.victims.order_by("id")

    response = client.get(reverse("incident_edit", args=[incident.reference]))

    assert response.status_code == 200
    values = page_values(response)
    assert values["victims-INITIAL_FORMS"] == ["2"]
    assert values["version"] == ["1"]
    assert values["summary"] == [incident.summary]
    assert values["victims-0-id"] == [str(first.pk)] and values["victims-1-id"] == [str(second.pk)]
    assert values["victims-0-name"] == ["Testname Alpha"] and values["victims-1-name"] == ["Testname Beta"]
    assert values["victims-0-sex"] == ["FEMALE"] and values["victims-1-sex"] == ["MALE"]
    assert values["victims-0-age_years"] == ["30"] and values["victims-1-age_group"] == ["40-59"]
    assert values["victims-0-previously_interviewed_by"] == ["MSF clinic"]
    assert sorted(values["victims-0-consent_kinds"]) == ["RECORD", "SHARE_MARA"]
    assert values["victims-1-consent_kinds"] == ["RECORD"]
    assert values["victims-0-consent_date"] == [iso(days_ago(4))]
    assert values["perpetrators-0-sex"] == ["MALE"]


def test_edit_via_the_page_saves_and_bumps_version(client, wpa, make_incident):
    incident = make_incident()
    codes = list(incident.victims.values_list("code", flat=True))
    url = reverse("incident_edit", args=[incident.reference])
    data = page_values(client.get(url))
    data["summary"] = "Updated summary: one woman, attack by armed men, Ashdale territory."
    data["victims-0-age_years"] = "31"
    data["victims-0-consent_kinds"] = ["RECORD", "SHARE_MARA", "REFER"]  # FOLLOW_UP withdrawn

    response = client.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("incident_detail", args=[incident.reference])
    incident.refresh_from_db()
    assert incident.version == 2
    assert incident.summary == "Updated summary: one woman, attack by armed men, Ashdale territory."
    assert incident.narrative == "Synthetic narrative text for tests only."
    victim = incident.victims.get()
    assert [victim.code] == codes and victim.age_years == 31
    follow_up = victim.consents.get(kind="FOLLOW_UP")
    assert follow_up.given and follow_up.withdrawn_at == timezone.localdate()
    assert incident.perpetrators.count() == 1

    # The page now carries the new version, so a second edit from a fresh load also works.
    again = page_values(client.get(url))
    assert again["version"] == ["2"]
    assert client.post(url, again).status_code == 302
    incident.refresh_from_db()
    assert incident.version == 3

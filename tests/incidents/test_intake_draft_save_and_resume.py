"""An intake draft is saved as the officer types, resumed with every input back, and gone once submitted."""

import pytest
from django.urls import reverse

from crsv_mis.models import AuditEvent
from incidents.models import Incident, IntakeDraft
from tests.incidents.test_intake_page import NARRATIVE, NEW_URL, intake_post, victim_row
from tests.intake_page_values import page_values

SAVE_URL = reverse("intake_draft_save")
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def wpa(users, login):
    login(users["WPA"])
    return users["WPA"]


@pytest.fixture
def typed(stations, gazetteer, party):
    """A whole intake form with two victims (the second a child, consent by a caregiver)."""
    child = victim_row(sex="MALE", age_years="15", age_group="12-17", name="Testname Beta", contact="",
                       consent_kinds=["RECORD"], consent_given_by="CAREGIVER", consent_decided_by="Aunt")
    return intake_post(stations["north"], gazetteer["hamlet"], party, victims=[victim_row(), child])


def test_it_saves_the_typed_form_as_a_draft_of_the_officer(client, wpa, stations, typed):
    response = client.post(SAVE_URL, typed, **JSON)

    assert response.status_code == 200
    draft = IntakeDraft.objects.get()
    assert response.json()["id"] == draft.pk and response.json()["version"] == 1
    assert response.json()["message"].startswith("Draft saved ")
    assert (draft.owner, draft.mission, draft.duty_station) == (wpa, wpa.mission, stations["north"])


def test_it_replaces_the_draft_on_each_save_and_raises_its_version(client, wpa, typed):
    first = client.post(SAVE_URL, typed, **JSON).json()
    typed.update({"draft": first["id"], "draft_version": first["version"], "narrative": NARRATIVE + " More."})

    second = client.post(SAVE_URL, typed, **JSON).json()

    assert (second["id"], second["version"]) == (first["id"], 2)
    assert IntakeDraft.objects.count() == 1
    resumed = page_values(client.get(f"{NEW_URL}?draft={first['id']}"))
    assert resumed["narrative"] == [NARRATIVE + " More."]


def test_it_keeps_a_stale_copy_as_a_new_draft_instead_of_overwriting_a_newer_save(client, wpa, typed):
    first = client.post(SAVE_URL, typed, **JSON).json()
    client.post(SAVE_URL, {**typed, "draft": first["id"], "draft_version": 1, "summary": "From the laptop."}, **JSON)

    stale = client.post(SAVE_URL, {**typed, "draft": first["id"], "draft_version": 1, "summary": "From the phone."},
                        **JSON)

    assert stale.status_code == 200 and stale.json()["id"] != first["id"]
    assert "new draft" in stale.json()["message"]
    summaries = {page_values(client.get(f"{NEW_URL}?draft={d.pk}"))["summary"][0]
                 for d in IntakeDraft.objects.all()}
    assert summaries == {"From the laptop.", "From the phone."}


def test_it_repopulates_every_field_of_the_form_and_both_formsets_on_resume(client, wpa, typed):
    draft_id = client.post(SAVE_URL, typed, **JSON).json()["id"]

    resumed = page_values(client.get(f"{NEW_URL}?draft={draft_id}"))

    for name, value in typed.items():
        if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS")) or value in ("", []):
            continue
        expected = value if isinstance(value, list) else [str(value)]
        assert resumed.get(name) == expected, name
    assert resumed["draft"] == [str(draft_id)]


def test_the_save_draft_button_works_without_javascript(client, wpa, typed):
    response = client.post(SAVE_URL, {**typed, "save_draft": "1"})

    draft = IntakeDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{NEW_URL}?draft={draft.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Draft saved " in page and NARRATIVE in page


def test_submitting_the_incident_deletes_its_draft(client, wpa, typed):
    draft_id = client.post(SAVE_URL, typed, **JSON).json()["id"]

    response = client.post(NEW_URL, {**typed, "draft": draft_id, "draft_version": 1})

    incident = Incident.objects.get()
    assert response.status_code == 302 and incident.narrative == NARRATIVE
    assert not IntakeDraft.objects.exists()
    assert AuditEvent.objects.filter(action="intake_draft.submitted", object_id=str(draft_id)).exists()


def test_a_failed_submission_keeps_the_draft(client, wpa, typed):
    draft_id = client.post(SAVE_URL, typed, **JSON).json()["id"]

    response = client.post(NEW_URL, {**typed, "draft": draft_id, "draft_version": 1, "conflict_nexus": ""})

    assert response.status_code == 400
    assert IntakeDraft.objects.filter(pk=draft_id).exists() and not Incident.objects.exists()
    assert f'name="draft" value="{draft_id}"' in response.content.decode()


def test_a_save_after_submission_does_not_bring_the_draft_back(client, wpa, typed):
    draft_id = client.post(SAVE_URL, typed, **JSON).json()["id"]
    client.post(NEW_URL, {**typed, "draft": draft_id, "draft_version": 1})

    late = client.post(SAVE_URL, {**typed, "draft": draft_id, "draft_version": 1}, **JSON)

    assert late.status_code == 410 and not IntakeDraft.objects.exists()


def test_discarding_asks_for_confirmation_then_deletes_the_draft(client, wpa, typed):
    draft_id = client.post(SAVE_URL, typed, **JSON).json()["id"]
    url = reverse("intake_draft_discard", args=[draft_id])

    confirm = client.get(url)
    assert confirm.status_code == 200 and "Discard this draft?" in confirm.content.decode()
    assert IntakeDraft.objects.filter(pk=draft_id).exists()

    response = client.post(url)

    assert response.status_code == 302 and not IntakeDraft.objects.exists()


def test_naming_un_personnel_keeps_no_draft(client, wpa, typed):
    draft_id = client.post(SAVE_URL, typed, **JSON).json()["id"]
    typed.update({"draft": draft_id, "draft_version": 1, "perpetrators-0-party": "",
                  "perpetrators-0-party_type": "UN_PERSONNEL"})

    response = client.post(SAVE_URL, typed, **JSON)

    assert response.status_code == 409 and "Conduct and Discipline" in response.json()["message"]
    assert not IntakeDraft.objects.exists()


def test_the_audit_trail_records_create_resume_and_discard_without_the_content(client, wpa, typed):
    draft_id = client.post(SAVE_URL, typed, **JSON).json()["id"]
    client.get(f"{NEW_URL}?draft={draft_id}")
    client.post(reverse("intake_draft_discard", args=[draft_id]))

    events = AuditEvent.objects.filter(object_type="incidents.intakedraft", object_id=str(draft_id))
    assert list(events.values_list("action", flat=True)) == [
        "intake_draft.create", "intake_draft.resume", "intake_draft.discard"]
    for event in events:
        assert event.user == wpa
        assert NARRATIVE not in str(event.detail) and "Testname" not in str(event.detail)


def test_my_drafts_lists_the_officers_drafts_with_resume_and_discard(client, wpa, typed):
    draft_id = client.post(SAVE_URL, typed, **JSON).json()["id"]

    page = client.get(reverse("intake_drafts")).content.decode()

    assert f"{NEW_URL}?draft={draft_id}" in page
    assert reverse("intake_draft_discard", args=[draft_id]) in page
    assert "North office" in page and NARRATIVE not in page and "Testname" not in page

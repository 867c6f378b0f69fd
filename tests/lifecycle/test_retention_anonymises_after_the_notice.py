"""A record past retention is listed first; only after it has been listed for the notice period is it
anonymised: identifying fields and narrative destroyed in the database itself, the de-identified
fields kept, and the incident page says so."""

import pytest

from crsv_mis.models import AuditEvent
from incidents.models import Alert, Consent, Incident, Victim
from lifecycle.models import Anonymisation, PlanEntry
from referrals.models import FollowUp, Referral, ReferralStatusChange
from tests.lifecycle.retention_fixtures import NAMES, NARRATIVE, NOTICE_LATER, later, raw_row, run_on

pytestmark = pytest.mark.django_db


def test_a_record_past_retention_is_first_only_listed(case, mission, users, login):
    first = run_on(mission, later())

    incident = Incident.objects.get(pk=case["incident"].pk)
    assert incident.narrative == NARRATIVE
    assert sorted(incident.victims.values_list("name", flat=True)) == sorted(NAMES)
    assert first.counts["incidents"]["new"] == 1 and first.counts["incidents"]["anonymised"] == 0
    assert PlanEntry.objects.filter(record_class="incidents", object_id=incident.pk).exists()
    assert not Anonymisation.objects.exists()

    page = login(users["SWPA"]).get("/retention/")
    assert incident.reference in page.content.decode()


def test_a_pass_before_the_notice_ends_destroys_nothing(case, mission):
    run_on(mission, later())
    second = run_on(mission, later(NOTICE_LATER / 2))

    assert second.counts["incidents"]["anonymised"] == 0
    assert Incident.objects.get(pk=case["incident"].pk).narrative == NARRATIVE


def test_after_the_notice_the_identifying_fields_are_gone_from_the_database(case, mission, gazetteer):
    incident = case["incident"]
    old_codes = set(incident.victims.values_list("code", flat=True))
    run_on(mission, later())
    done = run_on(mission, later(NOTICE_LATER))

    assert done.counts["incidents"]["anonymised"] == 1
    assert done.counts["referrals"]["anonymised"] == 1
    assert done.counts["alerts"]["anonymised"] == 1
    # The raw columns, not the model: nothing left to decrypt.
    assert raw_row("incidents_incident", incident.pk, "narrative", "coordinates", "summary") == ("", "", "")
    for victim in Victim.objects.filter(incident=incident):
        assert raw_row("incidents_victim", victim.pk, "name", "contact", "previously_interviewed_by") == ("", "", "")
    assert all(raw_row("incidents_consent", c.pk, "decided_by") == ("",)
               for c in Consent.objects.filter(victim__incident=incident))
    referral = case["referral"]
    assert raw_row("referrals_referral", referral.pk, "note", "consent_decided_by") == ("", "")
    assert set(FollowUp.objects.filter(referral=referral).values_list("note", "outcome")) == {("", "")}
    assert set(ReferralStatusChange.objects.filter(referral=referral).values_list("reason", flat=True)) == {""}
    alert = Alert.objects.get(pk=case["alert"].pk)
    assert raw_row("incidents_alert", alert.pk, "description") == ("",)
    assert set(alert.responses.values_list("outcome", flat=True)) == {""}

    # De-identified fields stay: the territory (not the locality), dates, codes, status, groups.
    stored = Incident.objects.get(pk=incident.pk)
    assert stored.location == gazetteer["north_a"] and stored.admin2 == gazetteer["north_a"]
    assert stored.admin1 == gazetteer["north"] and alert.location == gazetteer["north_a"]
    assert (stored.incident_date, stored.status, stored.victim_count) == (
        incident.incident_date, incident.status, incident.victim_count)
    assert sorted(stored.victims.values_list("sex", "age_years", "age_group", "victim_group")) == [
        ("FEMALE", None, "12-17", "GIRLS"), ("FEMALE", None, "25-39", "WOMEN")]
    assert set(stored.forms.values_list("code", flat=True)) == {"RAPE"}
    assert Referral.objects.get(pk=referral.pk).status == "LOST_TO_FOLLOW_UP"
    # The pseudonymous codes are drawn again: notes kept elsewhere under the old ones lead nowhere.
    assert not old_codes & set(stored.victims.values_list("code", flat=True))
    assert not PlanEntry.objects.exists()


def test_each_anonymised_record_is_audited_on_the_record(case, mission):
    run_on(mission, later())
    done = run_on(mission, later(NOTICE_LATER))

    events = AuditEvent.objects.filter(action="retention.anonymise")
    assert sorted(events.values_list("object_type", flat=True)) == [
        "incidents.alert", "incidents.incident", "referrals.referral"]
    incident_event = events.get(object_type="incidents.incident")
    assert incident_event.object_ref == case["incident"].reference
    assert incident_event.detail == {"class": "incidents", "run": done.pk, "victims": 2}
    assert AuditEvent.objects.filter(action="retention.run", object_id=str(done.pk)).exists()


def test_the_incident_page_says_the_record_was_anonymised(case, mission, users, login):
    run_on(mission, later())
    run_on(mission, later(NOTICE_LATER))

    page = login(users["WPA"]).get(f"/incidents/{case['incident'].reference}/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "Anonymised on" in body
    assert NAMES[0] not in body and NARRATIVE not in body and "Quillby" not in body

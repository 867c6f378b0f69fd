"""A legal hold set by the SWPA on an incident keeps it, its victims, their referrals and its alerts
whole however old; lifting it puts them back on the plan for a full notice period, after which they
are anonymised. Setting and lifting are audited and shown on the incident page."""

import pytest

from crsv_mis.models import AuditEvent
from incidents.models import Alert, Incident
from lifecycle.models import Anonymisation, LegalHold, PlanEntry
from referrals.models import Referral
from tests.lifecycle.retention_fixtures import NARRATIVE, NOTICE_LATER, later, raw_row, run_on

pytestmark = pytest.mark.django_db
CASE_REFERENCE = "Synthetic court case TL-0001"


def set_hold(client, incident, reason=CASE_REFERENCE):
    return client.post("/retention/holds/", {"reference": incident.reference, "reason": reason})


def test_a_held_case_is_never_anonymised(case, mission, users, login):
    client = login(users["SWPA"])
    run_on(mission, later())
    assert PlanEntry.objects.filter(object_id=case["incident"].pk, record_class="incidents").exists()

    assert set_hold(client, case["incident"]).status_code == 302
    # Off the plan at once, and not listed again while held.
    assert not PlanEntry.objects.exists()
    done = run_on(mission, later(NOTICE_LATER * 10))

    assert done.counts["incidents"]["held"] == 1 and done.counts["incidents"]["anonymised"] == 0
    assert done.counts["referrals"]["anonymised"] == 0 and done.counts["alerts"]["anonymised"] == 0
    assert Incident.objects.get(pk=case["incident"].pk).narrative == NARRATIVE
    assert Referral.objects.get(pk=case["referral"].pk).note
    assert Alert.objects.get(pk=case["alert"].pk).description
    assert not Anonymisation.objects.exists()


def test_lifting_the_hold_gives_a_full_notice_then_allows_anonymisation(case, mission, users, login):
    client = login(users["SWPA"])
    set_hold(client, case["incident"])
    hold = LegalHold.objects.get()

    assert client.post(f"/retention/holds/{hold.pk}/lift/", {"reason": "Synthetic case closed"}).status_code == 302
    # Lifted today: the SWPA gets a whole notice period from now before anything goes.
    first = run_on(mission, later())
    assert first.counts["incidents"]["due"] == 1
    second = run_on(mission, later(NOTICE_LATER))
    assert second.counts["incidents"]["anonymised"] == 1
    assert second.counts["referrals"]["anonymised"] == 1 and second.counts["alerts"]["anonymised"] == 1
    assert Incident.objects.get(pk=case["incident"].pk).narrative == ""


def test_a_hold_just_lifted_waits_for_a_new_notice(case, mission, users, login):
    client = login(users["SWPA"])
    run_on(mission, later())  # listed...
    set_hold(client, case["incident"])  # ...then held, which takes it off the plan
    client.post(f"/retention/holds/{LegalHold.objects.get().pk}/lift/", {"reason": "Synthetic case closed"})
    run_on(mission, later())  # listed again from here
    assert run_on(mission, later(NOTICE_LATER / 2)).counts["incidents"]["anonymised"] == 0
    assert run_on(mission, later(NOTICE_LATER * 2)).counts["incidents"]["anonymised"] == 1


def test_setting_and_lifting_are_audited_without_the_case_reference_in_clear(case, users, login):
    client = login(users["SWPA"])
    set_hold(client, case["incident"])
    hold = LegalHold.objects.get()
    client.post(f"/retention/holds/{hold.pk}/lift/", {"reason": "Synthetic case closed"})

    events = AuditEvent.objects.filter(object_type="incidents.incident", object_id=str(case["incident"].pk))
    assert list(events.filter(action__startswith="retention.").values_list("action", "username")) == [
        ("retention.hold", "swpa"), ("retention.lift_hold", "swpa")]
    assert all(CASE_REFERENCE not in f"{e.reason}{e.detail}" for e in AuditEvent.objects.all())
    assert raw_row("lifecycle_legalhold", hold.pk, "reason")[0].startswith("enc:")


def test_the_incident_page_shows_the_hold(case, users, login):
    set_hold(login(users["SWPA"]), case["incident"])

    swpa_page = login(users["SWPA"]).get(f"/incidents/{case['incident'].reference}/").content.decode()
    wpa_page = login(users["WPA"]).get(f"/incidents/{case['incident'].reference}/").content.decode()

    assert "On legal hold" in swpa_page and CASE_REFERENCE in swpa_page
    assert "On legal hold" in wpa_page and CASE_REFERENCE not in wpa_page


def test_a_hold_needs_a_known_reference_and_a_reason(case, users, login):
    client = login(users["SWPA"])

    unknown = client.post("/retention/holds/", {"reference": "DEMO-1999-99999", "reason": CASE_REFERENCE})
    no_reason = client.post("/retention/holds/", {"reference": case["incident"].reference, "reason": "  "})

    assert unknown.status_code == 400 and "No incident of this mission has that reference." in unknown.content.decode()
    assert no_reason.status_code == 400 and "Give the reason for the hold" in no_reason.content.decode()
    assert not LegalHold.objects.exists()


def test_an_incident_cannot_be_held_twice(case, users, login):
    client = login(users["SWPA"])
    set_hold(client, case["incident"])

    again = set_hold(client, case["incident"])

    assert again.status_code == 400 and "already on hold" in again.content.decode()
    assert LegalHold.objects.count() == 1

"""Verification decisions: who may record them, which steps are allowed, and the history they leave.

The rules (docs/domain.md "Two lanes", the MARA working-group issue):

- The MARA chair records decisions; a MARA member only while the chair's designation stands.
  Officers (WPA, HRO), the SWPA and leadership never do, and nobody decides an incident they logged.
- Allowed steps: REPORTED -> UNDER_VERIFICATION, and REPORTED or UNDER_VERIFICATION -> VERIFIED,
  NOT_VERIFIED or DISCARDED. A decided incident moves only to another outcome, with a new rationale;
  the revision is a new row pointing at the decision it revises. History rows never change.
- Every step states the standard of proof (default from settings) and a non-blank rationale,
  bumps the incident's version (a stale version is refused) and writes an audit event that
  never holds the rationale.
"""

import threading

import pytest
from django.db import connection

from crsv_mis.models import AuditEvent, Mission, Role
from incidents.models import Incident
from mara.models import VerificationDecision, VerifierDesignation
from mara.services import verification
from tests.conftest import make_user, victim_data

RATIONALE = "Two independent sources corroborate the account; the pattern matches earlier reports."


@pytest.fixture
def incident(make_incident):
    # Logged by the WPA, every victim consented to sharing with the MARA: the review can see it.
    return make_incident()


def decide(incident, user, decision="VERIFIED", rationale=RATIONALE, **kwargs):
    return verification.decide_verification(incident, by=user, decision=decision, rationale=rationale, **kwargs)


def stored(incident):
    return Incident.objects.get(pk=incident.pk)


def test_the_chair_records_a_decision_with_its_standard_and_rationale(incident, users):
    step = decide(incident, users["MARA_CHAIR"], standard="Balance of probabilities")

    row = stored(incident)
    assert (row.status, row.version) == ("VERIFIED", 2)
    assert (step.from_status, step.to_status) == ("REPORTED", "VERIFIED")
    assert step.standard == "Balance of probabilities"
    assert step.rationale == RATIONALE
    assert step.decided_by == users["MARA_CHAIR"]
    assert step.revises is None


def test_the_standard_defaults_to_the_configured_one(incident, users, settings):
    settings.VERIFICATION_STANDARD = "Reasonable grounds to believe (mission SOP)"

    step = decide(incident, users["MARA_CHAIR"], standard="  ")

    assert step.standard == "Reasonable grounds to believe (mission SOP)"


def test_a_member_designated_by_the_chair_can_verify(incident, users):
    verification.designate_verifier(chair=users["MARA_CHAIR"], member=users["MARA_MEMBER"])

    assert verification.can_verify(users["MARA_MEMBER"], incident)
    decide(incident, users["MARA_MEMBER"], decision="NOT_VERIFIED")
    assert stored(incident).status == "NOT_VERIFIED"


def test_a_member_without_a_designation_cannot_verify(incident, users):
    assert not verification.can_verify(users["MARA_MEMBER"], incident)
    with pytest.raises(verification.VerificationNotAllowed):
        decide(incident, users["MARA_MEMBER"])

    assert stored(incident).status == "REPORTED"
    assert not VerificationDecision.objects.exists()


def test_a_revoked_designation_no_longer_allows_verifying(incident, users):
    verification.designate_verifier(chair=users["MARA_CHAIR"], member=users["MARA_MEMBER"])
    verification.revoke_verifier(chair=users["MARA_CHAIR"], member=users["MARA_MEMBER"])

    with pytest.raises(verification.VerificationNotAllowed):
        decide(incident, users["MARA_MEMBER"])
    assert stored(incident).status == "REPORTED"
    # The ended designation stays on record with the date it ended.
    assert VerifierDesignation.objects.get(user=users["MARA_MEMBER"]).revoked_at is not None


@pytest.mark.parametrize("role", ["WPA", "HRO", "SWPA", "LEADERSHIP", "FIELD_REPORTER", "ADMIN", "AUDITOR"])
def test_officers_leadership_and_staff_outside_the_mara_cannot_verify(incident, users, role):
    assert not verification.can_verify(users[role], incident)
    with pytest.raises(verification.VerificationNotAllowed):
        decide(incident, users[role])
    assert stored(incident).status == "REPORTED"


def test_the_officer_who_logged_an_incident_cannot_verify_it(make_incident, users):
    # The service does not check who records an incident, so a chair can be its author here.
    logged_by_chair = make_incident(by="MARA_CHAIR")

    assert not verification.can_verify(users["MARA_CHAIR"], logged_by_chair)
    with pytest.raises(verification.VerificationNotAllowed, match="logged this incident"):
        decide(logged_by_chair, users["MARA_CHAIR"])
    assert stored(logged_by_chair).status == "REPORTED"


def test_a_designated_member_cannot_verify_an_incident_they_logged(make_incident, users):
    verification.designate_verifier(chair=users["MARA_CHAIR"], member=users["MARA_MEMBER"])
    logged_by_member = make_incident(by="MARA_MEMBER")

    with pytest.raises(verification.VerificationNotAllowed):
        decide(logged_by_member, users["MARA_MEMBER"])


def test_the_chair_cannot_verify_an_incident_the_mara_may_not_see(make_incident, users):
    without_consent = make_incident(victims=[victim_data(consent_kinds=["RECORD"])])

    with pytest.raises(verification.VerificationNotAllowed):
        decide(without_consent, users["MARA_CHAIR"])
    assert stored(without_consent).status == "REPORTED"


@pytest.mark.parametrize("rationale", ["", "   \n  ", None])
def test_a_decision_without_a_rationale_is_refused_and_nothing_changes(incident, users, rationale):
    with pytest.raises(verification.VerificationNotAllowed, match="rationale"):
        decide(incident, users["MARA_CHAIR"], rationale=rationale)

    row = stored(incident)
    assert (row.status, row.version) == ("REPORTED", 1)
    assert not VerificationDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="incident.verification").exists()


def test_opening_verification_moves_a_reported_incident_under_verification(incident, users):
    step = verification.open_verification(incident, by=users["MARA_CHAIR"],
                                          rationale="Ask the medical partner for the date of care.")

    assert stored(incident).status == "UNDER_VERIFICATION"
    assert (step.from_status, step.to_status) == ("REPORTED", "UNDER_VERIFICATION")
    decide(incident, users["MARA_CHAIR"], decision="DISCARDED", rationale="Not linked to the conflict.")
    assert stored(incident).status == "DISCARDED"


def test_a_revision_keeps_the_earlier_decision_unchanged_and_points_at_it(incident, users):
    first = decide(incident, users["MARA_CHAIR"], decision="NOT_VERIFIED", rationale="Single unconfirmed source.")
    first_before = VerificationDecision.objects.values().get(pk=first.pk)

    second = decide(incident, users["MARA_CHAIR"], decision="VERIFIED",
                    rationale="A medical record now corroborates the survivor's account.")

    assert VerificationDecision.objects.filter(incident=incident).count() == 2
    assert second.revises == first
    assert (second.from_status, second.to_status) == ("NOT_VERIFIED", "VERIFIED")
    assert VerificationDecision.objects.values().get(pk=first.pk) == first_before
    row = stored(incident)
    assert (row.status, row.version) == ("VERIFIED", 3)


def test_a_revision_without_a_new_rationale_is_refused(incident, users):
    decide(incident, users["MARA_CHAIR"], decision="NOT_VERIFIED", rationale="Single unconfirmed source.")

    with pytest.raises(verification.VerificationNotAllowed, match="new rationale"):
        decide(incident, users["MARA_CHAIR"], decision="VERIFIED", rationale="  Single unconfirmed   source. ")

    assert stored(incident).status == "NOT_VERIFIED"
    assert VerificationDecision.objects.filter(incident=incident).count() == 1


@pytest.mark.parametrize(("path", "illegal"), [
    (["VERIFIED"], "UNDER_VERIFICATION"),
    (["VERIFIED"], "REPORTED"),
    (["VERIFIED"], "VERIFIED"),
    ([], "REPORTED"),
    (["UNDER_VERIFICATION"], "REPORTED"),
    (["UNDER_VERIFICATION"], "UNDER_VERIFICATION"),
    (["DISCARDED"], "UNDER_VERIFICATION"),
    ([], "CONFIRMED"),
])
def test_an_illegal_transition_is_refused(incident, users, path, illegal):
    for step, status in enumerate(path):
        decide(incident, users["MARA_CHAIR"], decision=status, rationale=f"Step {step}.")
    before = stored(incident)

    with pytest.raises(verification.VerificationNotAllowed):
        decide(incident, users["MARA_CHAIR"], decision=illegal, rationale="Another rationale.")

    after = stored(incident)
    assert (after.status, after.version) == (before.status, before.version)
    assert VerificationDecision.objects.filter(incident=incident).count() == len(path)


def test_each_step_writes_an_audit_event_without_the_rationale(incident, users):
    step = decide(incident, users["MARA_CHAIR"], standard="Reasonable grounds to believe")

    event = AuditEvent.objects.get(action="incident.verification")
    assert event.user == users["MARA_CHAIR"]
    assert event.role == Role.MARA_CHAIR
    assert event.object_ref == incident.reference
    assert event.detail["from"] == "REPORTED"
    assert event.detail["to"] == "VERIFIED"
    assert event.detail["decision"] == step.pk
    assert RATIONALE not in str(event.detail) and RATIONALE not in event.reason


def test_a_decision_on_a_stale_version_is_refused(incident, users):
    read_version = incident.version
    decide(incident, users["MARA_CHAIR"], decision="UNDER_VERIFICATION", rationale="Opening.")

    with pytest.raises(verification.VerificationConflict):
        decide(incident, users["MARA_CHAIR"], decision="DISCARDED", rationale="Unfounded.",
               expected_version=read_version)

    assert stored(incident).status == "UNDER_VERIFICATION"
    assert VerificationDecision.objects.filter(incident=incident).count() == 1


def test_a_stale_copy_of_the_incident_is_checked_against_the_database(incident, users):
    stale_copy = Incident.objects.get(pk=incident.pk)
    decide(incident, users["MARA_CHAIR"], decision="VERIFIED")

    with pytest.raises(verification.VerificationConflict):
        decide(stale_copy, users["MARA_CHAIR"], decision="DISCARDED", rationale="Unfounded.")
    assert stored(incident).status == "VERIFIED"


# ---- Designations


def test_only_the_chair_designates_verifiers(users):
    for role in ("MARA_MEMBER", "SWPA", "ADMIN"):
        with pytest.raises(verification.VerificationNotAllowed):
            verification.designate_verifier(chair=users[role], member=users["MARA_MEMBER"])
    assert not VerifierDesignation.objects.exists()


def test_only_a_mara_member_of_the_same_mission_can_be_designated(users, mission):
    with pytest.raises(verification.VerificationNotAllowed):
        verification.designate_verifier(chair=users["MARA_CHAIR"], member=users["WPA"])
    elsewhere = Mission.objects.create(code="ELSE", name="Elsewhere mission")
    outsider = make_user("outsider_member", Role.MARA_MEMBER, elsewhere)
    with pytest.raises(verification.VerificationNotAllowed):
        verification.designate_verifier(chair=users["MARA_CHAIR"], member=outsider)
    assert not VerifierDesignation.objects.exists()


def test_designating_and_revoking_are_audited_and_a_member_can_be_designated_again(users):
    chair, member = users["MARA_CHAIR"], users["MARA_MEMBER"]
    verification.designate_verifier(chair=chair, member=member)
    with pytest.raises(verification.VerificationNotAllowed):
        verification.designate_verifier(chair=chair, member=member)
    verification.revoke_verifier(chair=chair, member=member)
    verification.designate_verifier(chair=chair, member=member)

    assert VerifierDesignation.objects.filter(user=member).count() == 2
    assert verification.is_verifier(member)
    actions = list(AuditEvent.objects.filter(action__startswith="mara.verifier_").values_list("action", flat=True))
    assert actions == ["mara.verifier_designate", "mara.verifier_revoke", "mara.verifier_designate"]


def test_the_chair_designates_and_revokes_on_the_verifiers_page(users, login):
    client = login(users["MARA_CHAIR"])
    page = client.get("/mara/review/verifiers/")
    assert page.status_code == 200
    assert "mara_member" in page.content.decode()

    response = client.post("/mara/review/verifiers/change/",
                           {"member": users["MARA_MEMBER"].pk, "action": "designate"})
    assert response.status_code == 302
    assert verification.is_verifier(users["MARA_MEMBER"])

    client.post("/mara/review/verifiers/change/", {"member": users["MARA_MEMBER"].pk, "action": "revoke"})
    assert not verification.is_verifier(users["MARA_MEMBER"])


@pytest.mark.parametrize("role", ["MARA_MEMBER", "SWPA", "WPA", "LEADERSHIP", "ADMIN"])
def test_only_the_chair_opens_the_verifiers_page(users, login, role):
    client = login(users[role])

    assert client.get("/mara/review/verifiers/").status_code == 403
    response = client.post("/mara/review/verifiers/change/",
                           {"member": users["MARA_MEMBER"].pk, "action": "designate"})
    assert response.status_code == 403
    assert not VerifierDesignation.objects.exists()


@pytest.mark.parametrize("member", ["", "abc", "999999"])
def test_a_designation_for_an_unknown_member_answers_404(users, login, member):
    response = login(users["MARA_CHAIR"]).post("/mara/review/verifiers/change/",
                                               {"member": member, "action": "designate"})

    assert response.status_code == 404
    assert not VerifierDesignation.objects.exists()


def test_the_chair_cannot_designate_someone_who_is_not_a_mara_member_on_the_page(users, login):
    response = login(users["MARA_CHAIR"]).post("/mara/review/verifiers/change/",
                                               {"member": users["WPA"].pk, "action": "designate"})

    assert response.status_code == 404
    assert not VerifierDesignation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_verifiers_deciding_at_once_record_one_decision_and_refuse_the_other(make_incident, users):
    incident = make_incident()
    verification.designate_verifier(chair=users["MARA_CHAIR"], member=users["MARA_MEMBER"])
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide_in_thread(user, decision):
        try:
            barrier.wait(timeout=10)
            verification.decide_verification(Incident.objects.get(pk=incident.pk), by=user, decision=decision,
                                             rationale=f"{user.username} decides.", expected_version=1)
            outcomes[user.username] = "recorded"
        except verification.VerificationConflict:
            outcomes[user.username] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=decide_in_thread, args=(users["MARA_CHAIR"], "VERIFIED")),
               threading.Thread(target=decide_in_thread, args=(users["MARA_MEMBER"], "DISCARDED"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "recorded"]
    row = stored(incident)
    assert row.version == 2
    assert VerificationDecision.objects.filter(incident=incident).count() == 1
    assert VerificationDecision.objects.get(incident=incident).to_status == row.status


def test_the_record_shown_again_after_a_refused_decision_is_a_recorded_read(make_incident, users, login):
    incident = make_incident()

    response = login(users["MARA_CHAIR"]).post(f"/mara/review/{incident.reference}/", {
        "decision": "VERIFIED", "standard": "Reasonable grounds to believe", "rationale": "",
        "version": incident.version})

    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="incident.view", object_ref=incident.reference,
                                     username="mara_chair").exists()

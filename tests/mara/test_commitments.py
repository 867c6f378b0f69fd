"""Commitments by parties: communiqués, action plans and command orders, and their reviews.

- Listed per party of the person's mission, with the party's incident counts beside them:
  active incidents of the mission with a perpetrator of that party, all statuses and VERIFIED,
  counted over access.incidents_countable_by (an ISP incident counts only for the SWPA).
- The MARA chair and the SWPA record, edit and review commitments; MARA members and leadership
  read them; everyone else gets 403. Another mission's commitment answers 404.
- A review is dated and may set the status after it, which becomes the commitment's status.
- Every creation, change and review writes an audit event.
"""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent, Mission
from incidents.models import Incident, Party
from incidents.services import archive_incident
from mara.models import Commitment, CommitmentReview
from mara.services import commitments as services

READERS = ["MARA_CHAIR", "MARA_MEMBER", "SWPA", "LEADERSHIP"]
MANAGERS = ["MARA_CHAIR", "SWPA"]
OUTSIDERS = ["WPA", "HRO", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR"]


def perpetrated_by(*parties):
    return [{"party": p, "party_type": p.party_type, "number": 1, "sex": "MALE"} for p in parties]


@pytest.fixture
def other_party(mission):
    return Party.objects.create(mission=mission, name="Valley Militia", party_type="COMMUNITY_MILITIA")


@pytest.fixture
def commitment(party, users):
    return Commitment.objects.create(party=party, kind="ACTION_PLAN", title="Action plan on CRSV",
                                     date_signed=datetime.date(2024, 11, 5), status="ADOPTED",
                                     created_by=users["SWPA"])


@pytest.fixture
def counted(make_incident, party, other_party, users):
    """Test Front: 3 active incidents (1 verified) + 1 under a protocol + 1 archived; Valley Militia: 1."""
    verified = make_incident(perpetrators=perpetrated_by(party))
    Incident.objects.filter(pk=verified.pk).update(status="VERIFIED")
    make_incident("south", by="HRO_SOUTH", perpetrators=perpetrated_by(party))
    # Two perpetrator rows of the same party: still one incident.
    make_incident(perpetrators=perpetrated_by(party, party, other_party))
    make_incident(perpetrators=perpetrated_by(party), shared_under_isp=True)
    archived = make_incident(perpetrators=perpetrated_by(party))
    archive_incident(archived, by=users["SWPA"], reason="Duplicate of another reference.")


def row_for(response, party):
    return next(r for r in response.context["rows"] if r["party"] == party)


def test_commitments_are_listed_per_party_with_its_incident_counts(users, login, party, other_party, commitment,
                                                                   counted):
    response = login(users["MARA_CHAIR"]).get("/mara/commitments/")

    assert response.status_code == 200
    front = row_for(response, party)
    assert (front["total"], front["verified"]) == (3, 1)
    assert front["commitments"] == [commitment]
    militia = row_for(response, other_party)
    assert (militia["total"], militia["verified"], militia["commitments"]) == (1, 0, [])
    html = response.content.decode()
    assert "Action plan on CRSV" in html and "Valley Militia" in html


def test_the_swpa_counts_include_information_received_under_a_protocol(users, login, party, counted):
    front = row_for(login(users["SWPA"]).get("/mara/commitments/"), party)

    assert (front["total"], front["verified"]) == (4, 1)


def test_the_list_shows_only_parties_and_commitments_of_the_persons_mission(users, login, party, commitment,
                                                                            gazetteer):
    elsewhere = Mission.objects.create(code="ELSE", name="Elsewhere mission", country=gazetteer["country"])
    foreign = Party.objects.create(mission=elsewhere, name="Foreign Brigade", party_type="FOREIGN_FORCES")
    foreign_commitment = Commitment.objects.create(party=foreign, kind="COMMAND_ORDER", title="Order 12",
                                                   status="DRAFT", created_by=users["SWPA"])
    client = login(users["MARA_MEMBER"])

    assert "Foreign Brigade" not in client.get("/mara/commitments/").content.decode()
    assert client.get(f"/mara/commitments/{foreign_commitment.pk}/").status_code == 404
    assert login(users["SWPA"]).get(f"/mara/commitments/{foreign_commitment.pk}/edit/").status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_the_mara_the_swpa_and_leadership_read_commitments(users, login, commitment, role):
    client = login(users[role])

    assert client.get("/mara/commitments/").status_code == 200
    assert client.get(f"/mara/commitments/{commitment.pk}/").status_code == 200


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_are_refused_commitments(users, login, commitment, role):
    client = login(users[role])

    assert client.get("/mara/commitments/").status_code == 403
    assert client.get(f"/mara/commitments/{commitment.pk}/").status_code == 403
    assert client.get("/mara/commitments/new/").status_code == 403


@pytest.mark.parametrize("role", ["MARA_MEMBER", "LEADERSHIP"])
def test_readers_cannot_record_edit_or_review_commitments(users, login, party, commitment, role):
    client = login(users[role])

    assert client.get("/mara/commitments/new/").status_code == 403
    assert client.post("/mara/commitments/new/", {"party": party.pk, "kind": "ACTION_PLAN", "title": "X",
                                                  "status": "DRAFT"}).status_code == 403
    assert client.get(f"/mara/commitments/{commitment.pk}/edit/").status_code == 403
    assert client.post(f"/mara/commitments/{commitment.pk}/reviews/", {
        "date": "2025-01-10", "note": "Reviewed.", "status_after": "LAPSED"}).status_code == 403
    page = client.get("/mara/commitments/").content.decode()
    assert "Record a commitment" not in page
    assert Commitment.objects.count() == 1
    assert not CommitmentReview.objects.exists()


@pytest.mark.parametrize("role", MANAGERS)
def test_the_chair_and_the_swpa_record_a_commitment(users, login, party, role):
    response = login(users[role]).post("/mara/commitments/new/", {
        "party": party.pk, "kind": "UNILATERAL_COMMUNIQUE", "title": "Communiqué of the Test Front command",
        "date_signed": "2025-02-14", "status": "PENDING_ENDORSEMENT"})

    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.party, commitment.status, commitment.created_by) == (party, "PENDING_ENDORSEMENT", users[role])
    event = AuditEvent.objects.get(action="mara.commitment_create")
    assert event.user == users[role]
    assert event.object_id == str(commitment.pk)


def test_a_commitment_for_a_party_of_another_mission_is_refused(users, login, gazetteer):
    elsewhere = Mission.objects.create(code="ELSE", name="Elsewhere mission", country=gazetteer["country"])
    foreign = Party.objects.create(mission=elsewhere, name="Foreign Brigade", party_type="FOREIGN_FORCES")

    response = login(users["SWPA"]).post("/mara/commitments/new/", {
        "party": foreign.pk, "kind": "ACTION_PLAN", "title": "Typed title kept", "status": "DRAFT"})

    assert response.status_code == 400
    assert "Typed title kept" in response.content.decode()
    assert not Commitment.objects.exists()
    with pytest.raises(services.CommitmentNotAllowed):
        services.create_commitment(by=users["SWPA"], fields={
            "party": foreign, "kind": "ACTION_PLAN", "title": "Direct", "status": "DRAFT"})


def test_editing_a_commitment_is_audited_with_the_fields_changed(users, login, party, commitment):
    response = login(users["MARA_CHAIR"]).post(f"/mara/commitments/{commitment.pk}/edit/", {
        "party": party.pk, "kind": "ACTION_PLAN", "title": "Action plan on CRSV", "date_signed": "2024-11-05",
        "status": "IMPLEMENTING"})

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "IMPLEMENTING"
    event = AuditEvent.objects.get(action="mara.commitment_change")
    assert event.detail["fields"] == ["status"]
    assert (event.detail["status_from"], event.detail["status_to"]) == ("ADOPTED", "IMPLEMENTING")


def test_a_review_with_a_status_updates_the_commitment(users, login, commitment):
    client = login(users["SWPA"])

    response = client.post(f"/mara/commitments/{commitment.pk}/reviews/", {
        "date": "2025-06-30", "note": "No focal point appointed; reporting stopped.", "status_after": "LAPSED"})

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "LAPSED"
    review = CommitmentReview.objects.get()
    assert (review.date, review.status_after, review.reviewed_by) == (
        datetime.date(2025, 6, 30), "LAPSED", users["SWPA"])
    page = client.get(f"/mara/commitments/{commitment.pk}/").content.decode()
    assert "No focal point appointed; reporting stopped." in page
    event = AuditEvent.objects.get(action="mara.commitment_review")
    assert (event.detail["status_from"], event.detail["status_to"]) == ("ADOPTED", "LAPSED")
    assert "focal point" not in str(event.detail)


def test_a_review_without_a_status_keeps_the_commitments_status(users, commitment):
    services.add_review(commitment, by=users["MARA_CHAIR"], date=datetime.date(2025, 1, 15),
                        note="Training of commanders under way.")

    commitment.refresh_from_db()
    assert commitment.status == "ADOPTED"
    assert CommitmentReview.objects.get().status_after == ""


def test_a_review_dated_in_the_future_or_without_a_note_is_refused_and_keeps_the_typed_text(users, login,
                                                                                            commitment):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client = login(users["MARA_CHAIR"])

    future = client.post(f"/mara/commitments/{commitment.pk}/reviews/", {
        "date": tomorrow, "note": "Typed review note", "status_after": "LAPSED"})
    blank = client.post(f"/mara/commitments/{commitment.pk}/reviews/", {
        "date": "2025-01-15", "note": "   ", "status_after": "LAPSED"})

    assert future.status_code == 400 and blank.status_code == 400
    assert "Typed review note" in future.content.decode()
    assert not CommitmentReview.objects.exists()
    commitment.refresh_from_db()
    assert commitment.status == "ADOPTED"


def test_leadership_sees_small_counts_suppressed_and_no_edit_controls(users, login, party, commitment, counted):
    client = login(users["LEADERSHIP"])

    listing = client.get("/mara/commitments/")
    detail = client.get(f"/mara/commitments/{commitment.pk}/")

    assert (row_for(listing, party)["total"], row_for(listing, party)["verified"]) == ("<5", "<5")
    assert "&lt;5" in listing.content.decode()
    assert "Record a commitment" not in listing.content.decode()
    assert detail.context["review_form"] is None
    assert "Add a review" not in detail.content.decode()

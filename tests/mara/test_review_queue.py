"""The MARA review pages: the queue of incidents awaiting verification and the decision page.

- The queue lists incidents REPORTED or UNDER_VERIFICATION whose date reported falls in the period
  (the current month unless ?month=YYYY-MM or ?from=&to= says otherwise), from the person's scope:
  a MARA member sees only de-identified records whose survivors consented to MARA sharing.
- The MARA chair, MARA members and the SWPA open these pages; everyone else gets 403, and an
  incident outside the person's scope answers 404.
- Both pages are de-identified for everyone, the SWPA included: no name, contact, narrative,
  coordinates or locality.
- The decision form appears only for someone who may verify the incident; a refused or stale
  submission keeps what was typed.
"""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent, DutyStation, Mission, Role
from incidents import services
from incidents.models import Incident
from mara.models import VerificationDecision
from mara.services import verification
from tests.conftest import incident_fields, make_user, victim_data

VICTIM_NAME = "Testname Alpha"
VICTIM_CONTACT = "+000 555 0100"
NARRATIVE = "Synthetic narrative text for tests only."
COORDINATES = "1.2345,2.3456"
LOCALITY = "Quillby"
IDENTIFYING = [VICTIM_NAME, VICTIM_CONTACT, NARRATIVE, COORDINATES, LOCALITY]

# A fixed past month, so the tests do not depend on today's date.
MONTH = "2025-03"
IN_MONTH = datetime.date(2025, 3, 14)
BEFORE_MONTH = datetime.date(2025, 2, 27)
AFTER_MONTH = datetime.date(2025, 4, 1)

NO_REVIEW_ROLES = ["WPA", "HRO", "LEADERSHIP", "FIELD_REPORTER", "REFERRAL_FOCAL_POINT", "ADMIN", "AUDITOR"]


def reported(day, **kwargs):
    return {"incident_date": day - datetime.timedelta(days=5), "reported_date": day, **kwargs}


def set_status(incident, status):
    Incident.objects.filter(pk=incident.pk).update(status=status)


def queue_refs(response):
    return [i.reference for i in response.context["page"]]


@pytest.fixture
def queue(make_incident):
    """Named incidents around March 2025; the expectations below refer to these names."""
    records = {
        "reported": make_incident(**reported(IN_MONTH)),
        "under_verification": make_incident("south", by="HRO_SOUTH", **reported(datetime.date(2025, 3, 1))),
        "verified": make_incident(**reported(IN_MONTH)),
        "discarded": make_incident(**reported(datetime.date(2025, 3, 31))),
        "before": make_incident(**reported(BEFORE_MONTH)),
        "after": make_incident(**reported(AFTER_MONTH)),
        # Happened in February, reported in March: the reported date decides.
        "happened_earlier": make_incident(incident_date=datetime.date(2025, 1, 20), reported_date=IN_MONTH),
        "without_mara_consent": make_incident(
            victims=[victim_data(), victim_data(name="Testname Beta", consent_kinds=["RECORD"])],
            **reported(IN_MONTH)),
        "under_isp": make_incident(shared_under_isp=True, **reported(IN_MONTH)),
    }
    set_status(records["under_verification"], "UNDER_VERIFICATION")
    set_status(records["verified"], "VERIFIED")
    set_status(records["discarded"], "DISCARDED")
    return {name: incident.reference for name, incident in records.items()}


def test_the_queue_lists_incidents_awaiting_a_decision_reported_in_the_month(users, login, queue):
    response = login(users["MARA_CHAIR"]).get(f"/mara/review/?month={MONTH}")

    assert response.status_code == 200
    assert sorted(queue_refs(response)) == sorted(
        [queue["reported"], queue["under_verification"], queue["happened_earlier"]])


def test_the_queue_takes_any_range_of_dates_reported(users, login, queue):
    response = login(users["MARA_CHAIR"]).get("/mara/review/?from=2025-02-01&to=2025-03-10")

    assert sorted(queue_refs(response)) == sorted([queue["under_verification"], queue["before"]])


def test_the_queue_shows_the_current_month_by_default(users, login, make_incident):
    today = timezone.localdate()
    this_month = make_incident(incident_date=today, reported_date=today)
    make_incident(incident_date=today - datetime.timedelta(days=70), reported_date=today - datetime.timedelta(days=45))

    response = login(users["MARA_MEMBER"]).get("/mara/review/")

    assert queue_refs(response) == [this_month.reference]
    assert "when the information reached the mission" in response.content.decode()


def test_a_mara_member_never_sees_identifying_data_in_the_queue(users, login, queue):
    response = login(users["MARA_MEMBER"]).get(f"/mara/review/?month={MONTH}")

    html = response.content.decode()
    for value in IDENTIFYING:
        assert value not in html
    assert "Northmark / Ashdale" in html


def test_the_queue_of_a_mara_member_leaves_out_incidents_without_mara_consent_or_under_a_protocol(
        users, login, queue):
    refs = queue_refs(login(users["MARA_MEMBER"]).get(f"/mara/review/?month={MONTH}"))

    assert queue["without_mara_consent"] not in refs
    assert queue["under_isp"] not in refs
    assert queue["reported"] in refs


def test_the_swpa_queue_covers_the_whole_mission_but_stays_de_identified(users, login, queue):
    response = login(users["SWPA"]).get(f"/mara/review/?month={MONTH}")

    refs = queue_refs(response)
    assert queue["without_mara_consent"] in refs and queue["under_isp"] in refs
    html = response.content.decode()
    for value in IDENTIFYING:
        assert value not in html


def test_the_queue_is_paginated(users, login, make_incident):
    for _ in range(26):
        make_incident(**reported(IN_MONTH))
    client = login(users["MARA_CHAIR"])

    first = client.get(f"/mara/review/?month={MONTH}")
    second = client.get(f"/mara/review/?month={MONTH}&page=2")

    assert len(queue_refs(first)) == 25
    assert len(queue_refs(second)) == 1
    assert f"month={MONTH}&amp;page=2" in first.content.decode()


def test_archived_incidents_leave_the_queue_even_for_the_swpa(users, login, queue):
    archived = Incident.objects.get(reference=queue["reported"])
    services.archive_incident(archived, by=users["SWPA"], reason="Duplicate of another reference.")

    assert queue["reported"] not in queue_refs(login(users["SWPA"]).get(f"/mara/review/?month={MONTH}"))


@pytest.mark.parametrize("query", ["month=2025-13", "month=March", "month=0000-01", "from=2025-03-10",
                                   "from=2025-03-10&to=2025-03-01", "from=yesterday&to=2025-03-01"])
def test_a_malformed_period_is_explained_not_guessed(users, login, queue, query):
    response = login(users["MARA_CHAIR"]).get(f"/mara/review/?{query}")

    assert response.status_code == 400
    assert response.context["page"] is None
    assert 'role="alert"' in response.content.decode()


def test_reading_the_queue_is_audited_with_the_references_shown(users, login, queue):
    login(users["MARA_MEMBER"]).get(f"/mara/review/?month={MONTH}")

    event = AuditEvent.objects.get(action="incident.list", username="mara_member")
    assert event.detail["view"] == "mara_review"
    assert queue["reported"] in event.detail["references"]


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER", "SWPA"])
def test_the_mara_and_the_swpa_open_the_queue(users, login, role):
    assert login(users[role]).get("/mara/review/").status_code == 200


@pytest.mark.parametrize("role", NO_REVIEW_ROLES)
def test_other_roles_are_refused_the_queue_and_the_decision_page(users, login, queue, role):
    client = login(users[role])

    assert client.get("/mara/review/").status_code == 403
    assert client.get(f"/mara/review/{queue['reported']}/").status_code == 403
    response = client.post(f"/mara/review/{queue['reported']}/",
                           {"decision": "VERIFIED", "standard": "x", "rationale": "y", "version": 1})
    assert response.status_code == 403
    assert not VerificationDecision.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/mara/review/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---- The decision page


def test_the_decision_page_is_de_identified_even_for_the_swpa(users, login, queue):
    response = login(users["SWPA"]).get(f"/mara/review/{queue['reported']}/")

    assert response.status_code == 200
    html = response.content.decode()
    for value in IDENTIFYING:
        assert value not in html
    assert "One woman reported an attack by armed men in Ashdale territory." in html
    assert "Test Front" in html
    assert "25-39" in html


def test_the_decision_page_shows_the_record_to_a_mara_member_without_identifying_data(users, login, queue):
    html = login(users["MARA_MEMBER"]).get(f"/mara/review/{queue['reported']}/").content.decode()

    for value in IDENTIFYING:
        assert value not in html
    assert "Northmark / Ashdale" in html


def test_viewing_the_decision_page_is_audited(users, login, queue):
    login(users["MARA_MEMBER"]).get(f"/mara/review/{queue['reported']}/")

    event = AuditEvent.objects.get(action="incident.view", username="mara_member")
    assert event.object_ref == queue["reported"]


def test_an_incident_outside_the_reviewers_scope_answers_404(users, login, queue, gazetteer):
    other_mission = Mission.objects.create(code="OTHER", name="Other mission", country=gazetteer["country"])
    station = DutyStation.objects.create(mission=other_mission, code="east", name="East office",
                                         location=gazetteer["north"])
    other = services.create_incident(
        by=make_user("other_swpa", Role.SWPA, other_mission), mission=other_mission,
        fields=incident_fields(station, gazetteer["hamlet"]), form_codes=["RAPE"], victims=[victim_data()],
        perpetrators=[{"party": None, "party_type": "UNKNOWN", "number": None, "sex": "UNKNOWN"}],
    )
    member = login(users["MARA_MEMBER"])

    assert member.get(f"/mara/review/{queue['without_mara_consent']}/").status_code == 404
    assert member.get(f"/mara/review/{queue['under_isp']}/").status_code == 404
    assert member.get(f"/mara/review/{other.reference}/").status_code == 404
    assert member.get("/mara/review/DEMO-2025-99999/").status_code == 404
    swpa = login(users["SWPA"])
    assert swpa.get(f"/mara/review/{other.reference}/").status_code == 404


def test_the_decision_form_appears_only_for_someone_who_may_verify(users, login, queue):
    reference = queue["reported"]

    assert login(users["MARA_CHAIR"]).get(f"/mara/review/{reference}/").context["form"] is not None
    assert login(users["MARA_MEMBER"]).get(f"/mara/review/{reference}/").context["form"] is None
    assert login(users["SWPA"]).get(f"/mara/review/{reference}/").context["form"] is None
    verification.designate_verifier(chair=users["MARA_CHAIR"], member=users["MARA_MEMBER"])
    assert login(users["MARA_MEMBER"]).get(f"/mara/review/{reference}/").context["form"] is not None


def test_the_chair_who_logged_an_incident_is_told_why_there_is_no_form(users, login, make_incident):
    logged_by_chair = make_incident(by="MARA_CHAIR")

    response = login(users["MARA_CHAIR"]).get(f"/mara/review/{logged_by_chair.reference}/")

    assert response.context["form"] is None
    assert "You logged this incident" in response.content.decode()
    post = login(users["MARA_CHAIR"]).post(f"/mara/review/{logged_by_chair.reference}/", {
        "decision": "VERIFIED", "standard": "x", "rationale": "y", "version": 1})
    assert post.status_code == 403


def test_the_chair_records_a_decision_on_the_page_and_it_joins_the_history(users, login, queue):
    reference = queue["reported"]
    client = login(users["MARA_CHAIR"])

    response = client.post(f"/mara/review/{reference}/", {
        "decision": "VERIFIED", "standard": "Reasonable grounds to believe",
        "rationale": "Medical partner confirms care on the date given.", "version": 1})

    assert response.status_code == 302
    assert Incident.objects.get(reference=reference).status == "VERIFIED"
    page = client.get(f"/mara/review/{reference}/").content.decode()
    assert "Medical partner confirms care on the date given." in page
    assert "mara_chair" in page


def test_a_decision_without_a_rationale_keeps_what_was_typed(users, login, queue):
    reference = queue["reported"]

    response = login(users["MARA_CHAIR"]).post(f"/mara/review/{reference}/", {
        "decision": "NOT_VERIFIED", "standard": "Balance of probabilities (typed)", "rationale": "  ", "version": 1})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Balance of probabilities (typed)" in html
    assert "Write the rationale for this decision." in html
    assert Incident.objects.get(reference=reference).status == "REPORTED"


def test_a_stale_decision_on_the_page_is_refused_and_keeps_the_typed_rationale(users, login, queue):
    reference = queue["reported"]
    incident = Incident.objects.get(reference=reference)
    verification.open_verification(incident, by=users["MARA_CHAIR"], rationale="Opened at the meeting.")

    response = login(users["MARA_CHAIR"]).post(f"/mara/review/{reference}/", {
        "decision": "DISCARDED", "standard": "Reasonable grounds to believe",
        "rationale": "Typed before the page was refreshed.", "version": 1})

    assert response.status_code == 409
    assert "Typed before the page was refreshed." in response.content.decode()
    assert Incident.objects.get(reference=reference).status == "UNDER_VERIFICATION"
    # Having read the newer history, the chair can submit the same text again.
    again = login(users["MARA_CHAIR"]).post(f"/mara/review/{reference}/", response.context["form"].data)
    assert again.status_code == 302
    assert Incident.objects.get(reference=reference).status == "DISCARDED"


def test_the_form_offers_only_the_allowed_next_steps(users, login, queue):
    incident = Incident.objects.get(reference=queue["reported"])
    client = login(users["MARA_CHAIR"])

    offered = [value for value, _ in client.get(f"/mara/review/{incident.reference}/").context["form"]
               .fields["decision"].choices if value]
    assert offered == ["UNDER_VERIFICATION", "VERIFIED", "NOT_VERIFIED", "DISCARDED"]

    verification.decide_verification(incident, by=users["MARA_CHAIR"], decision="VERIFIED", rationale="Corroborated.")
    offered = [value for value, _ in client.get(f"/mara/review/{incident.reference}/").context["form"]
               .fields["decision"].choices if value]
    assert offered == ["NOT_VERIFIED", "DISCARDED"]

"""A referral's life (docs/domain.md, "Referrals"): created from a victim with its own consent, never REFERRED
without an active consent, a child's consent from a caregiver or a best-interest decision, the allowed
transitions only, each step in the history and the audit trail, follow-ups by the referrer side."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent, Notification
from referrals import services
from referrals.models import FollowUp, Provider, ProviderService, Referral, ReferralStatusChange
from tests.conftest import victim_data

TODAY = timezone.localdate


@pytest.fixture
def clinic(mission, gazetteer, users):
    p = Provider.objects.create(mission=mission, name="Ashdale Clinic", provider_type="HEALTH_FACILITY",
                                contact="+000 555 0199")
    p.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=p, service="MEDICAL", active=True)
    p.focal_points.set([users["REFERRAL_FOCAL_POINT"]])
    return p


@pytest.fixture
def victim(make_incident):
    return make_incident().victims.get()


def consent(**overrides):
    data = {"consent_given": True, "consent_date": TODAY() - datetime.timedelta(days=1),
            "consent_given_by": "SURVIVOR", "consent_decided_by": ""}
    data.update(overrides)
    return data


def refer(users, victim, clinic, *, by="WPA", send=False, **consent_data):
    return services.create_referral(by=users[by], victim=victim, service="MEDICAL", provider=clinic,
                                    urgency="EMERGENCY", note="Needs PEP today.", send=send, **consent_data)


def test_create_proposed_then_send(users, victim, clinic):
    referral = refer(users, victim, clinic, **consent())
    assert referral.status == "PROPOSED" and referral.consent_active
    services.change_status(referral, by=users["WPA"], to="REFERRED")
    referral.refresh_from_db()
    assert referral.status == "REFERRED" and referral.referred_at is not None and referral.version == 2
    assert services.is_assigned_focal_point(users["REFERRAL_FOCAL_POINT"], referral)


def test_never_referred_without_consent(users, victim, clinic):
    with pytest.raises(services.ReferralNotAllowed):
        refer(users, victim, clinic, send=True)
    assert not Referral.objects.exists()
    referral = refer(users, victim, clinic)
    with pytest.raises(services.ReferralNotAllowed, match="consent"):
        services.change_status(referral, by=users["WPA"], to="REFERRED")
    referral.refresh_from_db()
    assert referral.status == "PROPOSED" and referral.referred_at is None
    assert "REFERRED" not in services.allowed_targets(users["WPA"], referral)


def test_withdrawn_consent_blocks_sending(users, victim, clinic):
    referral = refer(users, victim, clinic, **consent())
    Referral.objects.filter(pk=referral.pk).update(consent_withdrawn_at=TODAY())
    referral.refresh_from_db()
    with pytest.raises(services.ReferralNotAllowed):
        services.change_status(referral, by=users["WPA"], to="REFERRED")


def test_child_needs_caregiver_or_best_interest(users, make_incident, clinic):
    child = make_incident(victims=[victim_data(age_years=14, age_group="12-17")]).victims.get()
    assert child.is_child
    with pytest.raises(services.ReferralNotAllowed, match="child"):
        refer(users, child, clinic, send=True, **consent())
    with pytest.raises(services.ReferralNotAllowed, match="who decided"):
        refer(users, child, clinic, send=True, **consent(consent_given_by="CAREGIVER"))
    referral = refer(users, child, clinic, send=True,
                     **consent(consent_given_by="BEST_INTEREST", consent_decided_by="Case supervisor, BID panel"))
    assert referral.status == "REFERRED"


def test_transitions_allowed_and_refused(users, victim, clinic):
    wpa = users["WPA"]
    referral = refer(users, victim, clinic, send=True, **consent())
    with pytest.raises(services.ReferralNotAllowed):
        services.change_status(referral, by=wpa, to="CLOSED")
    with pytest.raises(services.ReferralNotAllowed):
        services.change_status(referral, by=wpa, to="PROPOSED")
    for to in ("ACCEPTED", "SERVICE_PROVIDED", "CLOSED"):
        services.change_status(referral, by=wpa, to=to)
    referral.refresh_from_db()
    assert referral.status == "CLOSED" and referral.service_provided_at and referral.closed_at
    with pytest.raises(services.ReferralNotAllowed):
        services.change_status(referral, by=wpa, to="ACCEPTED")
    history = list(ReferralStatusChange.objects.filter(referral=referral).values_list("from_status", "to_status"))
    assert history == [("", "PROPOSED"), ("PROPOSED", "REFERRED"), ("REFERRED", "ACCEPTED"),
                       ("ACCEPTED", "SERVICE_PROVIDED"), ("SERVICE_PROVIDED", "CLOSED")]
    events = AuditEvent.objects.filter(action="referral.status", object_id=str(referral.pk)).order_by("id")
    assert [(e.detail["from"], e.detail["to"]) for e in events] == history[1:]
    assert referral.version == 5


def test_stale_version_conflicts(users, victim, clinic):
    referral = refer(users, victim, clinic, send=True, **consent())
    services.change_status(referral, by=users["WPA"], to="ACCEPTED")
    with pytest.raises(services.ReferralConflict):
        services.change_status(referral, by=users["HRO"], to="LOST_TO_FOLLOW_UP", expected_version=2)


def test_who_may_change(users, victim, clinic):
    referral = refer(users, victim, clinic, send=True, **consent())
    for role in ("MARA_CHAIR", "FIELD_REPORTER", "HRO_SOUTH", "LEADERSHIP"):
        with pytest.raises(services.ReferralNotAllowed):
            services.change_status(referral, by=users[role], to="ACCEPTED")
    focal = users["REFERRAL_FOCAL_POINT"]
    with pytest.raises(services.ReferralNotAllowed):
        services.change_status(referral, by=focal, to="LOST_TO_FOLLOW_UP")
    services.change_status(referral, by=focal, to="ACCEPTED")
    services.change_status(referral, by=focal, to="SERVICE_PROVIDED")
    with pytest.raises(services.ReferralNotAllowed):
        services.change_status(referral, by=focal, to="CLOSED")
    services.change_status(referral, by=users["SWPA"], to="CLOSED")


def test_notification_on_referred_has_no_survivor_information(users, victim, clinic):
    referral = refer(users, victim, clinic, send=True, **consent())
    note = Notification.objects.get(user=users["REFERRAL_FOCAL_POINT"])
    assert note.event_key == f"referral:{referral.pk}:referred"
    incident = victim.incident
    for secret in (victim.name, victim.contact, victim.code, incident.reference, incident.narrative, "Quillby",
                   "Needs PEP"):
        assert secret not in note.text and secret not in note.url


def test_follow_ups_referrer_side_only(users, victim, clinic):
    referral = refer(users, victim, clinic, send=True, **consent())
    services.add_follow_up(referral, by=users["WPA"], date=TODAY(), outcome="Seen at clinic",
                           next_follow_up=TODAY() + datetime.timedelta(days=7))
    with pytest.raises(services.ReferralNotAllowed):
        services.add_follow_up(referral, by=users["REFERRAL_FOCAL_POINT"], date=TODAY(), outcome="x")
    assert FollowUp.objects.filter(referral=referral).count() == 1
    assert AuditEvent.objects.filter(action="referral.follow_up", object_id=str(referral.pk)).exists()


def test_create_page_lists_covering_providers_first_and_sends(client, login, users, victim, clinic, mission,
                                                                gazetteer):
    other = Provider.objects.create(mission=mission, name="Aaa Far Clinic", provider_type="NGO")
    other.areas.set([gazetteer["south"]])
    ProviderService.objects.create(provider=other, service="MEDICAL", active=True)
    login(users["WPA"])
    detail = client.get(f"/incidents/{victim.incident.reference}/").content.decode()
    assert f"/referrals/new/?victim={victim.pk}" in detail
    page = client.get(f"/referrals/new/?victim={victim.pk}")
    assert page.status_code == 200 and 'name="service"' in page.content.decode()
    url = f"/referrals/new/?victim={victim.pk}&service=MEDICAL"
    html = client.get(url).content.decode()
    assert html.index("Ashdale Clinic") < html.index("Aaa Far Clinic")
    response = client.post(url, {"service": "MEDICAL", "provider": clinic.pk, "urgency": "URGENT", "note": "n",
                                 "consent_given": "on", "consent_date": TODAY().isoformat(),
                                 "consent_given_by": "SURVIVOR", "send": "1"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and referral.status == "REFERRED"
    # Without consent, "send" is refused and nothing is created.
    response = client.post(url, {"service": "MEDICAL", "provider": clinic.pk, "urgency": "URGENT", "send": "1"})
    assert response.status_code == 400 and Referral.objects.count() == 1


def test_create_page_404_for_others(client, login, users, victim, clinic):
    for role in ("HRO_SOUTH", "MARA_CHAIR", "REFERRAL_FOCAL_POINT", "FIELD_REPORTER"):
        login(users[role])
        assert client.get(f"/referrals/new/?victim={victim.pk}&service=MEDICAL").status_code == 404


def test_consent_taken_after_proposing_is_recorded_on_the_page_and_then_the_referral_can_be_sent(
        users, victim, clinic, login):
    referral = refer(users, victim, clinic)
    client = login(users["WPA"])

    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    response = client.post(f"/referrals/{referral.pk}/consent/", {
        "date": TODAY().isoformat(), "given_by": "SURVIVOR", "decided_by": ""})

    assert "Record the survivor&#x27;s consent" in page or "Record the survivor's consent" in page
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.consent_active and referral.consent_taken_by == users["WPA"]
    assert AuditEvent.objects.filter(action="referral.consent_recorded", object_id=str(referral.pk)).exists()
    services.change_status(referral, by=users["WPA"], to="REFERRED")
    referral.refresh_from_db()
    assert referral.status == "REFERRED"


def test_a_childs_consent_recorded_later_must_be_the_caregivers_or_a_best_interest_decision(
        users, make_incident, clinic, login):
    child = make_incident(victims=[victim_data(age_years=12, age_group="12-17", consent_given_by="CAREGIVER",
                                               consent_decided_by="Aunt, caregiver")]).victims.get()
    referral = refer(users, child, clinic)
    client = login(users["WPA"])

    refused = client.post(f"/referrals/{referral.pk}/consent/", {
        "date": TODAY().isoformat(), "given_by": "SURVIVOR", "decided_by": ""})
    accepted = client.post(f"/referrals/{referral.pk}/consent/", {
        "date": TODAY().isoformat(), "given_by": "CAREGIVER", "decided_by": "Mother, caregiver"})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    referral.refresh_from_db()
    assert referral.consent_given_by == "CAREGIVER" and referral.consent_decided_by == "Mother, caregiver"


def test_the_provider_focal_point_cannot_record_consent(users, victim, clinic, login):
    referral = refer(users, victim, clinic, **consent())
    services.change_status(referral, by=users["WPA"], to="REFERRED")

    response = login(users["REFERRAL_FOCAL_POINT"]).post(f"/referrals/{referral.pk}/consent/", {
        "date": TODAY().isoformat(), "given_by": "SURVIVOR"})

    assert response.status_code == 404


def test_a_recent_medical_referral_shows_the_pep_and_contraception_deadlines(users, make_incident, clinic, login):
    recent = make_incident(incident_date=TODAY() - datetime.timedelta(days=1), reported_date=TODAY()).victims.get()
    referral = refer(users, recent, clinic, **consent())

    page = login(users["WPA"]).get(f"/referrals/{referral.pk}/").content.decode()

    assert "Post-exposure prophylaxis (PEP)" in page and "Emergency contraception" in page
    assert "hours left" in page

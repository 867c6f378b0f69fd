"""Withdrawal of consent (docs/domain.md, "Consent per use ... withdrawable"): open referrals that depend on it
stop (DECLINED_BY_SURVIVOR, "consent withdrawn"), and nothing more goes out to the provider."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent
from incidents.models import Consent
from referrals import services
from referrals.models import Provider, ProviderService, ReferralStatusChange

NOTE = "Needs PEP today, speaks Lingala."


@pytest.fixture
def clinic(mission, gazetteer, users):
    p = Provider.objects.create(mission=mission, name="Ashdale Clinic", provider_type="HEALTH_FACILITY")
    p.areas.set([gazetteer["north_a"]])
    for service in ("MEDICAL", "PSYCHOSOCIAL"):
        ProviderService.objects.create(provider=p, service=service, active=True)
    p.focal_points.set([users["REFERRAL_FOCAL_POINT"]])
    return p


@pytest.fixture
def victim(make_incident):
    return make_incident().victims.get()


def refer(users, victim, provider, *, service="MEDICAL", send=True):
    return services.create_referral(
        by=users["WPA"], victim=victim, service=service, provider=provider, urgency="URGENT", note=NOTE,
        consent_given=True, consent_date=timezone.localdate() - datetime.timedelta(days=1),
        consent_given_by="SURVIVOR", send=send)


def test_withdrawal_stops_the_referral_and_hides_the_note(client, login, users, victim, clinic):
    referral = refer(users, victim, clinic)
    services.change_status(referral, by=users["REFERRAL_FOCAL_POINT"], to="ACCEPTED")
    services.withdraw_consent(referral, by=users["WPA"], date=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == "DECLINED_BY_SURVIVOR" and referral.consent_withdrawn_at == timezone.localdate()
    last = ReferralStatusChange.objects.filter(referral=referral).last()
    assert (last.from_status, last.to_status, last.reason) == ("ACCEPTED", "DECLINED_BY_SURVIVOR",
                                                               "consent withdrawn")
    assert AuditEvent.objects.filter(action="referral.consent_withdrawn", object_id=str(referral.pk)).exists()
    login(users["REFERRAL_FOCAL_POINT"])
    html = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Declined by the survivor" in html and "withdrew consent" in html
    assert NOTE not in html and "Urgent" not in html and "Medical" not in html
    assert 'name="to"' not in html
    with pytest.raises(services.ReferralNotAllowed):
        services.change_status(referral, by=users["WPA"], to="REFERRED")


def test_closed_referral_keeps_its_status(users, victim, clinic):
    referral = refer(users, victim, clinic)
    for to in ("ACCEPTED", "SERVICE_PROVIDED", "CLOSED"):
        services.change_status(referral, by=users["WPA"], to=to)
    services.withdraw_consent(referral, by=users["WPA"], date=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == "CLOSED" and referral.consent_withdrawn_at


def test_withdrawal_page_referrer_side_only(client, login, users, victim, clinic):
    referral = refer(users, victim, clinic, send=False)
    login(users["REFERRAL_FOCAL_POINT"])
    assert client.post(f"/referrals/{referral.pk}/withdraw-consent/",
                       {"date": timezone.localdate().isoformat(), "confirm": "on"}).status_code == 404
    login(users["HRO"])
    response = client.post(f"/referrals/{referral.pk}/withdraw-consent/",
                           {"date": timezone.localdate().isoformat(), "confirm": "on"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "DECLINED_BY_SURVIVOR"


def test_victim_level_withdrawal_stops_every_referral(users, victim, clinic):
    medical = refer(users, victim, clinic)
    psychosocial = refer(users, victim, clinic, service="PSYCHOSOCIAL", send=False)
    with pytest.raises(services.ReferralNotAllowed):
        services.withdraw_victim_referral_consent(victim, by=users["HRO_SOUTH"], date=timezone.localdate())
    services.withdraw_victim_referral_consent(victim, by=users["SWPA"], date=timezone.localdate())
    assert not Consent.objects.get(victim=victim, kind="REFER").active
    for referral in (medical, psychosocial):
        referral.refresh_from_db()
        assert referral.status == "DECLINED_BY_SURVIVOR" and referral.consent_withdrawn_at

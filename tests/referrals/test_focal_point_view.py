"""What a referral focal point sees (docs/domain.md, "Survivor safety rules"): only the referrals assigned to
them once sent, and of each only what the referral needs: survivor code, service, urgency, the note,
status, dates and their own actions. Never the narrative, names, contacts, the place or other victims."""

import datetime

import pytest
from django.utils import timezone

from crsv_mis.models import AuditEvent
from referrals import services
from referrals.models import Provider, ProviderService, Referral
from tests.conftest import victim_data

NOTE = "Needs PEP today, speaks Lingala."


@pytest.fixture
def clinic(mission, gazetteer, users):
    p = Provider.objects.create(mission=mission, name="Ashdale Clinic", provider_type="HEALTH_FACILITY",
                                contact="+000 555 0199")
    p.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=p, service="MEDICAL", active=True)
    p.focal_points.set([users["REFERRAL_FOCAL_POINT"]])
    return p


@pytest.fixture
def other_clinic(mission, gazetteer):
    p = Provider.objects.create(mission=mission, name="Other Clinic", provider_type="NGO")
    p.areas.set([gazetteer["north"]])
    ProviderService.objects.create(provider=p, service="MEDICAL", active=True)
    return p


@pytest.fixture
def incident(make_incident):
    return make_incident(victims=[victim_data(), victim_data(name="Secondname Beta", contact="+000 555 0777")])


def refer(users, victim, provider, *, send=True):
    return services.create_referral(
        by=users["WPA"], victim=victim, service="MEDICAL", provider=provider, urgency="EMERGENCY", note=NOTE,
        consent_given=True, consent_date=timezone.localdate() - datetime.timedelta(days=1),
        consent_given_by="SURVIVOR", send=send)


def test_focal_point_sees_assigned_referrals_only(client, login, users, incident, clinic, other_clinic):
    first, second = incident.victims.all()
    mine = refer(users, first, clinic)
    proposed = refer(users, second, clinic, send=False)
    others = refer(users, second, other_clinic)
    login(users["REFERRAL_FOCAL_POINT"])
    listing = client.get("/referrals/").content.decode()
    assert "My referrals" in listing and first.code in listing and second.code not in listing
    assert client.get(f"/referrals/{mine.pk}/").status_code == 200
    assert client.get(f"/referrals/{proposed.pk}/").status_code == 404
    assert client.get(f"/referrals/{others.pk}/").status_code == 404
    assert client.post(f"/referrals/{others.pk}/status/", {"to": "ACCEPTED", "version": 2}).status_code == 404
    assert client.get(f"/incidents/{incident.reference}/").status_code in (403, 404)
    assert AuditEvent.objects.filter(action="referral.view", object_id=str(mine.pk),
                                     username="focal").exists()


def test_focal_point_page_has_no_identifying_data(client, login, users, incident, clinic):
    first, second = incident.victims.all()
    referral = refer(users, first, clinic)
    login(users["REFERRAL_FOCAL_POINT"])
    html = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert first.code in html and NOTE in html and "Emergency" in html
    for secret in (first.name, first.contact, second.name, second.contact, second.code, incident.narrative,
                   incident.reference, incident.coordinates, "Quillby", "Ashdale", "Testname", "+000 555"):
        assert secret not in html, secret


def test_others_see_nothing(client, login, users, incident, clinic):
    referral = refer(users, incident.victims.first(), clinic)
    for role in ("HRO_SOUTH", "MARA_CHAIR", "LEADERSHIP", "FIELD_REPORTER", "AUDITOR"):
        login(users[role])
        assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    login(users["HRO"])
    assert client.get(f"/referrals/{referral.pk}/").status_code == 200


def test_focal_point_marks_service_provided(client, login, users, incident, clinic):
    referral = refer(users, incident.victims.first(), clinic)
    login(users["REFERRAL_FOCAL_POINT"])
    html = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert 'value="ACCEPTED"' in html and 'value="LOST_TO_FOLLOW_UP"' not in html
    response = client.post(f"/referrals/{referral.pk}/status/", {"to": "ACCEPTED", "version": 2})
    assert response.status_code == 302
    response = client.post(f"/referrals/{referral.pk}/status/", {"to": "SERVICE_PROVIDED", "version": 3})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "SERVICE_PROVIDED" and referral.service_provided_at is not None
    # Closing is for the referrer side; a stale version is refused.
    assert client.post(f"/referrals/{referral.pk}/status/", {"to": "CLOSED", "version": 4}).status_code == 400
    assert client.post(f"/referrals/{referral.pk}/follow-up/", {"date": "2020-01-01", "outcome": "x"}
                       ).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == "SERVICE_PROVIDED"

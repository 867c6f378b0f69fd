"""A referral focal point taken off a provider no longer opens that provider's referrals, nor their
notes, on the pages or in the API: access follows who the provider's focal points are now."""

import datetime

import pytest
from django.utils import timezone

from referrals import services
from referrals.models import Provider, ProviderService

pytestmark = pytest.mark.django_db
NOTE = "Synthetic note: prefers a visit on Tuesday mornings."


@pytest.fixture
def clinic(mission, gazetteer, users):
    p = Provider.objects.create(mission=mission, name="Removal Clinic", provider_type="HEALTH_FACILITY")
    p.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=p, service="MEDICAL", active=True)
    p.focal_points.set([users["REFERRAL_FOCAL_POINT"]])
    return p


@pytest.fixture
def referral(users, make_incident, clinic):
    victim = make_incident().victims.first()
    return services.create_referral(
        by=users["WPA"], victim=victim, service="MEDICAL", provider=clinic, urgency="EMERGENCY", note=NOTE,
        consent_given=True, consent_date=timezone.localdate() - datetime.timedelta(days=1),
        consent_given_by="SURVIVOR", send=True)


def test_it_shuts_a_removed_focal_point_out_of_the_providers_referrals(client, login, users, clinic, referral):
    focal = users["REFERRAL_FOCAL_POINT"]
    login(focal)
    assert NOTE in client.get(f"/referrals/{referral.pk}/").content.decode()

    # The SWPA takes them off the provider (the directory's own form).
    swpa = login(users["SWPA"])
    response = swpa.post(f"/referrals/providers/{clinic.pk}/edit/", {
        "name": clinic.name, "provider_type": clinic.provider_type, "services": ["MEDICAL"],
        "areas": [a.pk for a in clinic.areas.all()], "available": "on", "focal_points": []})
    assert response.status_code == 302
    assert not clinic.focal_points.exists()

    login(focal)
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    listing = client.get("/referrals/").content.decode()
    assert NOTE not in listing and referral.victim.code not in listing
    assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert client.get("/api/v1/referrals/").json()["results"] == []
    assert client.post(f"/referrals/{referral.pk}/status/",
                       {"to": "ACCEPTED", "version": referral.version}).status_code == 404
    assert services.allowed_targets(focal, referral) == []


def test_it_opens_them_again_to_a_focal_point_put_back(client, login, users, clinic, referral):
    clinic.focal_points.clear()
    clinic.focal_points.add(users["REFERRAL_FOCAL_POINT"])
    login(users["REFERRAL_FOCAL_POINT"])
    assert NOTE in client.get(f"/referrals/{referral.pk}/").content.decode()

"""Who sees disclosure pages: WPAs and HROs their own requests about incidents they read, the SWPA the
mission's; an incident outside the requester's scope cannot be asked about (and the answer does not
say whether it exists); every other role has no disclosure page at all."""

import pytest

from reporting.models import Disclosure
from tests.reporting.disclosure_fixtures import REQUEST, approve, ask, consenting, send

BASE = "/reports/disclosures/"
NO_PAGE_ROLES = ["MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "ADMIN", "AUDITOR", "FIELD_REPORTER",
                 "REFERRAL_FOCAL_POINT"]


@pytest.fixture
def south(make_incident):
    return make_incident(station="south", by="HRO_SOUTH", victims=[consenting(name="Testname South")])


def test_an_incident_of_another_duty_station_cannot_be_asked_about(users, login, client, south):
    login(users["HRO"])
    response = client.post(BASE + "new/", {**REQUEST, "items": ["SUMMARY"], "incidents": south.reference})
    unknown = client.post(BASE + "new/", {**REQUEST, "items": ["SUMMARY"], "incidents": "DEMO-1999-99999"})
    assert response.status_code == unknown.status_code == 400
    assert f"{south.reference}: no incident you can read has this reference." in response.content.decode()
    assert "DEMO-1999-99999: no incident you can read has this reference." in unknown.content.decode()
    assert not Disclosure.objects.exists()


def test_another_officers_request_answers_404(users, login, client, south, make_incident):
    disclosure = ask(users["HRO_SOUTH"], [south])
    login(users["HRO"])
    assert client.get(f"{BASE}{disclosure.pk}/").status_code == 404
    assert client.post(f"{BASE}{disclosure.pk}/cancel/", {"version": 1, "reason": "x"}).status_code == 404
    assert disclosure.reference not in client.get(BASE).content.decode()


def test_the_swpa_sees_every_request_of_the_mission(users, login, client, south):
    disclosure = ask(users["HRO_SOUTH"], [south])
    login(users["SWPA"])
    assert disclosure.reference in client.get(BASE).content.decode()
    assert client.get(f"{BASE}{disclosure.pk}/").status_code == 200


@pytest.mark.parametrize("role", NO_PAGE_ROLES)
def test_roles_outside_the_human_rights_compartment_have_no_disclosure_page(role, users, login, client, south):
    disclosure = send(approve(ask(users["HRO_SOUTH"], [south]), users["SWPA"]), users["HRO_SOUTH"])
    login(users[role])
    for url in (BASE, BASE + "new/", f"{BASE}{disclosure.pk}/", f"{BASE}{disclosure.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Testname South" not in response.content.decode()
        assert south.reference not in response.content.decode()
    assert client.post(f"{BASE}{disclosure.pk}/approve/", {"version": 1}).status_code == 403
    home = client.get("/", follow=True)
    assert home.status_code == 200 and "/reports/disclosures/" not in home.content.decode()


def test_the_navigation_offers_disclosures_to_the_human_rights_roles(users, login, client):
    login(users["HRO"])
    assert 'href="/reports/disclosures/"' in client.get("/").content.decode()

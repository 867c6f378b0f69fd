"""Only an SWPA approves or refuses a disclosure, and never one they asked for themselves."""

import pytest
from django.core.exceptions import PermissionDenied

from crsv_mis.models import AuditEvent, Role
from reporting import disclosures
from reporting.models import DisclosureState
from tests.conftest import make_user
from tests.reporting.disclosure_fixtures import ask, consenting

BASE = "/reports/disclosures/"


@pytest.fixture
def incident(make_incident):
    return make_incident(victims=[consenting()])


def test_an_swpa_cannot_approve_their_own_request_but_another_swpa_can(users, login, client, incident, mission):
    own = ask(users["SWPA"], [incident])
    login(users["SWPA"])
    response = client.post(f"{BASE}{own.pk}/approve/", {"version": own.version})
    assert response.status_code == 400
    assert "You made this request: another SWPA approves or refuses it." in response.content.decode()
    own.refresh_from_db()
    assert own.state == DisclosureState.REQUESTED
    assert not AuditEvent.objects.filter(action="disclosure.approve").exists()

    other = make_user("swpa2", Role.SWPA, mission)
    login(other)
    assert client.post(f"{BASE}{own.pk}/approve/", {"version": own.version}).status_code == 302
    own.refresh_from_db()
    assert own.state == DisclosureState.APPROVED and own.decided_by == other


@pytest.mark.parametrize("role", ["WPA", "HRO"])
def test_a_wpa_or_hro_cannot_approve_or_refuse(role, users, login, client, incident):
    disclosure = ask(users["WPA"], [incident])
    login(users[role])
    assert client.post(f"{BASE}{disclosure.pk}/approve/", {"version": 1}).status_code in (403, 404)
    assert client.post(f"{BASE}{disclosure.pk}/refuse/", {"version": 1, "reason": "No."}).status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        disclosures.approve(disclosure, by=users[role], expected_version=1)
    disclosure.refresh_from_db()
    assert disclosure.state == DisclosureState.REQUESTED


def test_a_request_where_no_victim_consented_cannot_be_approved(users, incident, make_incident):
    from tests.reporting.disclosure_fixtures import not_consenting

    disclosure = ask(users["WPA"], [make_incident(victims=[not_consenting()])])
    with pytest.raises(disclosures.DisclosureError, match="No victim in this request has a consent"):
        disclosures.approve(disclosure, by=users["SWPA"], expected_version=1)


def test_only_an_approved_request_can_be_sent(users, incident):
    disclosure = ask(users["WPA"], [incident])
    with pytest.raises(disclosures.DisclosureError, match="not possible now"):
        disclosures.send(disclosure, by=users["WPA"], expected_version=1, sent_on=disclosure.requested_at.date(),
                         channel="HAND")

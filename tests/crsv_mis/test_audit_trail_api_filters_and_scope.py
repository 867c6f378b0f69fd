"""The API's audit events: the page's filters as query parameters, paginated like every list, the
events of the auditor's mission only; an auditor of no mission reads none."""

import pytest
from django.test import Client

from crsv_mis.models import ApiToken, Role
from tests.conftest import make_user
from tests.crsv_mis import audit_trail_events

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-events/"


def _api(user):
    _token, raw = ApiToken.issue(user, days=1)
    return Client(HTTP_AUTHORIZATION=f"Token {raw}")


def _events(response):
    assert response.status_code == 200
    return {(e["person"], e["action"], e["reference"]) for e in response.json()["results"]}


def test_it_filters_like_the_page(users, make_incident):
    world = audit_trail_events.build(users, make_incident)
    api = _api(users["AUDITOR"])
    second = world["second"].reference
    assert _events(api.get(URL, {"person": "hro"})) == {("hro", "incident.create", second),
                                                         ("hro", "incident.update", second)}
    assert _events(api.get(URL, {"role": "SWPA", "record": second})) == {("swpa", "incident.archive", second)}
    assert _events(api.get(URL, {"action": "incident.view", "object_type": "incidents.incident"})) == {
        ("wpa", "incident.view", world["first"].reference)}
    assert _events(api.get(URL, {"date_from": "2999-01-01"})) == set()


def test_it_pages_and_keeps_to_the_auditors_mission(users, make_incident):
    audit_trail_events.build(users, make_incident)
    body = _api(users["AUDITOR"]).get(URL).json()
    assert {"count", "next", "previous", "results"} <= set(body)
    assert "abroad_wpa" not in {e["person"] for e in body["results"]}


def test_it_gives_an_auditor_of_no_mission_no_event(users, make_incident):
    audit_trail_events.build(users, make_incident)
    stray = make_user("stray_auditor", Role.AUDITOR, None)
    assert _api(stray).get(URL).json()["count"] == 0

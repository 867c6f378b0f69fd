"""The API answers in JSON only. DRF's browsable renderer (`?format=api`, or a browser preferring
HTML) built its forms by feeding an incident to the write serializer, and failed with a 500 for
everyone who may edit it; it is not served at all."""

import pytest

pytestmark = pytest.mark.django_db
EDITORS = ["WPA", "HRO", "SWPA"]


@pytest.mark.parametrize("role", EDITORS)
def test_it_answers_an_incident_asked_for_in_the_browsable_format_without_an_error(role, users, make_incident, login):
    incident = make_incident()
    client = login(users[role])

    response = client.get(f"/api/v1/incidents/{incident.reference}/?format=api")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert incident.reference not in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/incidents/{reference}/", "/api/v1/incidents/", "/api/v1/parties/"])
def test_it_answers_a_browser_asking_for_html_in_json(path, users, make_incident, login):
    incident = make_incident()
    client = login(users["WPA"])

    response = client.get(path.format(reference=incident.reference),
                          HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "<form" not in response.content.decode()

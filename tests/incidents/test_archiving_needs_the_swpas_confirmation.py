"""An administrator names incidents by reference without reading them: alone, they cannot make one
vanish from lists and counts. Their archive is a request that an SWPA of the mission confirms or
declines, each step audited."""

import pytest
from django.core.exceptions import PermissionDenied

from crsv_mis import access
from crsv_mis.models import AuditEvent, Mission, Role
from incidents import services
from incidents.models import ArchiveRequest, ArchiveRequestState
from tests.conftest import make_user


def _ask(client, incident, reason="Duplicate of another reference."):
    return client.post("/incidents/archive/", {"reference": incident.reference, "reason": reason})


@pytest.mark.django_db
def test_it_keeps_an_incident_the_admin_archives_in_everyones_lists_and_counts(users, make_incident, login):
    incidents = [make_incident() for _ in range(3)]
    admin = login(users["ADMIN"])

    for incident in incidents:
        assert _ask(admin, incident).status_code == 302
        api = admin.post(f"/api/v1/incidents/{incident.reference}/archive/", {"reason": "Entered twice."},
                         content_type="application/json")
        assert api.status_code == 202

    for incident in incidents:
        incident.refresh_from_db()
        assert incident.archived_at is None
    assert access.incidents_visible_to(users["WPA"]).count() == 3
    assert access.incidents_countable_by(users["SWPA"]).count() == 3
    assert ArchiveRequest.objects.filter(state=ArchiveRequestState.PENDING).count() == 3
    assert AuditEvent.objects.filter(action="incident.archive_request", user=users["ADMIN"]).count() == 3
    assert not AuditEvent.objects.filter(action="incident.archive").exists()


@pytest.mark.django_db
def test_it_refuses_the_archive_itself_to_anyone_but_the_missions_swpa(users, make_incident):
    incident = make_incident()
    far_swpa = make_user("far_swpa", Role.SWPA, Mission.objects.create(code="FAR", name="Far mission"))

    for someone in (users["ADMIN"], users["WPA"], users["HRO"], far_swpa):
        with pytest.raises(PermissionDenied):
            services.archive_incident(incident, by=someone, reason="Hiding a record.")
    archive_request = services.request_archive(incident, by=users["ADMIN"], reason="Hiding a record.")
    for someone in (users["ADMIN"], far_swpa):
        with pytest.raises(PermissionDenied):
            services.confirm_archive(archive_request, by=someone)
    incident.refresh_from_db()
    assert incident.archived_at is None


@pytest.mark.django_db
def test_it_archives_when_the_swpa_confirms_and_audits_who_asked(users, make_incident, login):
    incident = make_incident()
    _ask(login(users["ADMIN"]), incident)
    swpa = login(users["SWPA"])
    page = swpa.get("/incidents/archive/requests/")
    assert incident.reference in page.content.decode()

    response = swpa.post("/incidents/archive/requests/",
                         {"request": incident.archive_requests.get().pk, "decision": "confirm"})

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.archived_at and incident.archived_by == users["SWPA"]
    event = AuditEvent.objects.get(action="incident.archive")
    assert (event.user, event.detail) == (users["SWPA"], {"requested_by": "admin"})
    assert not access.incidents_visible_to(users["WPA"]).exists()


@pytest.mark.django_db
def test_it_keeps_the_incident_when_the_swpa_declines(users, make_incident, login):
    incident = make_incident()
    _ask(login(users["ADMIN"]), incident)

    login(users["SWPA"]).post("/incidents/archive/requests/",
                              {"request": incident.archive_requests.get().pk, "decision": "decline"})

    incident.refresh_from_db()
    assert incident.archived_at is None
    assert incident.archive_requests.get().state == ArchiveRequestState.DECLINED
    assert AuditEvent.objects.get(action="incident.archive_decline").user == users["SWPA"]


@pytest.mark.django_db
def test_it_shows_the_requests_to_the_swpa_alone(users, make_incident, login):
    incident = make_incident()
    _ask(login(users["ADMIN"]), incident)
    pk = incident.archive_requests.get().pk

    for role in ("ADMIN", "WPA", "HRO", "MARA_CHAIR", "AUDITOR"):
        client = login(users[role])
        assert client.get("/incidents/archive/requests/").status_code == 403
        assert client.post("/incidents/archive/requests/", {"request": pk, "decision": "confirm"}).status_code == 403
    far_swpa = make_user("far_swpa", Role.SWPA, Mission.objects.create(code="FAR", name="Far mission"))
    far = login(far_swpa)
    assert incident.reference not in far.get("/incidents/archive/requests/").content.decode()
    assert far.post("/incidents/archive/requests/", {"request": pk, "decision": "confirm"}).status_code == 400
    incident.refresh_from_db()
    assert incident.archived_at is None

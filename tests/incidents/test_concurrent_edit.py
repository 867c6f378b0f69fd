"""Two officers edit the same incident: the second save is refused, not silently lost or merged."""


import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_otp import DEVICE_ID_SESSION_KEY

from crsv_mis.models import AuditEvent, TOTPDevice
from incidents import services
from incidents.models import Victim
from tests.intake_page_values import page_values

CONFLICT = "Someone else saved this incident while you were editing it."
FIRST_SUMMARY = "First officer: one woman, attack by armed men in Ashdale territory, two days in the bush."
SECOND_SUMMARY = "Second officer: one woman attacked by armed men in Ashdale territory at a checkpoint."
SECOND_NARRATIVE = "Second officer's notes Peregrine: the survivor described the checkpoint in detail."


def logged_in_client(user):
    client = Client()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_second_save_of_a_stale_page_is_refused_and_keeps_the_typing(users, make_incident):
    incident = make_incident()
    url = reverse("incident_edit", args=[incident.reference])
    wpa, hro = logged_in_client(users["WPA"]), logged_in_client(users["HRO"])
    first_page, second_page = page_values(wpa.get(url)), page_values(hro.get(url))
    assert first_page["version"] == second_page["version"] == ["1"]

    first_page["summary"] = FIRST_SUMMARY
    assert wpa.post(url, first_page).status_code == 302

    second_page["summary"] = SECOND_SUMMARY
    second_page["narrative"] = SECOND_NARRATIVE
    second_page["victims-0-name"] = "Testname Gamma"
    response = hro.post(url, second_page)

    assert response.status_code == 409
    html = response.content.decode()
    assert escape(CONFLICT) in html
    assert escape(SECOND_SUMMARY) in html
    assert escape(SECOND_NARRATIVE) in html
    assert 'value="Testname Gamma"' in html
    incident.refresh_from_db()
    assert incident.version == 2
    assert incident.summary == FIRST_SUMMARY
    assert incident.narrative == "Synthetic narrative text for tests only."
    assert incident.victims.get().name == "Testname Alpha"
    assert AuditEvent.objects.filter(action="incident.change", object_ref=incident.reference).count() == 1

    # Reloading the page gives the first officer's version, and saving from there works.
    fresh = page_values(hro.get(url))
    assert fresh["version"] == ["2"] and fresh["summary"] == [FIRST_SUMMARY]
    fresh["narrative"] = SECOND_NARRATIVE
    assert hro.post(url, fresh).status_code == 302
    incident.refresh_from_db()
    assert (incident.version, incident.summary, incident.narrative) == (3, FIRST_SUMMARY, SECOND_NARRATIVE)


def edit_kwargs(incident, victim_name, withdraw_consents=False, **field_overrides):
    fields = {k: getattr(incident, k) for k in services.INCIDENT_FIELDS}
    fields.update(field_overrides)
    victims = [{"id": v.pk, **{f: getattr(v, f) for f in services.VICTIM_FIELDS}, "name": victim_name,
                "consent_kinds": [] if withdraw_consents else [c.kind for c in v.consents.all() if c.active],
                "consent_date": None} for v in incident.victims.all()]
    perpetrators = [{f: getattr(p, f) for f in services.PERPETRATOR_FIELDS} for p in incident.perpetrators.all()]
    return {"fields": fields, "form_codes": ["RAPE"], "victims": victims, "perpetrators": perpetrators}


@pytest.mark.parametrize("stale", [0, 1])
def test_update_incident_with_stale_version_raises_and_changes_nothing(users, make_incident, stale):
    incident = make_incident()
    services.update_incident(incident, by=users["WPA"], expected_version=1,
                             **edit_kwargs(incident, "Testname Renamed", summary="Saved first."))
    assert incident.version == 2
    events = AuditEvent.objects.count()
    stale_copy = type(incident).objects.get(pk=incident.pk)
    stale_copy.version = stale

    with pytest.raises(services.EditConflict):
        services.update_incident(stale_copy, by=users["HRO"], expected_version=stale,
                                 **edit_kwargs(stale_copy, "Testname Stale", withdraw_consents=True,
                                               summary="Saved second.", narrative="Overwritten."))

    incident.refresh_from_db()
    assert (incident.version, incident.summary) == (2, "Saved first.")
    assert incident.narrative == "Synthetic narrative text for tests only."
    victim = Victim.objects.get(incident=incident)
    assert victim.name == "Testname Renamed"  # as the first save left it
    assert sorted(c.kind for c in victim.consents.all() if c.active) == ["FOLLOW_UP", "RECORD", "REFER", "SHARE_MARA"]
    assert AuditEvent.objects.count() == events

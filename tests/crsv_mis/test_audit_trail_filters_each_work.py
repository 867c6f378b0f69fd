"""The audit-trail page filters by person, role, action, record (kind, number or reference) and date."""

import datetime

import pytest
from django.utils import timezone

from tests.crsv_mis import audit_trail_events

pytestmark = pytest.mark.django_db

URL = "/audit/"


@pytest.fixture
def trail(users, make_incident):
    return audit_trail_events.build(users, make_incident), audit_trail_events.auditor_client(users)


def test_it_filters_by_person(trail):
    world, client = trail
    assert audit_trail_events.listed(client.get(URL, {"person": "wpa", "action": "incident.view"})) == {
        ("wpa", "incident.view", world["first"].reference)}


def test_it_filters_by_role(trail):
    world, client = trail
    assert audit_trail_events.listed(client.get(URL, {"role": "SWPA"})) == {
        ("swpa", "incident.archive", world["second"].reference)}


def test_it_filters_by_action_chosen_from_the_actions_present(trail):
    world, client = trail
    response = client.get(URL, {"action": "incident.update"})
    assert audit_trail_events.listed(response) == {("hro", "incident.update", world["second"].reference)}
    offered = {value for value, _label in response.context["filter"].form.fields["action"].choices}
    assert {"incident.view", "incident.update", "incident.archive"} <= offered
    assert "incident.never_done" not in offered


def test_it_filters_by_record_reference_or_number_and_kind(trail):
    world, client = trail
    second = world["second"]
    by_reference = audit_trail_events.listed(client.get(URL, {"record": second.reference, "role": "SWPA"}))
    assert by_reference == {("swpa", "incident.archive", second.reference)}
    by_number = audit_trail_events.listed(client.get(URL, {"object_type": "incidents.incident",
                                                            "record": str(second.pk)}))
    assert by_number == {("hro", "incident.create", second.reference), ("hro", "incident.update", second.reference),
                         ("swpa", "incident.archive", second.reference)}


def test_it_filters_by_date_from_and_to(trail):
    _world, client = trail
    today = timezone.localdate()
    one_day = datetime.timedelta(days=1)
    assert len(audit_trail_events.listed(client.get(URL, {"date_from": today, "date_to": today,
                                                           "action": "incident.view"}))) == 1
    assert audit_trail_events.listed(client.get(URL, {"date_from": today + one_day})) == set()
    assert audit_trail_events.listed(client.get(URL, {"date_to": today - one_day})) == set()


def test_it_shows_no_event_of_another_missions_people(trail):
    _world, client = trail
    assert "abroad_wpa" not in {person for person, _a, _r in audit_trail_events.listed(client.get(URL))}

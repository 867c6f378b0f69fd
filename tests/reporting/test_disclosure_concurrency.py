"""Two decisions on the same request are never both applied: a decision taken on a page read before
another one answers 409 and says so; two SWPAs deciding at the same moment record one decision."""

import threading

import pytest
from django.db import connection

from crsv_mis.models import AuditEvent, Role
from reporting import disclosures
from reporting.models import Disclosure, DisclosureState
from tests.conftest import make_user
from tests.reporting.disclosure_fixtures import ask, consenting

BASE = "/reports/disclosures/"


def test_a_refusal_on_a_page_read_before_the_approval_is_refused_with_409(users, login, client, make_incident,
                                                                          mission):
    disclosure = ask(users["WPA"], [make_incident(victims=[consenting()])])
    other = make_user("swpa2", Role.SWPA, mission)
    login(users["SWPA"])
    assert client.post(f"{BASE}{disclosure.pk}/approve/", {"version": 1}).status_code == 302
    login(other)
    response = client.post(f"{BASE}{disclosure.pk}/refuse/", {"version": 1, "reason": "Not within the consent."})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else acted on this request since you opened the page" in page
    assert "Not within the consent." in page  # the typed reason is not lost
    stored = Disclosure.objects.get(pk=disclosure.pk)
    assert (stored.state, stored.decided_by, stored.version) == (DisclosureState.APPROVED, users["SWPA"], 2)
    assert not AuditEvent.objects.filter(action="disclosure.refuse").exists()


@pytest.mark.django_db(transaction=True)
def test_two_swpas_deciding_at_once_record_one_decision(make_incident, users, mission):
    disclosure = ask(users["WPA"], [make_incident(victims=[consenting()])])
    other = make_user("swpa2", Role.SWPA, mission)
    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, step):
        try:
            barrier.wait(timeout=10)
            fresh = Disclosure.objects.get(pk=disclosure.pk)
            if step == "approve":
                disclosures.approve(fresh, by=user, expected_version=1)
            else:
                disclosures.refuse(fresh, by=user, expected_version=1, reason="Outside the mandate.")
            outcomes[user.username] = "recorded"
        except disclosures.EditConflict:
            outcomes[user.username] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(users["SWPA"], "approve")),
               threading.Thread(target=decide, args=(other, "refuse"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["conflict", "recorded"]
    stored = Disclosure.objects.get(pk=disclosure.pk)
    assert stored.version == 2
    winner = next(name for name, outcome in outcomes.items() if outcome == "recorded")
    assert stored.decided_by.username == winner
    assert AuditEvent.objects.filter(action__in=["disclosure.approve", "disclosure.refuse"]).count() == 1

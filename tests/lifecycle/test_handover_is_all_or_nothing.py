"""A handover that fails part-way changes nothing: the items already moved in the transaction go
back to the outgoing officer, and no audit event or notification of it remains (real PostgreSQL,
real commits: the test is transactional)."""

import pytest
from django.db import DatabaseError, connection

from crsv_mis.models import AuditEvent, Notification
from lifecycle import handover
from tests.lifecycle.handover_fixtures import held_by

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def action_points_refuse_updates():
    """A trigger that fails every update of an action point: they are moved after the incidents and
    the referrals, so those have already been updated when it fires."""
    with connection.cursor() as cursor:
        cursor.execute("""CREATE FUNCTION test_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
                          BEGIN RAISE EXCEPTION 'refused by the test'; END $$""")
        cursor.execute("""CREATE TRIGGER test_refuse_update BEFORE UPDATE ON mara_actionpoint
                          FOR EACH ROW EXECUTE FUNCTION test_refuse_update()""")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse_update ON mara_actionpoint")
        cursor.execute("DROP FUNCTION test_refuse_update()")


def test_it_changes_nothing_when_one_item_fails(users, stations, work, new_officer, action_points_refuse_updates):
    station, wpa, swpa = stations["north"], users["WPA"], users["SWPA"]
    held = held_by(wpa)
    _counts, fingerprint = handover.preview(swpa, station, wpa, new_officer)
    events = AuditEvent.objects.count()

    with pytest.raises(DatabaseError, match="refused by the test"):
        handover.reassign(by=swpa, station=station, outgoing=wpa, incoming=new_officer,
                          expected_fingerprint=fingerprint)

    assert held_by(wpa) == held
    assert held_by(new_officer) == {kind: set() for kind in held}
    assert AuditEvent.objects.count() == events
    assert not Notification.objects.filter(event_key__startswith="handover:").exists()
    assert not Notification.objects.filter(user=new_officer).exists()  # the alert was not routed either

"""The auditor reads the audit trail and never survivor data: after officers read and changed the
marked records (every identifying field a marker), no narrative, place, survivor name, contact, case
note, reason or outcome typed by an officer, MARA note or summary reaches the AUDITOR in any page,
file (the trail's CSV export opened) or API response; nor any survivor code (events of a referral or
a consent name one), nor anything naming a record received under an information-sharing protocol
(its reference, inside the detail of a list event too). The references of the ordinary records read
are the trail's own subject, and shown."""

import pytest
from django.test import Client

from referrals import services as referral_services
from tests.conftest import verified_login
from tests.security import marker_world as mw
from tests.security.marker_world import marker_world  # noqa: F401 - the shared world of this module

pytestmark = pytest.mark.django_db


def _officers_read_the_records(world, users):
    for role in ("WPA", "SWPA"):
        client = verified_login(Client(), users[role])
        for tag in ("REC", "ISP"):
            for incident in world["incidents"][tag]:
                client.get(f"/incidents/{incident.reference}/")
                client.get(f"/api/v1/incidents/{incident.reference}/")
        client.get(f"/referrals/{world['referral_made'].pk}/")
        client.get("/incidents/")
        client.get("/api/v1/incidents/")
    # A status changed with a reason typed by the officer.
    referral_services.change_status(world["referral_made"], by=users["WPA"], to="LOST_TO_FOLLOW_UP",
                                    reason=mw.marker("REC", "StatusReason"))


def test_it_sends_the_auditor_no_survivor_data_anywhere_the_audit_trail_included(marker_world):  # noqa: F811
    world, users = marker_world
    _officers_read_the_records(world, users)
    received = mw.received_by(users["AUDITOR"], world)

    codes = [code for tag in ("REC", "ISP") for incident in world["incidents"][tag]
             for code in incident.victims.values_list("code", flat=True)]
    survivor_data = (mw.layer_a_markers("REC") + mw.layer_a_markers("ISP") + mw.note_markers()
                     + mw.mara_note_markers() + mw.record_markers(world, "ISP") + codes
                     + [mw.marker("REC", "Summary")])
    assert mw.leaks(received, survivor_data, allowed=mw.in_the_gazetteer) == {}
    # The trail was read, its export and the API too, with the events of the records read.
    got = {what: text for what, text in received if what.endswith("[200]")}
    reference = world["incidents"]["REC"][0].reference
    assert reference in got["GET /audit/export.csv [200]"]
    assert reference in got["API /api/v1/audit-events/ [200]"]

"""The administrator manages accounts and reference data and never receives survivor data: no record
(reference, summary, survivor code), no identifying field, no case note, in the product's pages, the
API, files, error pages, or any page of the Django admin site (every list, add, change and history page
of every registered model, every row)."""

import pytest

from tests.security import marker_world as mw
from tests.security.marker_world import marker_world  # noqa: F401 - the shared world of this module

pytestmark = pytest.mark.django_db


def test_it_sends_the_administrator_no_survivor_data_anywhere_the_admin_site_included(marker_world):  # noqa: F811
    world, users = marker_world
    received = mw.received_by(users["ADMIN"], world)

    survivor_data = (mw.record_markers(world, "REC") + mw.record_markers(world, "ISP")
                     + mw.layer_a_markers("REC") + mw.layer_a_markers("ISP") + mw.note_markers()
                     + mw.mara_note_markers())
    assert mw.leaks(received, survivor_data, allowed=mw.in_the_gazetteer) == {}
    # The admin site was visited, row by row.
    got = {what for what, _text in received if what.endswith("[200]")}
    assert f"GET /django-admin/crsv_mis/user/{users['WPA'].pk}/change/ [200]" in got
    assert f"GET /django-admin/referrals/provider/{world['provider'].pk}/change/ [200]" in got

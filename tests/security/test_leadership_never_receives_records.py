"""Leadership reads aggregates only (layer C): released reports, figures with small cells suppressed.
No record reaches them: no incident reference, summary or survivor code, no alert, no identifying field,
in any page, API response, file (the released report's PDF, XLSX and CSV opened) or error page."""

import pytest

from tests.security import marker_world as mw
from tests.security.marker_world import marker_world  # noqa: F401 - the shared world of this module

pytestmark = pytest.mark.django_db


def test_it_sends_leadership_no_record_level_data_anywhere(marker_world):  # noqa: F811
    world, users = marker_world
    received = mw.received_by(users["LEADERSHIP"], world)

    records = (mw.record_markers(world, "REC") + mw.record_markers(world, "ISP") + [world["alert"].reference]
               + mw.layer_a_markers("REC") + mw.layer_a_markers("ISP") + mw.note_markers() + mw.mara_note_markers())
    assert mw.leaks(received, records, allowed=mw.in_the_gazetteer) == {}
    # They did get the released report and its files.
    released = world["released"].pk
    got = {what for what, _text in received if what.endswith("[200]")}
    assert {f"GET /reports/{released}/download/external/{fmt}/ [200]" for fmt in ("pdf", "xlsx", "csv")} <= got

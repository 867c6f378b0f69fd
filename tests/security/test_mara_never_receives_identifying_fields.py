"""The MARA chair and members read de-identified records (layer B) and never receive an identifying
field: no narrative, coordinates, place name below the territory, survivor's name, contact or who saw
her, no case note, in any page, API response, file, error page or form error. Every identifying value
of the world is a unique marker (tests/security/marker_world.py), looked for in everything they get."""

import pytest

from tests.security import marker_world as mw
from tests.security.marker_world import marker_world  # noqa: F401 - the shared world of this module

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER"])
def test_it_sends_the_mara_role_no_identifying_field_anywhere(role, marker_world):  # noqa: F811
    world, users = marker_world
    received = mw.received_by(users[role], world)

    identifying = mw.layer_a_markers("REC") + mw.layer_a_markers("ISP") + mw.note_markers()
    assert mw.leaks(received, identifying, allowed=mw.in_the_gazetteer) == {}
    # They did read the de-identified records, and their own notes (meetings, verification): the
    # visit reached them.
    assert mw.leaks(received, [mw.marker("REC", "Summary")])
    assert sorted(set(mw.mara_note_markers()) - set(mw.leaks(received, mw.mara_note_markers()))) == []

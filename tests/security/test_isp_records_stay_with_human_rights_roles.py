"""Information a humanitarian partner shared under an information-sharing protocol stays inside the
human rights roles (WPA, HRO, SWPA): nobody else receives anything of such a record, not even its
reference or its de-identified summary, in any page, API response, file or error page. The ISP record
of the world carries markers of its own (tests/security/marker_world.py)."""

import pytest

from tests.security import marker_world as mw
from tests.security.marker_world import marker_world  # noqa: F401 - the shared world of this module

pytestmark = pytest.mark.django_db
OUTSIDE_HUMAN_RIGHTS = ["MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "REFERRAL_FOCAL_POINT", "FIELD_REPORTER",
                        "ADMIN", "AUDITOR"]


def isp_markers(world):
    return mw.record_markers(world, "ISP") + mw.layer_a_markers("ISP")


@pytest.mark.parametrize("role", OUTSIDE_HUMAN_RIGHTS)
def test_it_sends_nothing_of_an_isp_record_outside_the_human_rights_roles(role, marker_world):  # noqa: F811
    world, users = marker_world
    received = mw.received_by(users[role], world, posts=False)

    assert mw.leaks(received, isp_markers(world), allowed=mw.in_the_gazetteer) == {}


@pytest.mark.parametrize("role", ["WPA", "SWPA"])
def test_the_human_rights_roles_do_receive_the_isp_record(role, marker_world):  # noqa: F811
    world, users = marker_world
    received = mw.received_by(users[role], world, posts=False)

    assert set(mw.leaks(received, isp_markers(world))) == set(isp_markers(world))

"""The layer tests are only as good as their world: every encrypted field of the product holds a
marker (or is left out for a reason written in tests/security/marker_world.py), and the owning office
does receive every marker, so a test finding none elsewhere proves something."""

import pytest

from tests.security import marker_world as mw
from tests.security.marker_world import marker_world  # noqa: F401 - the shared world of this module

pytestmark = pytest.mark.django_db


def test_every_encrypted_field_of_the_product_holds_a_marker(marker_world):  # noqa: F811
    assert mw.unmarked_encrypted_fields() == []


def test_the_human_rights_roles_receive_every_identifying_marker(marker_world):  # noqa: F811
    """The owning office's WPA (her draft, her referral) and the SWPA (the disclosure, the legal hold)."""
    world, users = marker_world
    received = mw.received_by(users["WPA"], world, posts=False) + mw.received_by(users["SWPA"], world, posts=False)

    expected = mw.layer_a_markers("REC") + mw.note_markers() + mw.record_markers(world, "REC")
    assert sorted(set(expected) - set(mw.leaks(received, expected))) == []

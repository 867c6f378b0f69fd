"""The "how to take consent" and "what counts as CRSV" pages open for every role that records
incidents, hold every consent use and every form of CRSV with its nexus examples, and are linked
from the intake page."""

import pytest

from incidents import guidance
from incidents.choices import ConflictNexus, ConsentKind, CrsvFormCode

pytestmark = pytest.mark.django_db

RECORDING_ROLES = ["WPA", "HRO", "SWPA", "FIELD_REPORTER"]


@pytest.mark.parametrize("role", RECORDING_ROLES)
def test_the_consent_and_crsv_pages_open_for_every_role_that_records(login, users, role):
    client = login(users[role])

    consent = client.get("/help/consent/")
    crsv = client.get("/help/crsv/")

    assert consent.status_code == 200 and crsv.status_code == 200
    consent_page, crsv_page = consent.content.decode(), crsv.content.decode()
    for kind in ConsentKind:
        assert str(kind.label) in consent_page
    for form in CrsvFormCode:
        assert str(form.label) in crsv_page
    for nexus in ConflictNexus:
        assert str(nexus.label) in crsv_page
    assert len(guidance.FORM_EXAMPLES) == len(CrsvFormCode) and len(guidance.CONSENT_USES) == len(ConsentKind)


def test_the_intake_page_links_both_pages(login, users):
    page = login(users["FIELD_REPORTER"]).get("/incidents/new/").content.decode()

    assert 'href="/help/crsv/"' in page and 'href="/help/consent/"' in page


def test_the_pages_need_a_sign_in(client):
    assert client.get("/help/consent/").status_code == 302
    assert client.get("/help/crsv/").status_code == 302

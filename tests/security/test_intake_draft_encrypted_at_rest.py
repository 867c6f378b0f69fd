"""An intake draft holds survivor data: the database row never holds any of it in clear text."""

import pytest
from django.db import connection
from django.urls import reverse

from incidents import drafts
from incidents.models import IntakeDraft
from tests.conftest import verified_login
from tests.incidents.test_intake_page import intake_post, victim_row

NARRATIVE = "Synthetic narrative Quorvant: fictional text that must never be stored in clear."
NAME = "Testname Quorvant"
CONTACT = "+000 555 0177"


@pytest.fixture
def draft(client, users, stations, gazetteer, party):
    verified_login(client, users["WPA"])
    data = intake_post(stations["north"], gazetteer["hamlet"], party, narrative=NARRATIVE,
                       victims=[victim_row(name=NAME, contact=CONTACT)])
    client.post(reverse("intake_draft_save"), data, HTTP_ACCEPT="application/json")
    return IntakeDraft.objects.get()


def test_the_raw_draft_column_holds_none_of_the_typed_text(draft):
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM incidents_intakedraft WHERE id = %s", [draft.pk])
        (raw,) = cursor.fetchone()

    assert raw.startswith("enc:")
    for clear in (NARRATIVE, "Quorvant", NAME, CONTACT, "narrative", "victims-0-name"):
        assert clear not in raw


def test_the_application_reads_the_draft_back_through_the_field_encryption(draft):
    kept = drafts.contents(IntakeDraft.objects.get(pk=draft.pk))

    assert kept["narrative"] == [NARRATIVE]
    assert (kept["victims-0-name"], kept["victims-0-contact"]) == ([NAME], [CONTACT])

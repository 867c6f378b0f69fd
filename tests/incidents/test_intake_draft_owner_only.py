"""A draft is its owner's alone: everyone else gets a 404, and roles that do not record have no drafts."""

import pytest
from django.urls import reverse

from crsv_mis import access, roles
from incidents.models import IntakeDraft
from tests.conftest import verified_login
from tests.incidents.test_intake_page import NARRATIVE, NEW_URL, intake_post

SAVE_URL = reverse("intake_draft_save")
OTHERS = ["HRO", "HRO_SOUTH", "SWPA", "FIELD_REPORTER", "MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "ADMIN",
          "AUDITOR", "REFERRAL_FOCAL_POINT"]


@pytest.fixture
def draft(client, users, stations, gazetteer, party):
    verified_login(client, users["WPA"])
    client.post(SAVE_URL, intake_post(stations["north"], gazetteer["hamlet"], party), HTTP_ACCEPT="application/json")
    client.logout()
    return IntakeDraft.objects.get()


@pytest.mark.parametrize("role", OTHERS)
def test_it_answers_404_to_anyone_but_the_owner_who_opens_the_draft(client, users, draft, role):
    verified_login(client, users[role])

    resume = client.get(f"{NEW_URL}?draft={draft.pk}")
    discard = client.post(reverse("intake_draft_discard", args=[draft.pk]))

    assert resume.status_code in (403, 404) and discard.status_code == 404
    assert NARRATIVE not in resume.content.decode()
    assert IntakeDraft.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("role", OTHERS)
def test_no_other_role_reads_the_draft_through_the_scoping_helper(users, draft, role):
    assert not access.intake_drafts_visible_to(users[role]).exists()


@pytest.mark.parametrize("role", ["HRO", "SWPA", "FIELD_REPORTER"])
def test_another_officer_cannot_overwrite_the_draft_by_its_id(client, users, draft, role, stations, gazetteer, party):
    verified_login(client, users[role])

    response = client.post(SAVE_URL, {**intake_post(stations["north"], gazetteer["hamlet"], party, summary="Other."),
                                      "draft": draft.pk, "draft_version": draft.version},
                           HTTP_ACCEPT="application/json")

    assert response.status_code == 410
    draft.refresh_from_db()
    assert draft.version == 1 and "Other." not in draft.data


@pytest.mark.parametrize("role", ["MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "ADMIN", "AUDITOR",
                                  "REFERRAL_FOCAL_POINT"])
def test_roles_that_do_not_record_have_no_draft_pages(client, users, role, stations, gazetteer, party):
    verified_login(client, users[role])

    assert client.get(reverse("intake_drafts")).status_code == 403
    assert client.post(SAVE_URL, intake_post(stations["north"], gazetteer["hamlet"], party)).status_code == 403
    assert not IntakeDraft.objects.exists()


def test_the_owner_who_can_no_longer_record_loses_access(client, users, draft):
    owner = users["WPA"]
    owner.role = "MARA_MEMBER"
    with roles.without_approval():  # as if an SWPA had approved the change
        owner.save()

    assert not access.intake_drafts_visible_to(owner).exists()


def test_drafts_are_not_in_the_django_admin(users):
    from django.contrib import admin

    assert IntakeDraft not in admin.site._registry

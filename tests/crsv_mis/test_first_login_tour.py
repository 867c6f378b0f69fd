"""The first-login tour: shown on the first visit to the home page, with steps of the person's role
(each role's differ), never shown again by itself, and reopened from /help/tour/. Every link of
every role's tour opens for that role."""

import html
import re

import pytest
from django.test import Client

from crsv_mis import tour
from crsv_mis.models import Role
from tests.conftest import verified_login

pytestmark = pytest.mark.django_db

ROLES = ["WPA", "HRO", "SWPA", "MARA_CHAIR", "MARA_MEMBER", "REFERRAL_FOCAL_POINT", "LEADERSHIP", "FIELD_REPORTER",
         "ADMIN", "AUDITOR"]


def tour_on(page):
    match = re.search(r'<details class="tour card" id="tour" open>(.*?)</details>', page, re.S)
    return html.unescape(match.group(1)) if match else None


def test_every_role_has_a_tour():
    assert set(tour.STEPS) == set(Role.values)


def test_it_shows_the_tour_once_on_the_first_visit_then_from_the_help_page(users):
    seen = {}
    for role in ROLES:
        client = verified_login(Client(), users[role])
        first = tour_on(client.get("/").content.decode())
        assert first is not None, role
        for step in tour.steps_for(users[role]):
            assert str(step["title"]) in first and str(step["text"]) in first, role
        seen[role] = first
        assert tour_on(client.get("/").content.decode()) is None, role
        users[role].refresh_from_db()
        assert users[role].tour_seen_at is not None
        again = client.get("/help/tour/")
        assert again.status_code == 200 and tour_on(again.content.decode()) == first, role
    # Roles doing different work get different tours (WPA and HRO do the same work).
    distinct = {role: text for role, text in seen.items() if role != "HRO"}
    assert len(set(distinct.values())) == len(distinct)


@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_the_tour_opens_for_its_role(users, role):
    client = verified_login(Client(), users[role])
    links = [step["url"] for step in tour.steps_for(users[role]) if step["url"]]

    for url in links:
        assert client.get(url, follow=True).status_code == 200, (role, url)


def test_the_help_page_links_the_tour(login, users):
    assert 'href="/help/tour/"' in login(users["MARA_MEMBER"]).get("/help/").content.decode()

"""Every page each role reaches, crawled from the home page through its links, shows the attacks
typed into the free-text fields as text: no markup of theirs reaches the HTML unescaped, and the
escaped text is there (so the pages did show them)."""

import pytest

from tests.conftest import verified_login
from tests.security.crawl import crawl
from tests.security.injected_world import RAW_MARKUP

pytestmark = pytest.mark.django_db
ROLES = ["WPA", "HRO", "SWPA", "MARA_CHAIR", "MARA_MEMBER", "LEADERSHIP", "REFERRAL_FOCAL_POINT", "ADMIN",
         "AUDITOR", "FIELD_REPORTER"]
ESCAPED = "&lt;script&gt;window.__pwned"
# The auditor reads no record, name or note: their few pages hold no typed text to escape.
READS_NO_TYPED_TEXT = {"AUDITOR"}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_shows_the_attacks_as_text(role, world, users, client):
    pages = crawl(verified_login(client, users[role]))

    unescaped = [(url, raw) for url, response in pages.items() for raw in RAW_MARKUP
                 if raw in response.content.decode()]
    assert unescaped == []
    shown = [url for url, response in pages.items() if ESCAPED in response.content.decode()]
    assert "/" in pages
    assert shown or role in READS_NO_TYPED_TEXT, sorted(pages)


def test_the_record_pages_show_the_survivors_details_and_the_narrative_escaped(world, users, client):
    response = verified_login(client, users["WPA"]).get(f"/incidents/{world['incident'].reference}/")
    html = response.content.decode()

    assert html.count(ESCAPED) + html.count("&lt;img src=x onerror") + html.count("javascript:window") >= 4
    assert "{{7*7}}" in html and "49 " not in html.split("{{7*7}}")[0][-5:]

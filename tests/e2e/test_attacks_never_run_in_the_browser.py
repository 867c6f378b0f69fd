"""In a real Chromium, with the CSP switched off (so that escaping alone is tested), no attack typed
into a free-text field runs on any page the SWPA, a WPA or the MARA chair reaches: each payload would
set window.__pwned, and it stays undefined; no page holds an inline script or an element the payload
would have created."""

import pytest
from django.test import Client

from tests.conftest import verified_login
from tests.security import injected_world
from tests.security.crawl import crawl

world = injected_world.world  # the fixture

CHECK = """() => ({
    pwned: typeof window.__pwned,
    inline: document.querySelectorAll('script:not([src])').length,
    planted: document.querySelectorAll('img[src="x"], a[href^="javascript:"], [onerror]').length,
})"""


@pytest.mark.e2e
@pytest.mark.parametrize("role", ["SWPA", "WPA", "MARA_CHAIR"])
def test_no_attack_runs_on_any_page(role, world, users, live_server, chromium):
    client = verified_login(Client(), users[role])
    urls = sorted(crawl(client, limit=120))
    context = chromium.new_context(bypass_csp=True, locale="en-GB")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    ran = []
    try:
        for url in urls:
            page.goto(live_server.url + url)
            seen = page.evaluate(CHECK)
            if seen != {"pwned": "undefined", "inline": 0, "planted": 0}:
                ran.append((url, seen))
        # The session held throughout: the pages were the role's, not the login page.
        assert "/accounts/login/" not in page.url
    finally:
        context.close()
    assert len(urls) > 10
    assert ran == []

"""A submit made while the first autosave is still on its way waits for it: the draft that save creates
rides with the submit, which deletes it, so no stray draft is left until it expires."""

import re

import pytest
from playwright.sync_api import expect

from incidents.models import Incident, IntakeDraft
from tests.e2e import intake_by_tap as intake
from tests.e2e import pages


@pytest.mark.e2e
def test_it_leaves_no_draft_when_submitted_during_the_first_autosave(live_server, chromium, users, party):
    context = pages.signed_in_context(chromium, live_server.url, users["WPA"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    held, posted = [], []
    try:
        page.goto(f"{live_server.url}/incidents/new/")
        page.on("request", lambda r: posted.append(r.post_data) if r.method == "POST" and "/incidents/new/" in r.url
                else None)
        # The first autosave is held on its way to the server; any later one goes through.
        page.route("**/incidents/drafts/save/", lambda route: route.continue_() if held else held.append(route))
        with page.expect_request(lambda r: r.url.endswith("/incidents/drafts/save/")):
            for kind, name, value in intake.EVERYTHING:
                element = intake.control(page, kind, name, value)
                if kind == "check":
                    element.check()
                elif kind in ("select", "label"):
                    element.select_option(**({"label": value} if kind == "label" else {"value": value}))
                else:
                    element.fill(value)
        assert page.locator('input[name="draft"]').input_value() == ""
        page.get_by_role("button", name="Record incident").click()
        held[0].continue_()

        expect(page).to_have_url(re.compile(r"/incidents/DEMO-\d{4}-\d{5}/$"))
    finally:
        context.close()

    assert len(held) == 1
    (draft_id,) = re.findall(r"(?:^|&)draft=(\d+)", posted[0])  # the id the held save answered
    assert int(draft_id) > 0
    assert Incident.objects.count() == 1
    assert not IntakeDraft.objects.exists()

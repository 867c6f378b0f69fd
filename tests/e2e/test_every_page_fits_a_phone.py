"""Every page of the site (each by the role that sees most of it; every role's home page) at 360 x 740:
nothing wider than the screen, no text under 12 px, no control smaller than a 24 px target, and no console error."""

import pytest

from tests.e2e import pages
from tests.e2e.phone import PHONE, layout_problems


def visit(context, base_url, url, problems, label):
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    response = page.goto(base_url + url)
    assert response.status == 200, f"{label}: {response.status}"
    found = layout_problems(page) + [f"console: {e}" for e in errors]
    problems.extend(f"{label}: {problem}" for problem in found)
    page.close()


@pytest.mark.e2e
def test_it_fits_every_page_on_a_360_pixel_phone(live_server, chromium, users, site_objects):
    by_role = pages.pages_by_role(users, site_objects)
    problems, visited, contexts = [], 0, {}
    for role, name, url in pages.one_visit_per_page(by_role):
        if role not in contexts:
            contexts[role] = pages.signed_in_context(chromium, live_server.url, users[role], viewport=PHONE)
        visit(contexts[role], live_server.url, url, problems, f"{role} {name} {url}")
        visited += 1
    for context in contexts.values():
        context.close()
    for label, user, second_factor, url in (("signed out", None, True, "/accounts/login/"),
                                            ("second factor", users["WPA"], False, "/accounts/2fa/")):
        context = pages.signed_in_context(chromium, live_server.url, user, second_factor=second_factor,
                                          viewport=PHONE)
        visit(context, live_server.url, url, problems, f"{label} {url}")
        visited += 1
        context.close()
    assert visited > 50
    assert problems == [], "\n".join(problems)

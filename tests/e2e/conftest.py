"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test here is marked `e2e` (tests/conftest.py): without /usr/bin/chromium it is skipped, unless
REQUIRE_SERVICES=1 (as in CI), which makes a missing browser fail the run.
"""

import pytest

from tests.services import CHROMIUM

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(autouse=True)
def _orm_calls_inside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def chromium():
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright's event loop runs in this thread, Django keeps database connections per
            # context, not per thread: close the ones the test opened, or PostgreSQL cannot drop the test
            # database at the end of the run ("being accessed by other users").
            connections.close_all()


@pytest.fixture
def console_errors():
    """Console errors and uncaught exceptions of `browser_page`, in order."""
    return []


@pytest.fixture
def browser_page(chromium, console_errors):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: console_errors.append(f"uncaught: {exc}"))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def site_objects(live_server, users, stations, gazetteer, party, make_incident):
    """One object of every kind a page shows (tests/e2e/pages.py), for the tests that visit every page."""
    from tests.e2e import pages

    return pages.sample_objects(users=users, stations=stations, gazetteer=gazetteer, party=party,
                                make_incident=make_incident)

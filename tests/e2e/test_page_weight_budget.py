"""Every main page weighs at most 150 KB on a first visit (the page, its styles, scripts and anything else
it loads, headers included, as the browser counts it), and its static files come from the browser's cache
on the next page.

The site is served as in production (tests/e2e/serving.py): WhiteNoise, hashed and compressed files.
"""

import pytest

from tests.e2e import journeys
from tests.e2e.serving import production_static_server

BUDGET_BYTES = 150 * 1024
STATIC_KINDS = ("Stylesheet", "Script", "Font", "Image")


class NetworkLog:
    """Every request of a page as Chromium's DevTools protocol reports it: bytes received (encoded, headers
    included) and whether it came from the browser's cache."""

    def __init__(self, page):
        self.requests = {}
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.send("Network.enable")

    def _entry(self, request_id):
        return self.requests.setdefault(request_id, {"bytes": 0, "cached": False, "finished": False})

    def _sent(self, event):
        self._entry(event["requestId"]).update(url=event["request"]["url"], kind=event.get("type", ""))

    def _received(self, event):
        response = event["response"]
        entry = self._entry(event["requestId"])
        entry.update(status=response["status"], kind=event.get("type", entry.get("kind", "")),
                     headers={k.lower(): v for k, v in response["headers"].items()})
        if response.get("fromDiskCache") or response.get("fromMemoryCache"):
            entry["cached"] = True

    def _from_cache(self, event):
        self._entry(event["requestId"])["cached"] = True

    def _finished(self, event):
        entry = self._entry(event["requestId"])
        entry.update(bytes=int(event["encodedDataLength"]), finished=True)

    def total(self):
        return sum(entry["bytes"] for entry in self.requests.values())

    def static(self):
        return [e for e in self.requests.values() if "/static/" in e.get("url", "")]


def first_visit(browser, base_url, users, role, url):
    """(total bytes, the log) of `url` opened in a browser that has never seen the site."""
    context = journeys.open_context(browser, base_url, users, role)
    page = context.new_page()
    log = NetworkLog(page)
    response = page.goto(base_url + url, wait_until="networkidle")
    assert response.status == 200, f"{role} {url}: {response.status}"
    assert all(entry["finished"] for entry in log.requests.values()), log.requests
    context.close()
    return log.total(), log


@pytest.mark.e2e
def test_it_keeps_every_main_page_under_150_kb_and_serves_static_files_from_cache(
        live_server, chromium, users, site_objects, tmp_path):
    # live_server: the test database is transactional, so the server thread below reads the sample data.
    main_pages = journeys.main_pages(users, site_objects)
    with production_static_server(tmp_path / "static") as base_url:
        weights, over = [], []
        for role, name, url in main_pages:
            total, log = first_visit(chromium, base_url, users, role, url)
            weights.append((role or "signed out", name, url, len(log.requests), total))
            if total > BUDGET_BYTES:
                over.append(f"{role} {name}: {total} bytes: " + ", ".join(
                    f"{e.get('url')} {e['bytes']}" for e in log.requests.values()))
            # Static files: hashed names, compressed, cacheable for ever.
            for entry in log.static():
                headers = entry["headers"]
                assert "immutable" in headers.get("cache-control", ""), (entry["url"], headers)
                assert "max-age=315360000" in headers.get("cache-control", ""), (entry["url"], headers)
                if entry["url"].endswith((".css", ".js")):
                    assert headers.get("content-encoding") in ("br", "gzip"), (entry["url"], headers)

        # Second page in the same browser: the stylesheet and scripts are not fetched again.
        context = journeys.open_context(chromium, base_url, users, "WPA")
        page = context.new_page()
        first = NetworkLog(page)
        page.goto(base_url + journeys.url_of("home", site_objects), wait_until="networkidle")
        fetched_first = {e["url"] for e in first.static() if not e["cached"]}
        page.close()
        page = context.new_page()
        second = NetworkLog(page)
        page.goto(base_url + journeys.url_of("incident_create", site_objects), wait_until="networkidle")
        again = [e for e in second.static() if e["url"] in fetched_first]
        context.close()

    print("\nPage weight on a first visit (bytes as received, headers included; budget 150 KB):")
    print(f"{'role':<22}{'page':<24}{'requests':>9}{'KB':>9}")
    for role, name, _url, count, total in weights:
        print(f"{role:<22}{name:<24}{count:>9}{total / 1024:>9.1f}")
    assert over == [], "\n".join(over)
    assert len(weights) == len(journeys.MAIN_PAGES)
    assert fetched_first, "the first page loaded no static file from the network"
    css_js = [e for e in again if e["url"].endswith((".css", ".js"))]
    assert css_js, f"the second page used none of the first page's stylesheets and scripts: {fetched_first}"
    not_cached = [e["url"] for e in css_js if not e["cached"] or e["bytes"] > 0]
    assert not_cached == [], f"fetched again instead of from the cache: {not_cached}"

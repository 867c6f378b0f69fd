"""Visit every page a user can reach from the home page and the site's parameterless URLs, following
the links and form-less GETs of each page (as a person clicking through would), for the injection
tests. Same site only; logging out and switching the language are left alone."""

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

from tests.security.urls_of_the_site import site_urls

HREF = re.compile(r'href="([^"]+)"')
LEAVE_ALONE = ("/accounts/logout/", "/i18n/", "/static/", "/api/v1/docs/", "/api/v1/schema/")
PER_PATH = 3  # the same page with other query strings (pages of a list, filters): a few are enough


def is_html(response):
    return response.get("Content-Type", "").startswith("text/html")


def crawl(client, limit=400):
    """{url: response} of every HTML page reached (status 200)."""
    start = ["/"] + [url for url, pattern in site_urls() if "<" not in str(pattern.pattern)
                     and "(?P" not in str(pattern.pattern)]
    queue, seen, per_path, pages = deque(start), set(start), {}, {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        path = urlsplit(url).path
        per_path[path] = per_path.get(path, 0) + 1
        if per_path[path] > PER_PATH:
            continue
        response = client.get(url)
        if response.status_code != 200 or not is_html(response):
            continue
        pages[url] = response
        for link in HREF.findall(response.content.decode()):
            link = urldefrag(unescape(link))[0]
            if link.startswith("/") and not link.startswith("//") and not link.startswith(LEAVE_ALONE) \
                    and link not in seen:
                seen.add(link)
                queue.append(link)
    return pages

"""Every URL pattern of the site, as a URL that resolves (for tests that visit or post to all of them).

Converters and named groups get a value of their type that matches the pattern: views need not find
the object, only be reached (the CSRF check, the security headers and the CSP all happen before the
view runs). `values` replace the samples by name where a real object is wanted.
"""

import re

from django.urls import URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000",
          "drf_format_suffix": ".json"}
# Named groups of the regex patterns (mara's analysis pages, DRF's routers, the Django admin).
GROUP_SAMPLE = {"month": "2026-01", "format": "json", "app_label": "crsv_mis"}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


def _piece(pattern, values):
    if isinstance(pattern, RoutePattern):
        return CONVERTER.sub(lambda m: values.get(m["name"]) or SAMPLE[m["kind"] or "str"], str(pattern._route))
    text = GROUP.sub(lambda m: values.get(m["name"]) or GROUP_SAMPLE.get(m["name"], "1"), pattern.regex.pattern)
    return text.lstrip("^").rstrip("$").replace("/?", "/").replace("\\.", ".")


def _walk(patterns, prefix, values, found):
    for entry in patterns:
        here = prefix + _piece(entry.pattern, values)
        if isinstance(entry, URLResolver):
            _walk(entry.url_patterns, here, values, found)
        else:
            found.append(("/" + here, entry))


def site_urls(**values):
    """[(url, URLPattern)] for every URL pattern of the site, each URL resolving to its own view. A URL
    two patterns give (the API root of two DRF routers under /api/v1/) is served by the first: kept once."""
    found, seen = [], set()
    _walk(get_resolver().url_patterns, "", values, found)
    return [(url, p) for url, p in found if not (url in seen or seen.add(url))]


def resolves_to_its_view(url, pattern):
    return resolve(url).func == pattern.callback

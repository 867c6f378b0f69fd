"""The main journeys' pages, each by the role that walks it: what the weight budget and the accessibility
checks measure. (tests/e2e/pages.py has every page; these are the ones people open every day.)"""

from django.urls import reverse

from tests.e2e import pages

# (role, URL name); role None is signed out. The leadership dashboard is leadership's own home page.
MAIN_PAGES = (
    (None, "login"),
    ("WPA", "home"),
    ("WPA", "incident_list"),
    ("WPA", "incident_create"),
    ("WPA", "incident_detail"),
    ("FIELD_REPORTER", "alert_create"),
    ("MARA_CHAIR", "mara_review"),
    ("MARA_CHAIR", "mara_review_decision"),
    ("MARA_CHAIR", "analysis_month"),
    ("WPA", "referral_list"),
    ("WPA", "referral_create"),
    ("REFERRAL_FOCAL_POINT", "referral_detail"),
    ("LEADERSHIP", "home"),
    ("LEADERSHIP", "mara_dashboard"),
    ("LEADERSHIP", "report_released"),
    ("SWPA", "report_detail"),
    ("SWPA", "handover_home"),
    ("SWPA", "handover_station"),
)


def url_of(name, objects):
    arguments = pages._arguments(objects)
    query = pages.QUERIES[name](objects) if name in pages.QUERIES else ""
    return reverse(name, kwargs=arguments.get(name)) + query


def main_pages(users, objects):
    """(role, name, path) of every main page, each checked first to answer that role 200 with HTML."""
    found, refused = [], []
    for role, name in MAIN_PAGES:
        url = url_of(name, objects)
        if role is not None and not pages.html_pages_for(users[role], [(name, url)]):
            refused.append(f"{role} {name} {url}")
        found.append((role, name, url))
    assert not refused, f"main pages their role cannot open (fix MAIN_PAGES): {refused}"
    return found


def open_context(browser, base_url, users, role, **options):
    return pages.signed_in_context(browser, base_url, users[role] if role else None, **options)

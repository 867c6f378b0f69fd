"""The site's pages, found in the URLconf, and a signed-in browser context per role.

`get_pages()` walks the URLconf, so a page added later is visited by the phone, weight and
accessibility tests without anyone listing it. A page whose URL needs an object (a reference, a
pk, a month) takes it from `sample_objects`; a new pattern with arguments that nothing here can
fill makes `page_urls` fail, naming the pattern.
"""

import datetime

from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from incidents import alerts, drafts
from incidents.models import ImportState, IncidentImport
from lifecycle.models import LegalHold
from mara.services import analysis as analysis_service
from mara.services import meetings as meeting_service
from mara.services.commitments import create_commitment
from mara.services.recommendations import create_recommendation
from referrals import services as referral_services
from referrals.models import Provider, ProviderService
from reporting import disclosures, quarterly
from reporting.models import JobState, QuarterlyReport, ReportJob
from tests.conftest import verified_login, victim_data

# Everything under these prefixes is not a page of the product's own templates.
NOT_PAGES = ("api/", "django-admin/", "i18n/")
# Roles whose pages the tests visit: every role that has a page of its own. The first role that opens
# a page is the one that sees most of it (SWPA reads everything), so it visits it first.
ROLES = ("SWPA", "WPA", "HRO", "MARA_CHAIR", "MARA_MEMBER", "REFERRAL_FOCAL_POINT", "LEADERSHIP",
         "FIELD_REPORTER", "ADMIN", "AUDITOR")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), entry


def get_pages():
    """(name, argument names) of every named pattern outside the API, the admin and i18n."""
    found = []
    for route, entry in _walk(get_resolver().url_patterns):
        if route.lstrip("^").startswith(NOT_PAGES):
            continue
        found.append((entry.name, tuple(entry.pattern.regex.groupindex)))
    return found


def sample_objects(*, users, stations, gazetteer, party, make_incident):
    """One object of every kind a page shows, made through the services, with synthetic text."""
    incident = make_incident(victims=[victim_data(), victim_data(sex="MALE", age_years=41, age_group="40-59")])
    victim = incident.victims.first()
    alert = alerts.submit_alert(
        by=users["FIELD_REPORTER"], duty_station=stations["north"], location=gazetteer["hamlet"],
        observed_at=timezone.now() - datetime.timedelta(minutes=20), urgency="URGENT",
        description="Synthetic alert: armed men seen near the Ashdale water point.",
        source_type="COMMUNITY_ALERT_NETWORK")
    provider = Provider.objects.create(mission=incident.mission, name="Ashdale Clinic (synthetic)",
                                       provider_type="HEALTH_FACILITY", contact="+000 555 0199")
    provider.areas.set([gazetteer["north_a"]])
    ProviderService.objects.create(provider=provider, service="MEDICAL", active=True)
    provider.focal_points.set([users["REFERRAL_FOCAL_POINT"]])
    referral = referral_services.create_referral(
        by=users["WPA"], victim=victim, service="MEDICAL", provider=provider, urgency="EMERGENCY",
        note="Synthetic note.", send=True, consent_given=True,
        consent_date=timezone.localdate() - datetime.timedelta(days=1), consent_given_by="SURVIVOR",
        consent_decided_by="")
    today = timezone.localdate()
    meeting = meeting_service.create_meeting(
        by=users["MARA_CHAIR"], fields={"date": today - datetime.timedelta(days=7), "format": "IN_PERSON",
                                        "agenda": "Trends.", "decisions": "Two incidents verified."},
        attendees=[{"user": users["MARA_CHAIR"], "organisation": "Test mission", "sex": "FEMALE"}],
        action_points=[{"description": "Engage the Test Front command.", "owner": "SWPA",
                        "forum": "Senior management group", "due_date": today + datetime.timedelta(days=3)}])
    recommendation = create_recommendation(by=users["MARA_CHAIR"], fields={
        "text": "Increase day patrols on the roads around Ashdale.", "owner": "UNFPA",
        "forum": "Protection Working Group", "due_date": today + datetime.timedelta(days=30)})
    commitment = create_commitment(by=users["SWPA"], fields={
        "party": party, "kind": "ACTION_PLAN", "title": "Action plan on CRSV",
        "date_signed": datetime.date(2024, 11, 5), "status": "ADOPTED"})
    month = today.replace(day=1)
    analysis_service.save_draft(by=users["MARA_CHAIR"], month=month, expected_version=0,
                                fields={"patterns": "Synthetic analysis text."})
    disclosure = disclosures.request_disclosure(
        by=users["SWPA"], items=["SUMMARY", "DATES_PLACE"], references=[incident.reference],
        recipient="Office of the prosecutor (synthetic)", recipient_reference="TL-PR-0001",
        legal_basis="Letter of request (synthetic)", purpose="Synthetic investigation.")
    incident_import = IncidentImport.objects.create(
        mission=incident.mission, created_by=users["WPA"], file_name="matrix.xlsx", sha256="0" * 64,
        state=ImportState.FAILED, error="Synthetic: the file could not be read.")
    LegalHold.objects.create(mission=incident.mission, incident=incident, reason="Synthetic case TL-0001",
                             set_by=users["SWPA"])
    quarter = (today.month - 1) // 3 + 1
    report = QuarterlyReport.objects.create(
        mission=incident.mission, year=today.year, quarter=quarter, version=1, generated_by=users["SWPA"],
        figures=quarterly.build(incident.mission, today.year, quarter),
        key_messages="Synthetic key messages.")
    job = ReportJob.objects.create(mission=incident.mission, year=today.year, quarter=quarter,
                                   state=JobState.FAILED, error="Synthetic failure.")
    draft, _forked = drafts.save(by=users["WPA"], post=QueryDict("narrative=Synthetic+draft+text."))
    return {"incident": incident, "victim": victim, "draft": draft, "station": stations["north"],
            "alert": alert, "provider": provider, "referral": referral,
            "meeting": meeting, "recommendation": recommendation, "commitment": commitment, "month": month,
            "disclosure": disclosure, "import": incident_import, "report": report, "job": job}


def _arguments(objects):
    """URL name -> (kwargs, query string) for the pages that need an object."""
    month = objects["month"].strftime("%Y-%m")
    return {
        "incident_detail": {"reference": objects["incident"].reference},
        "incident_edit": {"reference": objects["incident"].reference},
        "incident_import_detail": {"pk": objects["import"].pk},
        "alert_detail": {"reference": objects["alert"].reference},
        "mara_review_decision": {"reference": objects["incident"].reference},
        "meeting_detail": {"pk": objects["meeting"].pk},
        "meeting_edit": {"pk": objects["meeting"].pk},
        "analysis_month": {"month": month},
        "analysis_revision": {"month": month, "revision": "1"},
        "recommendation_detail": {"pk": objects["recommendation"].pk},
        "recommendation_edit": {"pk": objects["recommendation"].pk},
        "commitment_detail": {"pk": objects["commitment"].pk},
        "commitment_edit": {"pk": objects["commitment"].pk},
        "provider_edit": {"pk": objects["provider"].pk},
        "referral_detail": {"pk": objects["referral"].pk},
        "report_detail": {"pk": objects["report"].pk},
        "report_job": {"pk": objects["job"].pk},
        "disclosure_detail": {"pk": objects["disclosure"].pk},
        "intake_draft_discard": {"pk": objects["draft"].pk},
        "handover_station": {"code": objects["station"].code},
    }


QUERIES = {"referral_create": lambda objects: f"?victim={objects['victim'].pk}"}
# Patterns with arguments that answer files or POSTs only, never a page: nothing to visit.
NOT_VISITED = {
    "incident_import_template", "incident_import_choose", "incident_import_fix_file", "incident_import_discard",
    "incident_import_retry", "alert_acknowledge", "alert_respond", "alert_close", "meeting_action_status",
    "action_point_status", "analysis_endorse", "analysis_reopen", "commitment_review", "referral_status",
    "referral_follow_up", "referral_consent", "referral_withdraw", "report_job_retry", "report_approve",
    "report_return", "report_release", "report_download", "disclosure_approve", "disclosure_refuse",
    "disclosure_cancel", "disclosure_send", "disclosure_download", "retention_lift",
    "handover_preview", "handover_confirm",
}
# Pages without arguments that answer POSTs only, or are visited signed out (the login steps).
NOT_VISITED |= {"logout", "mara_verifier_change", "report_generate", "login", "otp_verify", "intake_draft_save"}
# Without arguments, a file only (marker_world fetches it).
NOT_VISITED |= {"audit_export"}


def page_urls(objects):
    """(name, path) of every page to visit; fails on a pattern with arguments nothing here fills."""
    arguments = _arguments(objects)
    urls, unfilled = [], []
    for name, params in get_pages():
        if name in NOT_VISITED:
            continue
        if params and name not in arguments:
            unfilled.append(name)
            continue
        query = QUERIES[name](objects) if name in QUERIES else ""
        urls.append((name, reverse(name, kwargs=arguments.get(name)) + query))
    assert not unfilled, f"pages with arguments nothing fills (add them to tests/e2e/pages.py): {unfilled}"
    return urls


def html_pages_for(user, urls):
    """The pages of `urls` this user gets as HTML with 200, checked without a browser first (a
    download would otherwise start in the browser, and a 403 page is not the role's page)."""
    client = verified_login(Client(), user)
    found = []
    for name, url in urls:
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            found.append((name, url))
    return found


def signed_in_context(browser, base_url, user, *, second_factor=True, **options):
    """A browser context already past password and (unless `second_factor` is false) second factor,
    from a session made in the database (the login journey itself is covered by
    test_intake_in_browser). Without a user: signed out."""
    context = browser.new_context(locale="en-GB", **options)
    if user is None:
        return context
    client = Client()
    if second_factor:
        verified_login(client, user)
    else:
        client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    return context


def role_users(users):
    return [(role, users[role]) for role in ROLES]


def pages_by_role(users, objects):
    """role -> the (name, path) pages that role opens; fails when some page is nobody's."""
    urls = page_urls(objects)
    by_role = {role: html_pages_for(user, urls) for role, user in role_users(users)}
    reached = {name for pages in by_role.values() for name, _url in pages}
    assert reached == {name for name, _url in urls}, f"pages no role opens: {sorted({n for n, _ in urls} - reached)}"
    return by_role


def one_visit_per_page(by_role):
    """(role, name, path): every page once, by the first role of ROLES that opens it, and every role's
    home page (each role has its own menu)."""
    visits, seen = [], set()
    for role in ROLES:
        for name, url in by_role[role]:
            if name not in seen or name == "home":
                visits.append((role, name, url))
                seen.add(name)
    return visits

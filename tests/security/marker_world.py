"""A mission whose every identifying value is a unique marker string, and everything a person can
receive from the site, read back as text, for the layer tests (tests/security/test_*_never_receives_*.py
and test_isp_records_stay_with_human_rights_roles.py).

The world: the objects of every page (tests/e2e/pages.sample_objects), an incident received from a
humanitarian partner under an information-sharing protocol (ISP) with markers of its own, a released
quarterly report, a referral with a follow-up, an intake draft, a legal hold and a disclosure; then
every identifying field of every row (the encrypted ones, the place names, the summaries) is given its
marker. `received_by(user)` visits, signed in as `user`: every page crawled from the home page, every
page of the URLconf with real objects (403 and 404 bodies included), every download, every API route
with an API token, every page of the Django admin for every object, and an empty POST to every page
(form errors). Files are opened: PDF text with pypdf, XLSX cells with openpyxl (and the raw parts of
the zip), CSV and JSON as text; headers (a file name) are read too.
"""

import contextlib
import functools
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import transaction
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from crsv_mis.encryption import EncryptedTextField
from crsv_mis.models import ApiToken, Location, LocationLevel, Mission, TOTPDevice
from incidents import alerts as alert_services
from incidents import drafts
from incidents.choices import CrsvFormCode
from incidents.models import (
    Alert,
    AlertResponse,
    ArchiveRequest,
    Consent,
    FormOfViolence,
    ImportFile,
    Incident,
    IncidentImport,
    IntakeDraft,
    Victim,
)
from lifecycle.models import LegalHold
from mara.models import ActionPoint, Meeting, MonthlyAnalysis, VerificationDecision
from referrals import services as referral_services
from referrals.models import FollowUp, Provider, Referral, ReferralStatusChange
from reporting import services as report_services
from reporting.models import Disclosure, QuarterlyReport
from tests import conftest as fixtures
from tests.conftest import verified_login, victim_data
from tests.e2e.pages import page_urls, sample_objects
from tests.reporting.report_fixtures import release_unaudited
from tests.security.crawl import crawl
from tests.security.injected_world import PRODUCT_APPS

SUFFIX = "Qz7f3a"
# Coordinates are validated as "lat,lon": numbers no other value of the world holds.
COORDINATES = {"REC": "-3.141593,27.182818", "ISP": "-2.718282,31.415927"}


def marker(tag, name):
    return f"Mk{tag}{name}{SUFFIX}"


# Layer A, per record class (REC: an ordinary record; ISP: received under a protocol).
INCIDENT_A = {"narrative": "Narrative"}
VICTIM_A = {"name": "VictimName", "contact": "VictimContact", "previously_interviewed_by": "SeenBy"}
CONSENT_A = {"decided_by": "ConsentDecidedBy"}
# Other case notes kept encrypted (referrals, alerts, legal holds, disclosures, drafts): layer A too.
NOTES = {
    (Referral, "note"): "ReferralNote", (Referral, "consent_decided_by"): "ReferralDecidedBy",
    (FollowUp, "note"): "FollowUpNote", (Alert, "description"): "AlertDescription",
    (LegalHold, "reason"): "HoldReason", (Disclosure, "purpose"): "DisclosurePurpose",
    # Text typed into reasons and outcomes.
    (FollowUp, "outcome"): "FollowUpOutcome", (ReferralStatusChange, "reason"): "StatusReason",
    (AlertResponse, "outcome"): "AlertOutcome",
}
# The MARA's own notes, encrypted: the MARA reads them, nobody outside the human rights and MARA roles.
MARA_NOTES = {
    (Meeting, "agenda"): "MeetingAgenda", (Meeting, "decisions"): "MeetingDecisions",
    (ActionPoint, "description"): "ActionPoint", (VerificationDecision, "rationale"): "VerificationRationale",
}
DRAFT_NARRATIVE = marker("REC", "DraftNarrative")
# Encrypted fields the world leaves out, and why.
NOT_MARKED = {
    # A draft is JSON of the form's inputs: its narrative holds DRAFT_NARRATIVE instead.
    (IntakeDraft, "data"),
    # An import's file, its rows and its report: the import tests cover them (the world imports nothing).
    (IncidentImport, "file_name"), (IncidentImport, "report"), (ImportFile, "content"), (ImportFile, "rows"),
    (ImportFile, "fix_file"),
    # A lifted hold's reason: the world's hold is still set.
    (LegalHold, "lift_reason"),
    # Written when a request is decided, sent or cancelled: the world's request waits for the SWPA.
    (Disclosure, "decision_reason"), (Disclosure, "sent_note"), (Disclosure, "cancel_reason"),
    # A service provider's contact: the directory's, not a survivor's.
    (Provider, "contact"),
    # Why an analysis was reopened, or a report sent back to draft: the world's analysis is a first
    # draft and its report was released straight away.
    (MonthlyAnalysis, "reopen_reason"), (QuarterlyReport, "return_reason"),
    # Why an administrator asked to archive an incident: the world archives nothing (an archived
    # record leaves every list; tests/incidents/test_archiving_needs_the_swpas_confirmation.py).
    (Incident, "archive_reason"), (ArchiveRequest, "reason"),
    # A second factor's secret, not survivor data: tests/crsv_mis/test_totp_secrets_encrypted_at_rest.py.
    (TOTPDevice, "key"),
}


def layer_a_markers(tag):
    """Identifying values of one record class: narrative, coordinates, place name, the survivors'
    names, contacts and who saw them, who decided a child's consent."""
    found = [marker(tag, n) for n in (*INCIDENT_A.values(), *VICTIM_A.values(), *CONSENT_A.values())]
    found += [COORDINATES[tag], *COORDINATES[tag].split(","), marker(tag, "Place")]
    return found


def note_markers():
    return [marker("REC", n) for n in NOTES.values()] + [DRAFT_NARRATIVE]


def mara_note_markers():
    return [marker("REC", n) for n in MARA_NOTES.values()]


def record_markers(world, tag):
    """Record-level values below layer A: each incident's reference and summary, each victim's code."""
    found = [marker(tag, "Summary")]
    for incident in world["incidents"][tag]:
        found.append(incident.reference)
        found += list(incident.victims.values_list("code", flat=True))
    return found


def place_marker(tag):
    return marker(tag, "Place")


def build(users, stations, gazetteer, party, mission, make_incident):
    objects = sample_objects(users=users, stations=stations, gazetteer=gazetteer, party=party,
                             make_incident=make_incident)
    places = {tag: Location.objects.create(level=LocationLevel.LOCALITY, name=f"place-{tag}",
                                           pcode=f"TL0101{n:02d}", parent=gazetteer["north_a"])
              for n, tag in enumerate(("REC", "ISP"), start=10)}
    child = victim_data(age_years=15, age_group="12-17", consent_given_by="CAREGIVER", consent_decided_by="x",
                        sex="MALE")
    recorded = make_incident(location=places["REC"], victims=[victim_data(), child])
    make_incident(location=places["ISP"], shared_under_isp=True, source_type="HUMANITARIAN_PARTNER",
                        victims=[victim_data(), child])
    # A referral with a follow-up, and an intake draft, on the ordinary record.
    referral = referral_services.create_referral(
        by=users["WPA"], victim=recorded.victims.first(), service="MEDICAL", provider=objects["provider"],
        urgency="EMERGENCY", note="x", send=True, consent_given=True, consent_date=timezone.localdate(),
        consent_given_by="SURVIVOR")
    referral_services.add_follow_up(referral, by=users["WPA"], date=timezone.localdate(), outcome="Seen.",
                                    note="x")
    drafts.save(by=users["WPA"], post=QueryDict(f"narrative={DRAFT_NARRATIVE}"))
    # A response to the alert, and a verification decision on the ordinary record.
    alert_services.add_response(objects["alert"], by=users["SWPA"], kind="PATROL", component="Force",
                                responded_at=timezone.now(), outcome="x")
    VerificationDecision.objects.create(incident=recorded, from_status=recorded.status,
                                        to_status=recorded.status, rationale="x",
                                        decided_by=users["MARA_CHAIR"])

    incidents = {"REC": [i for i in Incident.objects.filter(shared_under_isp=False)],
                 "ISP": [i for i in Incident.objects.filter(shared_under_isp=True)]}
    for tag, rows in incidents.items():
        for incident in rows:
            Incident.objects.filter(pk=incident.pk).update(
                narrative=marker(tag, "Narrative"), coordinates=COORDINATES[tag], summary=marker(tag, "Summary"))
            Victim.objects.filter(incident=incident).update(**{f: marker(tag, n) for f, n in VICTIM_A.items()})
            Consent.objects.filter(victim__incident=incident).update(
                **{f: marker(tag, n) for f, n in CONSENT_A.items()})
    # Every ordinary record at the marked locality (the ISP one at its own).
    Incident.objects.filter(shared_under_isp=False).update(location=places["REC"])
    for tag, place in places.items():
        Location.objects.filter(pk=place.pk).update(name=place_marker(tag))
    for (model, field), name in (NOTES | MARA_NOTES).items():
        model.objects.update(**{field: marker("REC", name)})

    # A released report of the quarter, built after the markers (its figures are counts only).
    today = timezone.localdate()
    job = report_services.start_job(mission=mission, year=today.year, quarter=(today.month - 1) // 3 + 1)
    report = report_services.run_job(job.pk)
    with release_unaudited():
        released = report_services.release(report_services.approve(report, by=users["MARA_CHAIR"]),
                                            by=users["MARA_CHAIR"])
    # The sample draft version is dropped: a draft's files are rendered at each download (seconds per
    # PDF), and the released version's stored files are built from the same templates.
    QuarterlyReport.objects.filter(pk=objects["report"].pk).delete()
    objects.update(incidents=incidents, referral_made=referral, released=released, report=released)
    return objects


def unmarked_encrypted_fields():
    """Encrypted fields of the product the world gives no marker (the test of the world holds it empty)."""
    marked = {(Incident, f) for f in INCIDENT_A} | {(Incident, "coordinates")} | {(Victim, f) for f in VICTIM_A} \
        | {(Consent, f) for f in CONSENT_A} | set(NOTES) | set(MARA_NOTES) | NOT_MARKED
    found = []
    for app in PRODUCT_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, EncryptedTextField) and (model, field.name) not in marked:
                    found.append(f"{model.__name__}.{field.name}")
    return found


# ---- reading what a person receives

def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def readable(response):
    """Everything the response says, as text: headers, and the body with files opened."""
    body = _body(response)
    return "\n".join([f"{k}: {v}" for k, v in response.items()] + [_opened(body)])


@functools.lru_cache(maxsize=64)
def _opened(body):
    """The body as text (a file is downloaded several times: opened once)."""
    parts = []
    if body.startswith(b"%PDF"):
        reader = PdfReader(io.BytesIO(body))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
        parts += [text, text.replace("\n", "").replace(" ", ""), str(reader.metadata or "")]
    elif body.startswith(b"PK"):
        archive = zipfile.ZipFile(io.BytesIO(body))
        parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
        if any(name.startswith("xl/") for name in archive.namelist()):
            book = load_workbook(io.BytesIO(body), read_only=True)
            parts += [str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                      for value in row if value is not None]
    else:
        parts.append(body.decode("utf-8", "replace"))
    return "\n".join(parts)


def _object_urls(world):
    """URLs with real objects: every page of the URLconf (pages.page_urls), the records' own pages,
    and the downloads (files) of every report, data set, disclosure and import."""
    urls = [url for _name, url in page_urls(world)]
    for tag in ("REC", "ISP"):
        for incident in world["incidents"][tag]:
            urls += [reverse("incident_detail", kwargs={"reference": incident.reference}),
                     reverse("incident_edit", kwargs={"reference": incident.reference}),
                     reverse("mara_review_decision", kwargs={"reference": incident.reference})]
    urls += [reverse("referral_detail", kwargs={"pk": world["referral_made"].pk}),
             reverse("referral_create") + f"?victim={world['incidents']['REC'][-1].victims.first().pk}"]
    for report in QuarterlyReport.objects.all():
        urls.append(reverse("report_detail", kwargs={"pk": report.pk}))
        urls += [reverse("report_download", kwargs={"pk": report.pk, "edition": edition, "fmt": fmt})
                 for edition in ("mara-room", "external") for fmt in ("pdf", "xlsx", "csv")]
    year = timezone.localdate().year
    for fmt in ("xlsx", "csv"):
        urls.append(reverse("deidentified_export") + f"?from={year - 1}-01&to={year}-12&format={fmt}")
        urls.append(reverse("sg_annual") + f"?year={year}&format={fmt}")
        urls.append(reverse("sg_annual") + f"?year={year - 1}&format={fmt}")
    urls += [reverse("disclosure_download", kwargs={"pk": d.pk}) for d in Disclosure.objects.all()]
    urls += [reverse("incident_import_template", kwargs={"fmt": "xlsx"}), "/no-such-page/", "/incidents/NO-SUCH-REF/"]
    urls.append(reverse("audit_export"))
    return urls


def _api_urls(world):
    urls = ["/api/v1/", "/api/v1/incidents/", "/api/v1/incidents/?page_size=500", "/api/v1/referrals/",
            "/api/v1/parties/", "/api/v1/locations/", "/api/v1/stats/referrals/", "/api/v1/schema/",
            "/api/v1/incidents/?format=json", "/api/v1/incidents/NO-SUCH-REF/", "/api/v1/audit-events/"]
    year = timezone.localdate().year
    for group_by in ("form", "admin1", "party_type", "party", "victim_group", "verification_status", "site_type"):
        urls.append(f"/api/v1/stats/trends/?from={year}-01&to={year}-12&group_by={group_by}")
    for tag in ("REC", "ISP"):
        urls += [f"/api/v1/incidents/{i.reference}/" for i in world["incidents"][tag]]
    urls += [f"/api/v1/referrals/{pk}/" for pk in Referral.objects.values_list("pk", flat=True)]
    return urls


def _admin_urls():
    """Every page of the Django admin: index, each registered model's list, add page, and the change
    and history page of each of its rows."""
    urls = ["/django-admin/"]
    for model, model_admin in admin.site._registry.items():
        base = f"/django-admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls += [base, base + "add/", base + "?q=Mk"]
        for pk in model.objects.values_list("pk", flat=True):
            urls += [f"{base}{pk}/change/", f"{base}{pk}/history/"]
        del model_admin
    return urls


# Paths never posted to: they end the session or only switch the language.
NOT_POSTED = ("/accounts/logout/", "/i18n/", "/django-admin/logout/")


def received_by(user, world, *, posts=True):
    """[(what, text)] of every response `user` gets from the site (see the module's docstring). The
    URL asked for is taken out of the text: a page echoing the address typed (the language form's
    `next`) says nothing the person did not send."""
    client = verified_login(Client(), user)
    received = [(f"crawl {url}", _without(readable(response), url)) for url, response in crawl(client).items()]
    forms = []
    for url in dict.fromkeys(_object_urls(world) + _admin_urls()):
        response = client.get(url)
        received.append((f"GET {url} [{response.status_code}]", _without(readable(response), url)))
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            forms.append(url)
    _token, raw = ApiToken.issue(user, days=1)
    api = Client(HTTP_AUTHORIZATION=f"Token {raw}")
    for url in _api_urls(world):
        response = api.get(url)
        received.append((f"API {url} [{response.status_code}]", _without(readable(response), url)))
    received.append(("API POST /api/v1/incidents/", readable(api.post(
        "/api/v1/incidents/", {"narrative": "x"}, content_type="application/json"))))
    if posts:
        # An empty form sent back to every page that showed one: its errors.
        for url in forms:
            if not url.startswith(NOT_POSTED):
                received.append((f"POST {url}", _without(readable(client.post(url, {})), url)))
    return received


def _without(text, url):
    path = url.split("?", 1)[0]
    for asked in (url, url.replace("&", "&amp;"), quote(url, safe=""), path, quote(path, safe="")):
        text = text.replace(asked, "")
    return text


def leaks(received, markers, *, allowed=lambda what: False):
    """{marker: [where]} of the markers found in what was received (outside `allowed` places). A
    choice offered in a form's list (an option not selected: the gazetteer's localities in a location
    field) names no record; a selected one is looked at like any other text."""
    found = {}
    for what, text in received:
        if allowed(what):
            continue
        text = UNSELECTED_OPTION.sub("", text)
        for value in markers:
            if value in text:
                found.setdefault(value, []).append(what)
    return found


UNSELECTED_OPTION = re.compile(r"<option value=\"[^\"]*\">[^<]*</option>")
# The gazetteer (reference data) lists every locality, the marked ones too, without saying that a
# survivor is linked to it: the place marker is looked for everywhere else.
GAZETTEER = ("/api/v1/locations", "/django-admin/crsv_mis/location/")


def in_the_gazetteer(what):
    return what.split(" ", 1)[1].startswith(GAZETTEER)



@contextlib.contextmanager
def world_in_a_transaction():
    """The world built once, inside a transaction rolled back at the end: the tests of one module
    share it (building it renders the released report's PDFs, the slow part), and each test's own
    transaction (pytest-django's `db`) is a savepoint inside it, so nothing one test posts reaches
    the next. Yields (world, users)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]), \
            transaction.atomic():
        for code in CrsvFormCode.values:
            FormOfViolence.objects.get_or_create(code=code)
        gazetteer = fixtures.gazetteer.__wrapped__(None)
        mission = Mission.objects.create(code="DEMO", name="Test mission", country=gazetteer["country"])
        stations = fixtures.stations.__wrapped__(mission, gazetteer)
        party = fixtures.party.__wrapped__(mission)
        users = fixtures.users.__wrapped__(mission, stations)
        make_incident = fixtures.make_incident.__wrapped__(users, stations, gazetteer, party)
        yield build(users, stations, gazetteer, party, mission, make_incident), users
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def marker_world(django_db_setup, django_db_blocker):
    """(world, users) for every test of the module (import it where it is wanted, with `db`)."""
    with django_db_blocker.unblock(), world_in_a_transaction() as built:
        yield built
